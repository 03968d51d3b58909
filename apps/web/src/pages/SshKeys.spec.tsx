/** @jest-environment jsdom */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { SshKey } from '../api';
import { ok, RecordedRequest, refused, serveApi } from '../testing/fake-api';
import { SshKeys } from './SshKeys';

const ED25519 =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb7qYfJ5t3hWbQnqvQpQm1l4bU8m0o2Vh6yQ9s1x2Yz dana@laptop';
const aKey = (overrides: Partial<SshKey> = {}): SshKey => ({
  id: 1,
  name: 'laptop',
  type: 'ssh-ed25519',
  bits: null,
  fingerprint: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
  createdAt: '2026-01-31T09:00:00.000Z',
  ...overrides,
});

function show() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <SshKeys />
    </QueryClientProvider>,
  );
}

const posts = (requests: RecordedRequest[]) => requests.filter((r) => r.method === 'POST');
const field = (label: string) => screen.getByLabelText(label);

describe('the SSH keys page: adding a key says what is wrong, next to the field', () => {
  it('an empty form sends nothing and says which fields to fill', async () => {
    const requests = serveApi({ 'GET /api/ssh-keys': ok([]) });
    show();
    await waitFor(() => expect(screen.getByTestId('no-keys')).toBeTruthy());
    fireEvent.click(screen.getByRole('button', { name: 'Add key' }));
    expect(screen.getByText(/Give the key a name/)).toBeTruthy();
    expect(screen.getByTestId('key-error').textContent).toContain('Paste the public key');
    expect(field('Name').getAttribute('aria-invalid')).toBe('true');
    expect(field('Public key').getAttribute('aria-invalid')).toBe('true');
    expect(posts(requests)).toEqual([]);
  });

  it('a private key pasted by mistake never leaves the browser', async () => {
    const requests = serveApi({ 'GET /api/ssh-keys': ok([]) });
    show();
    await waitFor(() => expect(screen.getByTestId('no-keys')).toBeTruthy());
    fireEvent.change(field('Name'), { target: { value: 'oops' } });
    fireEvent.change(field('Public key'), {
      target: {
        value:
          '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----',
      },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Add key' }));
    expect(screen.getByTestId('key-error').textContent).toContain('This is a private key');
    expect(posts(requests)).toEqual([]);
  });

  it("a key the API refuses (422 invalid_ssh_key, e.g. RSA 1024) shows the API's reason at the key field; the form keeps what was typed", async () => {
    const requests = serveApi({
      'GET /api/ssh-keys': ok([]),
      'POST /api/ssh-keys': refused(
        422,
        'invalid_ssh_key',
        'RSA keys must have at least 2048 bits (this one has 1024)',
      ),
    });
    show();
    await waitFor(() => expect(screen.getByTestId('no-keys')).toBeTruthy());
    fireEvent.change(field('Name'), { target: { value: 'old box' } });
    fireEvent.change(field('Public key'), {
      target: { value: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC old@box' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Add key' }));
    await waitFor(() =>
      expect(screen.getByTestId('key-error').textContent).toBe(
        'RSA keys must have at least 2048 bits (this one has 1024)',
      ),
    );
    expect(field('Public key').getAttribute('aria-invalid')).toBe('true');
    expect((field('Name') as HTMLInputElement).value).toBe('old box');
    expect(posts(requests)).toHaveLength(1);
  });

  it('a good key is added and listed with its fingerprint; delete asks first, then removes it', async () => {
    let keys: SshKey[] = [];
    const requests = serveApi({
      'GET /api/ssh-keys': () => ok(keys),
      'POST /api/ssh-keys': (body) => {
        const { name } = body as { name: string };
        keys = [aKey({ id: 5, name })];
        return ok(keys[0], 201);
      },
      'DELETE /api/ssh-keys/5': () => {
        keys = [];
        return { status: 204 };
      },
    });
    show();
    await waitFor(() => expect(screen.getByTestId('no-keys')).toBeTruthy());
    fireEvent.change(field('Name'), { target: { value: ' laptop ' } });
    fireEvent.change(field('Public key'), { target: { value: `${ED25519}\n` } });
    fireEvent.click(screen.getByRole('button', { name: 'Add key' }));
    await waitFor(() => expect(screen.getByTestId('ssh-keys')).toBeTruthy());
    expect(posts(requests)[0]!.body).toEqual({ name: 'laptop', publicKey: ED25519 });
    const row = within(screen.getByTestId('ssh-keys')).getAllByRole('row')[1]!;
    expect(row.textContent).toContain('Ed25519');
    expect(row.textContent).toContain('SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU');
    expect(screen.getByRole('status').textContent).toBe('Added laptop.');

    fireEvent.click(within(row).getByRole('button', { name: 'Delete laptop' }));
    expect(requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: 'Delete key' }));
    await waitFor(() => expect(screen.getByTestId('no-keys')).toBeTruthy());
    expect(requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual(['/api/ssh-keys/5']);
  });
});
