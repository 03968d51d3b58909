/** The API's rule for a deploy's host name (libs/servers HOSTNAME_PATTERN), checked as the person types. */
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** What is wrong with a host name, in words that say how to fix it; null when it is fine. */
export function hostnameProblem(input: string): string | null {
  const name = input.trim().toLowerCase();
  if (name === '') return 'Enter a host name, like server1.example.com.';
  if (/\s/.test(name)) return 'A host name cannot contain spaces. Use letters, digits, hyphens and dots.';
  if (name.length > 253) return 'A host name is at most 253 characters. Shorten it.';
  if (/[^a-z0-9.-]/.test(name))
    return 'A host name uses only letters, digits, hyphens and dots. Remove the other characters.';
  if (name.split('.').some((part) => part === ''))
    return 'A host name cannot start or end with a dot, or have two dots in a row.';
  if (name.split('.').some((part) => part.length > 63))
    return 'Each part between dots is at most 63 characters.';
  if (!HOSTNAME.test(name))
    return 'Each part between dots must start and end with a letter or digit, not a hyphen.';
  return null;
}
