import { csrfHeaders } from './csrf.ts';
import { ApiRequestError } from './replies.ts';

/** File types the server turns into text (the `accept` of every file input). */
export const TEXT_FILE_TYPES = '.pdf,.docx,.txt,.md,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain';

/** Bytes of a request body sent so far. */
export interface UploadProgress {
  sentBytes: number;
  totalBytes: number;
}

/** One upload: a body (a file as is, or JSON text) POSTed to `url`. */
export interface UploadRequest {
  url: string;
  body: Blob | string;
  contentType: string;
  signal: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
}

/** Status and JSON body of the reply (null when the body is not JSON). */
export interface UploadReply {
  status: number;
  body: unknown;
}

/** Sends an upload; a network failure is `ApiRequestError` `server-unreachable`, an abort rejects with the signal's reason. */
export type SendUpload = (request: UploadRequest) => Promise<UploadReply>;

const sizeOf = (body: Blob | string) => (typeof body === 'string' ? new TextEncoder().encode(body).byteLength : body.size);

/** Uploads over XMLHttpRequest, the one browser API that reports bytes sent while a body goes out. */
export function xhrUpload(): SendUpload {
  return ({ url, body, contentType, signal, onProgress }) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const xhr = new XMLHttpRequest();
      const onAbort = () => xhr.abort();
      xhr.open('POST', url);
      xhr.setRequestHeader('content-type', contentType);
      for (const [name, value] of Object.entries(csrfHeaders('POST'))) xhr.setRequestHeader(name, value);
      xhr.responseType = 'text';
      xhr.upload.onprogress = (event) => onProgress?.({ sentBytes: event.loaded, totalBytes: event.lengthComputable ? event.total : sizeOf(body) });
      xhr.onload = () => {
        signal.removeEventListener('abort', onAbort);
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(xhr.responseText);
        } catch {
          parsed = null;
        }
        resolve({ status: xhr.status, body: parsed });
      };
      xhr.onerror = () => {
        signal.removeEventListener('abort', onAbort);
        reject(new ApiRequestError(0, 'server-unreachable', `the upload to ${url.split('?')[0]} failed`));
      };
      xhr.onabort = () => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      onProgress?.({ sentBytes: 0, totalBytes: sizeOf(body) });
      xhr.send(body);
    });
}

/** Uploads over `fetch` (tests, Node): progress is reported at the start and when the reply arrives. */
export function fetchUpload(fetchImpl: typeof fetch): SendUpload {
  return async ({ url, body, contentType, signal, onProgress }) => {
    const totalBytes = sizeOf(body);
    onProgress?.({ sentBytes: 0, totalBytes });
    let response: Response;
    try {
      response = await fetchImpl(url, { method: 'POST', headers: { 'content-type': contentType, ...csrfHeaders('POST') }, body, signal });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new ApiRequestError(0, 'server-unreachable', error instanceof Error ? error.message : String(error));
    }
    onProgress?.({ sentBytes: totalBytes, totalBytes });
    return { status: response.status, body: await response.json().catch(() => null) };
  };
}

/** XMLHttpRequest in a browser, else `fetch`. */
export function defaultUpload(fetchImpl: typeof fetch): SendUpload {
  return typeof XMLHttpRequest === 'function' && typeof window !== 'undefined' ? xhrUpload() : fetchUpload(fetchImpl);
}
