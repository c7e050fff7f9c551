import type { z } from 'zod';
import { csrfHeaders } from './csrf.ts';
import { apiErrorFrom, ApiRequestError, parseReply } from './replies.ts';
import { defaultUpload, fetchUpload, type SendUpload } from './upload-client.ts';

/** Where a REST client sends its requests: same origin by default; `fetch` and `upload` injectable for tests. */
export interface RestTransportOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  upload?: SendUpload;
}

/** A request that can be cancelled (every call of the screens passes its run's signal). */
export type SignalledInit = RequestInit & { signal: AbortSignal };

/** The one way the screens' API clients talk to the server: errors and replies read by `replies.ts`. */
export interface RestTransport {
  baseUrl: string;
  /** File uploads through the one upload client (byte progress in a browser). */
  upload: SendUpload;
  /** A request whose reply must be 2xx; a network failure is `server-unreachable`, an error body an `ApiRequestError`. */
  call(path: string, init: SignalledInit): Promise<Response>;
  /** A request whose JSON reply is validated with `schema`. */
  json<T extends z.ZodType>(schema: T, path: string, init: SignalledInit): Promise<z.output<T>>;
}

/** Builds the transport the prep and workspace API clients share. */
export function createRestTransport({ baseUrl = '', fetch: givenFetch, upload: givenUpload }: RestTransportOptions = {}): RestTransport {
  const fetchImpl = givenFetch ?? globalThis.fetch.bind(globalThis);
  const upload = givenUpload ?? (givenFetch ? fetchUpload(givenFetch) : defaultUpload(fetchImpl));
  const call = async (path: string, init: SignalledInit): Promise<Response> => {
    let response: Response;
    try {
      const headers = new Headers(init.headers);
      for (const [name, value] of Object.entries(csrfHeaders(init.method))) headers.set(name, value);
      response = await fetchImpl(`${baseUrl}${path}`, { ...init, headers });
    } catch (error) {
      if (init.signal.aborted) throw error;
      throw new ApiRequestError(0, 'server-unreachable', error instanceof Error ? error.message : String(error));
    }
    if (response.ok) return response;
    throw apiErrorFrom(response.status, await response.json().catch(() => null));
  };
  const json = async <T extends z.ZodType>(schema: T, path: string, init: SignalledInit): Promise<z.output<T>> => {
    const response = await call(path, init);
    return parseReply(schema, response.status, await response.json().catch(() => null), path);
  };
  return { baseUrl, upload, call, json };
}
