/**
 * The token of an emailed link. It rides in the fragment (`#token=…`), which browsers never send
 * to a server; it is taken out of the address bar at once so it does not linger in history.
 */
export function takeLinkToken(): string | null {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (token) window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return token;
}
