import { useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { api, ApiError, SshKey } from '../api';
import { ConfirmPanel } from '../confirm';
import { formatDate } from '../money';
import { queries } from '../queries';
import { ErrorMessage, Loading, PageTitle } from '../ui';
import { useSshKeys } from '../components/server/server-api';

const KEY_TYPES: Record<string, string> = {
  'ssh-ed25519': 'Ed25519',
  'ssh-rsa': 'RSA',
  'ecdsa-sha2-nistp256': 'ECDSA P-256',
  'ecdsa-sha2-nistp384': 'ECDSA P-384',
  'ecdsa-sha2-nistp521': 'ECDSA P-521',
};
const keyType = (k: SshKey) =>
  `${KEY_TYPES[k.type] ?? k.type}${k.bits && k.type === 'ssh-rsa' ? ` ${k.bits}` : ''}`;

/** A private key pasted by mistake is refused here, before it leaves the browser. */
const looksPrivate = (text: string) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text);

export function AddSshKey() {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [publicKey, setPublicKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [fieldError, setFieldError] = useState<{ name?: string; publicKey?: string }>({});
  const [busy, setBusy] = useState(false);
  const [added, setAdded] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setAdded(null);
    setError(null);
    const problems: { name?: string; publicKey?: string } = {};
    if (!name.trim()) problems.name = 'Give the key a name, such as the computer it is on.';
    if (!publicKey.trim()) problems.publicKey = 'Paste the public key (the line in your .pub file).';
    else if (looksPrivate(publicKey))
      problems.publicKey =
        'This is a private key: never share it. Paste the public key instead (the .pub file, starting with ssh-ed25519, ecdsa-sha2-… or ssh-rsa).';
    setFieldError(problems);
    if (problems.name || problems.publicKey) return;
    setBusy(true);
    try {
      const key = await api.post<SshKey>('/api/ssh-keys', { name: name.trim(), publicKey: publicKey.trim() });
      setAdded(`Added ${key.name ?? name.trim()}.`);
      setName('');
      setPublicKey('');
      await queryClient.invalidateQueries({ queryKey: queries.sshKeys().queryKey });
    } catch (err) {
      // The API's words for a key it refuses belong next to the key field.
      if (err instanceof ApiError && err.code === 'invalid_ssh_key')
        setFieldError({ publicKey: err.message });
      else setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="add-key-title">
      <h2 id="add-key-title">Add a key</h2>
      <label>
        Name
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={100}
          aria-invalid={fieldError.name ? true : undefined}
          aria-describedby={fieldError.name ? 'key-name-error' : undefined}
        />
      </label>
      {fieldError.name && (
        <p id="key-name-error" className="error small" role="alert">
          {fieldError.name}
        </p>
      )}
      <label className="wide">
        Public key
        <textarea
          value={publicKey}
          onChange={(e) => setPublicKey(e.target.value)}
          rows={4}
          spellCheck={false}
          placeholder="ssh-ed25519 AAAA… you@laptop"
          aria-invalid={fieldError.publicKey ? true : undefined}
          aria-describedby={fieldError.publicKey ? 'key-error' : 'key-help'}
        />
      </label>
      {fieldError.publicKey ? (
        <p id="key-error" className="error small" role="alert" data-testid="key-error">
          {fieldError.publicKey}
        </p>
      ) : (
        <p id="key-help" className="muted small">
          Ed25519, ECDSA, or RSA of at least 2048 bits, as one line from your <code>.pub</code> file.
        </p>
      )}
      <button type="submit" disabled={busy}>
        {busy ? 'Adding…' : 'Add key'}
      </button>
      <ErrorMessage error={error} />
      <p role="status" className="small">
        {added}
      </p>
    </form>
  );
}

function DeleteKey({ k }: { k: SshKey }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await api.delete(`/api/ssh-keys/${k.id}`);
      await queryClient.invalidateQueries({ queryKey: queries.sshKeys().queryKey });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  return (
    <>
      {confirming ? (
        <ConfirmPanel
          title={`Delete ${k.name}?`}
          confirmLabel="Delete key"
          danger
          busy={busy}
          onCancel={() => setConfirming(false)}
          onConfirm={() => void remove()}
        >
          <p className="small">Servers that already have it keep it; it is no longer offered for new ones.</p>
        </ConfirmPanel>
      ) : (
        <button type="button" className="secondary" onClick={() => setConfirming(true)}>
          Delete<span className="sr-only"> {k.name}</span>
        </button>
      )}
      <ErrorMessage error={error} />
    </>
  );
}

/** The account's SSH public keys, offered at deploy and reinstall. */
export function SshKeys() {
  const keys = useSshKeys();
  return (
    <section>
      <PageTitle>SSH keys</PageTitle>
      <p className="muted">Keys you add here can be put on a server when you deploy or reinstall it.</p>
      {keys.isPending ? (
        <Loading what="your SSH keys" />
      ) : keys.error ? (
        <ErrorMessage error={keys.error} onRetry={() => void keys.refetch()} />
      ) : keys.data.length === 0 ? (
        <p data-testid="no-keys">You have no SSH keys yet.</p>
      ) : (
        <div className="table-wrap">
          <table data-testid="ssh-keys" className="stack-narrow">
            <caption className="sr-only">Your SSH keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Fingerprint</th>
                <th scope="col">Added</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.map((k) => (
                <tr key={k.id}>
                  <td data-label="Name">{k.name}</td>
                  <td data-label="Type">{keyType(k)}</td>
                  <td data-label="Fingerprint" className="mono small break">
                    {k.fingerprint}
                  </td>
                  <td data-label="Added">{formatDate(k.createdAt)}</td>
                  <td data-label="Actions">
                    <DeleteKey k={k} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <AddSshKey />
    </section>
  );
}
