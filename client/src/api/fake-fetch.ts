/** One scripted reply: status and JSON body (or raw text). */
export interface FakeReply {
  status?: number;
  json?: unknown;
  text?: string;
  contentType?: string;
}

/** A recorded request. */
export interface FakeCall {
  method: string;
  path: string;
  body: unknown;
}

/** Handler of `METHOD /path` (query string excluded); a function gets the parsed JSON body and the call count of its route. */
export type FakeRoutes = Record<string, FakeReply | ((body: unknown, callIndex: number) => FakeReply | Promise<FakeReply>)>;

/**
 * A `fetch` that answers from scripted routes and records every call, for component tests and `?demo=` screens.
 * Unknown routes get the server's 404 error shape.
 */
export function createFakeFetch(routes: FakeRoutes): { fetch: typeof fetch; calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  const counts = new Map<string, number>();
  const fakeFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://viva.test');
    const method = (init?.method ?? 'GET').toUpperCase();
    const raw = init?.body;
    let body: unknown = raw ?? null;
    if (typeof raw === 'string') {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    calls.push({ method, path: `${url.pathname}${url.search}`, body });
    const key = `${method} ${url.pathname}`;
    const route = routes[key];
    if (!route) return new Response(JSON.stringify({ error: { code: 'not-found', message: `no route ${key}` } }), { status: 404, headers: { 'content-type': 'application/json' } });
    const index = counts.get(key) ?? 0;
    counts.set(key, index + 1);
    const reply = typeof route === 'function' ? await route(body, index) : route;
    const status = reply.status ?? 200;
    if (status === 204) return new Response(null, { status });
    const text = reply.text ?? JSON.stringify(reply.json ?? null);
    return new Response(text, { status, headers: { 'content-type': reply.contentType ?? 'application/json' } });
  };
  return { fetch: fakeFetch as typeof fetch, calls };
}
