/** @jest-environment jsdom */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { ReactNode } from 'react';
import { AccountSession, Me } from '../../api';
import { UnverifiedBanner } from '../../components/UnverifiedBanner';
import { ok, RecordedRequest, refused, serveApi } from '../../testing/fake-api';
import { ChangeEmail } from './ChangeEmail';
import { ChangePassword } from './ChangePassword';
import { ForgotPassword } from './ForgotPassword';
import { ResetPassword } from './ResetPassword';
import { Sessions } from './Sessions';
import { VerifyEmail } from './VerifyEmail';

const TOKEN = 'A'.repeat(43);

function show(ui: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>);
}

const aUser = (overrides: Partial<Me['user']> = {}): Me['user'] => ({
  id: 7,
  email: 'dana@example.test',
  name: 'Dana',
  role: 'user',
  createdAt: '2026-11-01T00:00:00.000Z',
  emailVerified: false,
  ...overrides,
});

const aSession = (overrides: Partial<AccountSession> = {}): AccountSession => ({
  id: 1,
  createdAt: '2026-11-20T09:00:00.000Z',
  lastSeenAt: '2026-11-23T09:00:00.000Z',
  browser: 'Firefox on Linux',
  ip: '203.0.113.5',
  current: true,
  ...overrides,
});

const writes = (requests: RecordedRequest[]) => requests.filter((r) => r.method !== 'GET');

afterEach(() => window.history.replaceState(null, '', '/'));

describe('forgot password', () => {
  it('sends the address and shows the server’s one answer', async () => {
    const answer = 'If an account uses this address, we have emailed it a link.';
    const requests = serveApi({ 'POST /api/auth/forgot-password': ok({ message: answer }, 202) });
    show(<ForgotPassword />);
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: ' dana@example.test ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Email me a link' }));
    expect((await screen.findByRole('status')).textContent).toBe(answer);
    expect(writes(requests)).toEqual([
      { method: 'POST', path: '/api/auth/forgot-password', body: { email: 'dana@example.test' } },
    ]);
  });

  it('announces a refusal (rate limit) as an alert', async () => {
    serveApi({ 'POST /api/auth/forgot-password': refused(429, 'rate_limited', 'Too many attempts') });
    show(<ForgotPassword />);
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'dana@example.test' } });
    fireEvent.click(screen.getByRole('button', { name: 'Email me a link' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Too many attempts');
  });
});

