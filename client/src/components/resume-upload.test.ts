import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiRequestError, createPrepApi } from '../api/prep-api.ts';
import type { UploadProgress } from '../api/upload-client.ts';

let server: Server | null = null;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A stand-in for the server's resume endpoint: records the request, answers with a fixed status and body. */
async function endpoint(status: number, body: unknown) {
  const seen: { url?: string; contentType?: string; bytes?: Buffer } = {};
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.url = req.url;
      seen.contentType = req.headers['content-type'];
      seen.bytes = Buffer.concat(chunks);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { api: createPrepApi({ baseUrl: `http://127.0.0.1:${(server!.address() as AddressInfo).port}` }), seen };
}

// The one upload client every screen uses (setup, Prepare), over real HTTP.
describe('file upload (parseFile)', () => {
  it('sends the file bytes as the body (text extraction only), reports progress, and returns the extracted text', async () => {
    const { api, seen } = await endpoint(200, { text: 'Jane Doe\nGo, Kafka', kind: 'pdf', resume: null });
    const file = new File([new Uint8Array([0x25, 0x50, 0x44, 0x46])], 'cv.pdf', { type: 'application/pdf' });
    const progress: UploadProgress[] = [];
    expect(await api.parseFile(file, AbortSignal.timeout(5000), (p) => progress.push(p))).toBe('Jane Doe\nGo, Kafka');
    expect(seen.url).toBe('/api/resumes/parse?llm=false');
    expect(seen.contentType).toBe('application/pdf');
    expect([...seen.bytes!]).toEqual([0x25, 0x50, 0x44, 0x46]);
    expect(progress.at(-1)).toEqual({ sentBytes: 4, totalBytes: 4 });
  });

  it('reports a missing endpoint (404) as not-found', async () => {
    const { api } = await endpoint(404, { error: { code: 'not-found', message: 'no route' } });
    const error = await api.parseFile(new File(['x'], 'cv.txt'), AbortSignal.timeout(5000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect((error as ApiRequestError).code).toBe('not-found');
  });

  it('passes the server error code and message through', async () => {
    const { api } = await endpoint(415, { error: { code: 'unsupported-type', message: 'only PDF, DOCX and text files' } });
    const error = await api.parseFile(new File(['x'], 'cv.xls'), AbortSignal.timeout(5000)).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 415, code: 'unsupported-type', message: 'only PDF, DOCX and text files' });
  });
});
