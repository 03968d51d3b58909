/**
 * The panel's API at the browser's network boundary, for the component tests: `fetch` answers
 * from a table of routes ("POST /api/servers/7/power"), each a fixed JSON body or a function of the
 * request; anything else is a 404 like the API's. Every request is recorded.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}
export interface Answer {
  status: number;
  body?: unknown;
}
export type Route = Answer | ((body: unknown, request: RecordedRequest) => Answer);

export const ok = (body: unknown, status = 200): Answer => ({ status, body });
export const refused = (status: number, code: string, message: string): Answer => ({
  status,
  body: { error: { code, message } },
});

export function serveApi(routes: Record<string, Route>): RecordedRequest[] {
  const requests: RecordedRequest[] = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request: RecordedRequest = {
      method: init?.method ?? 'GET',
      path: String(input),
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    requests.push(request);
    // The API's JsonOriginGuard: every write must be application/json.
    const headers = new Headers(init?.headers);
    const write = request.method !== 'GET' && request.method !== 'HEAD';
    const route = routes[`${request.method} ${request.path}`];
    const answer =
      write && !headers.get('content-type')?.startsWith('application/json')
        ? refused(415, 'unsupported_media_type', 'Send application/json')
        : route === undefined
          ? refused(404, 'not_found', 'Not found')
          : typeof route === 'function'
            ? route(request.body, request)
            : route;
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    return {
      status: answer.status,
      ok: answer.status >= 200 && answer.status < 300,
      text: () => Promise.resolve(text),
    };
  }) as unknown as typeof fetch;
  return requests;
}