describe('reset password', () => {
  it('takes the token from the link’s fragment (and out of the address bar) and sends it with the new password', async () => {
    window.history.replaceState(null, '', `/reset-password#token=${TOKEN}`);
    const requests = serveApi({
      'POST /api/auth/reset-password': ok({ message: 'Your password has been changed.' }),
    });
    show(<ResetPassword />);
    expect(window.location.hash).toBe('');
    fireEvent.change(screen.getByLabelText('New password'), {
      target: { value: 'a much better passphrase' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Set new password' }));
    expect((await screen.findByRole('status')).textContent).toBe('Your password has been changed.');
    expect(writes(requests)).toEqual([
      {
        method: 'POST',
        path: '/api/auth/reset-password',
        body: { token: TOKEN, password: 'a much better passphrase' },
      },
    ]);
    expect(screen.getByRole('link', { name: 'Sign in' })).toBeTruthy();
  });

  it('says what is wrong with a used link and offers a new one', async () => {
    window.history.replaceState(null, '', `/reset-password#token=${TOKEN}`);
    serveApi({
      'POST /api/auth/reset-password': refused(400, 'token_used', 'This link has already been used.'),
    });
    show(<ResetPassword />);
    fireEvent.change(screen.getByLabelText('New password'), {
      target: { value: 'a much better passphrase' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Set new password' }));
    expect((await screen.findByRole('alert')).textContent).toBe('This link has already been used.');
    expect(screen.getByRole('link', { name: 'Ask for a new one' }).getAttribute('href')).toBe(
      '/forgot-password',
    );
  });

  it('without a token sends nothing and says to open the whole link', () => {
    const requests = serveApi({});
    show(<ResetPassword />);
    expect(screen.getByRole('alert').textContent).toContain('needs the link from your email');
    expect(screen.queryByLabelText('New password')).toBeNull();
    expect(requests).toEqual([]);
  });
});

describe('verify email', () => {
  it('confirms with one click and says so', async () => {
    window.history.replaceState(null, '', `/verify-email#token=${TOKEN}`);
    const requests = serveApi({
      'POST /api/auth/verify-email': ok({
        purpose: 'verify-email',
        email: 'dana@example.test',
        emailVerified: true,
      }),
    });
    show(<VerifyEmail />);
    expect(requests).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Confirm my email address' }));
    expect((await screen.findByRole('status')).textContent).toContain('dana@example.test is confirmed');
    expect(writes(requests)).toEqual([
      { method: 'POST', path: '/api/auth/verify-email', body: { token: TOKEN } },
    ]);
  });

  it('announces an expired link', async () => {
    window.history.replaceState(null, '', `/verify-email#token=${TOKEN}`);
    serveApi({
      'POST /api/auth/verify-email': refused(
        400,
        'token_expired',
        'This link has expired. Ask for a new one.',
      ),
    });
    show(<VerifyEmail />);
    fireEvent.click(screen.getByRole('button', { name: 'Confirm my email address' }));
    expect((await screen.findByRole('alert')).textContent).toBe('This link has expired. Ask for a new one.');
  });
});

describe('the unverified banner', () => {
  it('says why top-up and deploy wait, and re-sends the link', async () => {
    const requests = serveApi({ 'POST /api/auth/verify-email/resend': ok({ sent: true }) });
    show(<UnverifiedBanner user={aUser()} />);
    const banner = screen.getByRole('region', { name: 'Confirm your email address' });
    expect(banner.textContent).toContain('to top up and deploy');
    expect(banner.textContent).toContain('dana@example.test');
    fireEvent.click(screen.getByRole('button', { name: 'Send a new link' }));
    expect((await screen.findByRole('status')).textContent).toContain('Sent.');
    expect(writes(requests)).toEqual([{ method: 'POST', path: '/api/auth/verify-email/resend', body: {} }]);
  });

  it('is not there once the address is confirmed', () => {
    serveApi({});
    show(<UnverifiedBanner user={aUser({ emailVerified: true })} />);
    expect(screen.queryByRole('region')).toBeNull();
  });
});

describe('the account page’s sections', () => {
  it('lists sessions, marks this one, and signs out another or all others', async () => {
    let live = [
      aSession(),
      aSession({ id: 2, current: false, browser: 'Chrome on macOS', ip: '198.51.100.9' }),
      aSession({ id: 3, current: false }),
    ];
    const requests = serveApi({
      'GET /api/account/sessions': () => ok({ sessions: live }),
      'DELETE /api/account/sessions/2': () => {
        live = live.filter((s) => s.id !== 2);
        return { status: 204 };
      },
      'POST /api/account/sessions/revoke-others': () => {
        live = live.filter((s) => s.current);
        return ok({ signedOut: 1 });
      },
    });
    show(<Sessions />);
    const list = await screen.findByTestId('sessions');
    expect(list.querySelectorAll('li')).toHaveLength(3);
    expect(list.textContent).toContain('This session');
    // No way to sign out the current session from here (that is "Sign out" in the header).
    expect(screen.getAllByRole('button', { name: /^Sign out .* at / })).toHaveLength(2);
    fireEvent.click(screen.getByRole('button', { name: 'Sign out Chrome on macOS at 198.51.100.9' }));
    await waitFor(() => expect(screen.getByTestId('sessions').querySelectorAll('li')).toHaveLength(2));
    fireEvent.click(screen.getByRole('button', { name: 'Sign out all other sessions' }));
    expect((await screen.findByRole('status')).textContent).toBe('1 session signed out.');
    await waitFor(() => expect(screen.getByTestId('sessions').querySelectorAll('li')).toHaveLength(1));
    expect(writes(requests).map((r) => `${r.method} ${r.path}`)).toEqual([
      'DELETE /api/account/sessions/2',
      'POST /api/account/sessions/revoke-others',
    ]);
  });

  it('changing the password announces a wrong current password', async () => {
    const requests = serveApi({
      'POST /api/account/password': refused(400, 'wrong_password', 'Your current password is not correct'),
    });
    show(<ChangePassword />);
    fireEvent.change(screen.getByLabelText('Current password'), { target: { value: 'guess guess' } });
    fireEvent.change(screen.getByLabelText('New password'), {
      target: { value: 'a much better passphrase' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Change password' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Your current password is not correct');
    expect(writes(requests)[0]!.body).toEqual({
      currentPassword: 'guess guess',
      newPassword: 'a much better passphrase',
    });
  });

  it('changing the email says the link went to the new address and the old one stays until then', async () => {
    serveApi({ 'POST /api/account/email': ok({ pendingEmail: 'new@example.test' }, 202) });
    show(<ChangeEmail user={aUser({ emailVerified: true })} />);
    fireEvent.change(screen.getByLabelText('New email address'), { target: { value: 'new@example.test' } });
    fireEvent.change(screen.getByLabelText('Current password'), {
      target: { value: 'correct horse battery staple' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Change email' }));
    const status = await screen.findByRole('status');
    expect(status.textContent).toContain('We sent a link to new@example.test');
    expect(status.textContent).toContain('you sign in with dana@example.test');
  });
});
