import { ValidationError } from '@ozvps/core';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

// The most used passwords of public breach corpora that meet the length rule, plus the panel's
// own name: a length rule alone lets all of these through.
const COMMON = new Set(
  [
    '1234567890',
    '12345678910',
    '0123456789',
    '1111111111',
    '0000000000',
    '1234512345',
    '9876543210',
    '1q2w3e4r5t',
    'qwertyuiop',
    'qwerty1234',
    'qwerty12345',
    'qwerty123456',
    '1qaz2wsx3edc',
    'zaq12wsxcde3',
    'asdfghjkl1',
    'asdfghjkl;',
    'password12',
    'password123',
    'password1234',
    'password!1',
    'passw0rd123',
    'p@ssw0rd123',
    'p@ssword123',
    'iloveyou12',
    'iloveyou123',
    'princess12',
    'sunshine12',
    'football12',
    'baseball12',
    'basketball',
    'michael123',
    'superman12',
    'letmein123',
    'welcome123',
    'welcome1234',
    'changeme123',
    'administrator',
    'admin12345',
    'admin123456',
    'abc1234567',
    'abcd123456',
    'abcdefghij',
    'aaaaaaaaaa',
    'qazwsxedcr',
    'trustno1234',
    'dragon1234',
    'monkey1234',
    'master1234',
    'starwars12',
    'whatever12',
    'computer12',
    'internet12',
    'samsung123',
    'liverpool1',
    'chelsea123',
    'pokemon123',
    'qwertyqwerty',
    'mypassword',
    'mypassword1',
    'secret1234',
    'letmeinnow',
    'ozvps12345',
    'ozvpspanel',
    'virtfusion',
  ].map((p) => p.toLowerCase()),
);

/** Refuses passwords that are too short, too long, or among the most common ones. */
export function assertAcceptablePassword(password: unknown, email?: string): string {
  if (typeof password !== 'string') throw new ValidationError('password must be a string');
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw new ValidationError(`password must be at least ${PASSWORD_MIN_LENGTH} characters`);
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    throw new ValidationError(`password must be at most ${PASSWORD_MAX_LENGTH} characters`);
  }
  const lower = password.toLowerCase();
  if (COMMON.has(lower) || new Set(lower).size <= 2 || (email && lower === email.toLowerCase())) {
    throw new ValidationError('this password is too easy to guess: choose another one');
  }
  return password;
}
