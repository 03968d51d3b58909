import { anSshKey } from '../../../test/helpers/ssh-keys';
import { InvalidSshKeyError } from './errors';
import { parseSshPublicKey } from './ssh-key.parser';

describe('parseSshPublicKey (keys made by ssh-keygen)', () => {
  it.each([
    ['ed25519', undefined, null],
    ['ecdsa', 256, 256],
    ['ecdsa', 384, 384],
    ['ecdsa', 521, 521],
    ['rsa', 2048, 2048],
    ['rsa', 3072, 3072],
  ] as const)('accepts %s %s with the fingerprint ssh-keygen prints', (type, bits, expectedBits) => {
    const key = anSshKey(type, bits);
    const parsed = parseSshPublicKey(`  ${key.publicKey}\n`);
    expect(parsed.fingerprint).toBe(key.fingerprint);
    expect(parsed.bits).toBe(expectedBits);
    // The comment (a person's or a host's name) is not kept.
    expect(parsed.publicKey).toBe(key.publicKey.split(' ').slice(0, 2).join(' '));
    expect(parsed.type).toBe(key.publicKey.split(' ')[0]);
  });

  const refused = (input: unknown) => {
    try {
      parseSshPublicKey(input);
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidSshKeyError);
      return (err as Error).message;
    }
    throw new Error('accepted');
  };

  it('refuses an RSA key under 2048 bits, saying how many it has', () => {
    expect(refused(anSshKey('rsa', 1024).publicKey)).toMatch(/1024 bits; at least 2048/);
  });

  it('refuses a private key, garbage, a damaged blob and a type that does not match its blob', () => {
    const key = anSshKey('ed25519');
    expect(refused(key.privateKey)).toMatch(/PRIVATE key/);
    expect(refused('hello world')).toMatch(/base64|looks like/);
    expect(refused('')).toMatch(/Paste/);
    expect(refused(42)).toMatch(/Paste/);
    const [, data] = key.publicKey.split(' ');
    expect(refused(`ssh-ed25519 ${data!.slice(0, -8)}`)).toMatch(/damaged|base64/);
    expect(refused(`ssh-rsa ${data}`)).toMatch(/holds a "ssh-ed25519" key/);
    expect(refused(`ssh-dss ${Buffer.from('\0\0\0\x07ssh-dss').toString('base64')}`)).toMatch(/not accepted/);
    expect(refused(`ssh-ed25519 ${'A'.repeat(20_000)}`)).toMatch(/too long/);
  });
});
