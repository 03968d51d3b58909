/** C0, DEL and C1 controls: ESC sequences and BEL in a name would act on an admin's terminal. */
/* eslint-disable no-control-regex -- matching control characters is the point */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f]/g;
/* eslint-enable no-control-regex */

/** True when the text holds any control character. */
export function hasControlCharacters(text: string): boolean {
  return CONTROL.test(text);
}

/** The text without its control characters (for names from elsewhere, such as an OIDC provider). */
export function stripControlCharacters(text: string): string {
  return text.replace(CONTROL_ALL, '');
}

/** Control characters made visible (`\x1b`), so printing data cannot drive the terminal. */
export function escapeControlCharacters(text: string, keep = ''): string {
  return text.replace(CONTROL_ALL, (c) =>
    keep.includes(c) ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/**
 * An address the outbox can deliver: a plain `local@domain` with no quoting, comments, routes or
 * controls. Sign-up, config and the outbox all use this one check, so an address accepted
 * anywhere is one the sender can hand to SMTP.
 */
export function isDeliverableAddress(address: string): boolean {
  return /^[^\s@<>"(),;:\\[\]]+@[^\s@<>"(),;:\\[\]]+$/.test(address) && !CONTROL.test(address);
}

/** `a@x` or `a@x, b@y`: every address in a comma-separated list deliverable (admin alerts go to such a list). */
export function isDeliverableAddressList(list: string): boolean {
  return list.split(',').every((a) => isDeliverableAddress(a.trim()));
}
