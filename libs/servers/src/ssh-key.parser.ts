import { createHash, createPublicKey, JsonWebKey } from 'node:crypto';
import { InvalidSshKeyError } from './errors';

/** An OpenSSH public key the panel accepts, parsed from its wire format. */
export interface ParsedSshKey {
  type: string;
  bits: number | null;
  /** `SHA256:…` exactly as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** `<type> <base64>`: the key without its comment. */
  publicKey: string;
}

const MAX_LENGTH = 16_384;
const MIN_RSA_BITS = 2048;
const CURVES: Record<string, { crv: string; bits: number; pointBytes: number }> = {
  'ecdsa-sha2-nistp256': { crv: 'P-256', bits: 256, pointBytes: 65 },
  'ecdsa-sha2-nistp384': { crv: 'P-384', bits: 384, pointBytes: 97 },
  'ecdsa-sha2-nistp521': { crv: 'P-521', bits: 521, pointBytes: 133 },
};

/** Reads the SSH wire format (RFC 4253 §6.6): uint32 length-prefixed strings and mpints. */
class Reader {
  private at = 0;

  constructor(private readonly buf: Buffer) {}

  bytes(): Buffer {
    if (this.at + 4 > this.buf.length) throw new Error('truncated');
    const len = this.buf.readUInt32BE(this.at);
    this.at += 4;
    if (len > this.buf.length - this.at) throw new Error('truncated');
    const out = this.buf.subarray(this.at, this.at + len);
    this.at += len;
    return out;
  }

  done(): boolean {
    return this.at === this.buf.length;
  }
}

const b64url = (b: Buffer) => b.toString('base64url');

/** An mpint without the sign byte OpenSSH puts in front of a value whose top bit is set. */
function unsigned(mpint: Buffer): Buffer {
  let i = 0;
  while (i < mpint.length - 1 && mpint[i] === 0) i++;
  return mpint.subarray(i);
}

function bitLength(n: Buffer): number {
  if (n.length === 0 || (n.length === 1 && n[0] === 0)) return 0;
  return (n.length - 1) * 8 + (32 - Math.clz32(n[0]!));
}

/**
 * Parses `<type> <base64> [comment]` as OpenSSH writes it to `id_*.pub`, checking the blob
 * itself: its inner type matches, the key material is a real key (node:crypto imports it), and
 * RSA keys have at least 2048 bits. Anything else (a private key, garbage, DSA, a short RSA key)
 * is refused with a sentence saying what is wrong.
 */
export function parseSshPublicKey(input: unknown): ParsedSshKey {
  if (typeof input !== 'string' || !input.trim())
    throw new InvalidSshKeyError('Paste an OpenSSH public key (the contents of a .pub file)');
  const text = input.trim();
  if (text.length > MAX_LENGTH) throw new InvalidSshKeyError('That is too long to be an SSH public key');
  if (/PRIVATE KEY/.test(text))
    throw new InvalidSshKeyError(
      'That is a PRIVATE key: never share it. Paste the public key instead (the .pub file next to it)',
    );
  const [type, data, ...rest] = text.split(/\s+/);
  if (!type || !data || rest.join(' ').length > 1000)
    throw new InvalidSshKeyError('An OpenSSH public key looks like "ssh-ed25519 AAAA… comment"');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) throw new InvalidSshKeyError('The key data is not valid base64');
  const blob = Buffer.from(data, 'base64');
  if (blob.toString('base64').replace(/=+$/, '') !== data.replace(/=+$/, ''))
    throw new InvalidSshKeyError('The key data is not valid base64');

  let bits: number | null;
  try {
    const r = new Reader(blob);
    const inner = r.bytes().toString('latin1');
    if (inner !== type) throw new InvalidSshKeyError(`The key says "${type}" but holds a "${inner}" key`);
    if (type === 'ssh-ed25519') {
      const x = r.bytes();
      if (x.length !== 32 || !r.done()) throw new Error('bad ed25519 key');
      createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(x) } as JsonWebKey, format: 'jwk' });
      bits = null;
    } else if (CURVES[type]) {
      const curve = CURVES[type]!;
      const name = r.bytes().toString('latin1');
      const q = r.bytes();
      if (`ecdsa-sha2-${name}` !== type || q.length !== curve.pointBytes || q[0] !== 4 || !r.done())
        throw new Error('bad ecdsa key');
      const half = (q.length - 1) / 2;
      createPublicKey({
        key: {
          kty: 'EC',
          crv: curve.crv,
          x: b64url(q.subarray(1, 1 + half)),
          y: b64url(q.subarray(1 + half)),
        } as JsonWebKey,
        format: 'jwk',
      });
      bits = curve.bits;
    } else if (type === 'ssh-rsa') {
      const e = unsigned(r.bytes());
      const n = unsigned(r.bytes());
      if (!r.done()) throw new Error('bad rsa key');
      bits = bitLength(n);
      if (bits < MIN_RSA_BITS)
        throw new InvalidSshKeyError(
          `This RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are needed (or use ssh-keygen -t ed25519)`,
        );
      createPublicKey({ key: { kty: 'RSA', n: b64url(n), e: b64url(e) } as JsonWebKey, format: 'jwk' });
    } else {
      throw new InvalidSshKeyError(
        `Keys of type "${type.slice(0, 40)}" are not accepted: use ed25519, ecdsa or rsa (2048 bits or more)`,
      );
    }
  } catch (err) {
    if (err instanceof InvalidSshKeyError) throw err;
    throw new InvalidSshKeyError('The key data is damaged: copy the whole line of the .pub file again');
  }
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return { type, bits, fingerprint, publicKey: `${type} ${data}` };
}
