/** @jest-environment jsdom */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { ReactNode } from 'react';
import { ok, refused, serveApi } from '../../testing/fake-api';
import { SignInCode } from '../SignInCode';
import { TwoFactorSection } from './TwoFactor';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const CODES = Array.from({ length: 10 }, (_, i) => `abcd${i}-efgh${i}`);
const me = (role: 'user' | 'admin', enrolmentRequired = false) => ({
  user: { id: 7, email: 'dana@example.test', name: '', role, createdAt: '2026-01-31T09:00:00.000Z' },
  twoFactor: { enabled: false, enrolmentRequired },
});

function show(node: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(<QueryClientProvider client={client}>{node}</QueryClientProvider>);
}

describe('two-factor sign-in in the web app', () => {
  it('enrols: a QR image with alt text and the key to type, a code to confirm, then the 10 recovery codes once', async () => {
    const requests = serveApi({
      'GET /api/auth/session': ok(me('admin', true)),
      'GET /api/account/2fa': ok({ enabled: false, recoveryCodesLeft: 0 }),
      'POST /api/account/2fa/enrol': ok({
        secret: SECRET,
        otpauthUrl: `otpauth://totp/OzVPS:dana?secret=${SECRET}`,
        qrCode: 'data:image/png;base64,iVBORw0KGgo=',
      }),
      'POST /api/account/2fa/confirm': (body) =>
        (body as { code: string }).code === '123456'
          ? ok({ enabled: true, recoveryCodes: CODES })
          : refused(
              401,
              'invalid_two_factor_code',
              'That code is not valid (wrong, expired or already used)',
            ),
    });
    show(<TwoFactorSection />);
    await waitFor(() => expect(screen.getByRole('note').textContent).toContain('Administrators must'));
    fireEvent.click(screen.getByRole('button', { name: 'Set up two-factor sign-in' }));
    const qr = await screen.findByRole('img');
    expect(qr.getAttribute('alt')).toMatch(/QR code to add this account to your authenticator app/);
    expect(qr.getAttribute('src')).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(screen.getByTestId('two-factor-secret').textContent).toBe(
      'JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP',
    );

    fireEvent.change(screen.getByLabelText(/Enter the 6-digit code/), { target: { value: '000000' } });
    fireEvent.click(screen.getByRole('button', { name: 'Turn on two-factor sign-in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('not valid');
    expect(screen.queryByTestId('recovery-codes')).toBeNull();

    fireEvent.change(screen.getByLabelText(/Enter the 6-digit code/), { target: { value: '123 456' } });
    fireEvent.click(screen.getByRole('button', { name: 'Turn on two-factor sign-in' }));
    const list = await screen.findByTestId('recovery-codes');
    expect(list.querySelectorAll('li')).toHaveLength(10);
    expect(list.textContent).toContain('abcd0-efgh0');
    const download = screen.getByRole('link', { name: 'Download' });
    expect(download.getAttribute('download')).toBe('recovery-codes.txt');
    expect(decodeURIComponent(download.getAttribute('href')!)).toContain('abcd9-efgh9');
    expect(requests.filter((r) => r.path === '/api/account/2fa/confirm').map((r) => r.body)).toEqual([
      { code: '000000' },
      { code: '123456' },
    ]);
    expect(screen.queryByTestId('two-factor-secret')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Done, I have saved them' }));
    await waitFor(() => expect(screen.queryByTestId('recovery-codes')).toBeNull());
  });

  it('the sign-in code step sends the app code, or a recovery code once asked for', async () => {
    const requests = serveApi({
      'POST /api/auth/2fa/verify': (body) =>
        (body as { recoveryCode?: string }).recoveryCode === 'abcd0-efgh0'
          ? ok(me('user'))
          : refused(
              401,
              'invalid_two_factor_code',
              'That code is not valid (wrong, expired or already used)',
            ),
    });
    show(<SignInCode />);
    fireEvent.change(screen.getByLabelText(/6-digit code/), { target: { value: '654 321' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('not valid');

    fireEvent.click(screen.getByRole('button', { name: /Use a recovery code/ }));
    fireEvent.change(screen.getByLabelText('Recovery code'), { target: { value: ' abcd0-efgh0 ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(requests).toHaveLength(2));
    expect(requests.map((r) => r.body)).toEqual([{ code: '654321' }, { recoveryCode: 'abcd0-efgh0' }]);
  });
});
