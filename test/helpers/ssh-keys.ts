import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh key pair made by OpenSSH's own ssh-keygen: the public line exactly as `id_*.pub` holds
 * it, the private key file's text, and the fingerprint `ssh-keygen -lf` prints.
 */
export function anSshKey(
  type: 'ed25519' | 'ecdsa' | 'rsa',
  bits?: number,
): { publicKey: string; privateKey: string; fingerprint: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ozvps-ssh-'));
  try {
    const file = join(dir, 'key');
    execFileSync('ssh-keygen', [
      '-q',
      '-t',
      type,
      ...(bits ? ['-b', String(bits)] : []),
      '-N',
      '',
      '-C',
      'tester@example.test',
      '-f',
      file,
    ]);
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`])
      .toString()
      .split(' ')[1]!;
    return {
      publicKey: readFileSync(`${file}.pub`, 'utf8').trim(),
      privateKey: readFileSync(file, 'utf8'),
      fingerprint,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
