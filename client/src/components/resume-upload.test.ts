import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { postResumeFile, ResumeUploadError } from './setup-screen.tsx';

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
  return { baseUrl: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

describe('postResumeFile', () => {
  it('sends the file bytes as the body (text extraction only) and returns the extracted text', async () => {
    const { baseUrl, seen } = await endpoint(200, { text: 'Jane Doe\nGo, Kafka', kind: 'pdf', resume: null });
    const file = new File([new Uint8Array([0x25, 0x50, 0x44, 0x46])], 'cv.pdf', { type: 'application/pdf' });
    expect(await postResumeFile(file, AbortSignal.timeout(5000), baseUrl)).toBe('Jane Doe\nGo, Kafka');
    expect(seen.url).toBe('/api/resumes/parse?llm=false');
    expect(seen.contentType).toBe('application/pdf');
    expect([...seen.bytes!]).toEqual([0x25, 0x50, 0x44, 0x46]);
  });

  it('reports a missing endpoint (404) as unavailable', async () => {
    const { baseUrl } = await endpoint(404, { error: { code: 'not-found', message: 'no route' } });
    const error = await postResumeFile(new File(['x'], 'cv.txt'), AbortSignal.timeout(5000), baseUrl).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResumeUploadError);
    expect((error as ResumeUploadError).kind).toBe('unavailable');
  });

  it('passes the server error message through', async () => {
    const { baseUrl } = await endpoint(415, { error: { code: 'unsupported-type', message: 'only PDF, DOCX and text files' } });
    await expect(postResumeFile(new File(['x'], 'cv.xls'), AbortSignal.timeout(5000), baseUrl)).rejects.toThrow('only PDF, DOCX and text files');
  });
});
