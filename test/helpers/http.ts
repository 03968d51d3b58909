export interface HttpResult {
  status: number;
  body: unknown;
  setCookie: string | null;
  /** The session token the response set, if any. */
  token: string | null;
}

export interface Browser {
  /** The session cookie this browser sends (null: none). */
  token: string | null;
  request(
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<HttpResult>;
}

/**
 * A minimal browser for one site: it sends its session cookie, an Origin header of the site and
 * JSON bodies, and keeps whatever session cookie the server sets or clears.
 */
export function browser(baseUrl: string, origin: string): Browser {
  const b: Browser = {
    token: null,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { origin };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (b.token) headers.cookie = `ozvps_session=${b.token}`;
      Object.assign(headers, options.headers);
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        redirect: 'manual',
        headers,
        body:
          options.body === undefined
            ? undefined
            : typeof options.body === 'string'
              ? options.body
              : JSON.stringify(options.body),
      });
      const text = await res.text();
      const setCookie = res.headers.get('set-cookie');
      const match = setCookie?.match(/ozvps_session=([^;]*)/);
      const token = match ? decodeURIComponent(match[1]!) : null;
      if (match) b.token = token || null;
      const json = (res.headers.get('content-type') ?? '').includes('application/json');
      return { status: res.status, body: text && json ? JSON.parse(text) : text || null, setCookie, token };
    },
  };
  return b;
}
