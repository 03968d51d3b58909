const ABN_WEIGHTS = [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19];

/**
 * What is wrong with an Australian Business Number, or null when it is valid: 11 digits (spaces
 * allowed, as ABNs are usually written) whose weighted sum, after taking 1 from the first digit,
 * is a multiple of 89 (the Australian Business Register's published check).
 */
export function abnProblem(value: string): string | null {
  const digits = value.replace(/\s+/g, '');
  if (!/^[0-9]+$/.test(digits)) return 'must contain only digits (and spaces)';
  if (digits.length !== 11) return `must have 11 digits (got ${digits.length})`;
  const sum = [...digits].reduce((acc, d, i) => acc + (Number(d) - (i === 0 ? 1 : 0)) * ABN_WEIGHTS[i]!, 0);
  if (sum % 89 !== 0) return 'fails the ABN checksum (a digit is wrong or two are swapped)';
  return null;
}

/** An ABN as it is printed: `51 824 753 556`. Call only with a valid ABN. */
export function formatAbn(value: string): string {
  const d = value.replace(/\s+/g, '');
  return `${d.slice(0, 2)} ${d.slice(2, 5)} ${d.slice(5, 8)} ${d.slice(8, 11)}`;
}
