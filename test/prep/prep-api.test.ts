import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrepRouter } from '../../server/api/prep.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../fakes/fake-llm-server.ts';
import { hasCjkFont, makeDocx, makePdf, makeScannedPdf } from './documents.ts';
import { prepDepsFor, prepResponder } from './prep-fake.ts';

const JD = 'Backend Engineer\nRequired: Go, Kubernetes\nNice to have: Kafka';
const RESUME = 'Jane Doe\nEmail: jane@example.com\n- Built Go services on Kubernetes\n- Ran Kafka in production';

let fake: FakeLlmServer;
let server: Server;
let api: string;
let root: string;
let allowedFolder: string;

async function startApi(baseUrl: string): Promise<{ server: Server; url: string }> {
  const app = express();
  app.use(
    '/api',
    createPrepRouter({
      prep: prepDepsFor(baseUrl),
      screeningsDir: path.join(root, 'screenings'),
      screeningRoots: [allowedFolder],
      extract: { maxBytes: 2 * 1024 * 1024 },
    }),
  );
  const started = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => started.once('listening', () => resolve()));
  return { server: started, url: `http://127.0.0.1:${(started.address() as AddressInfo).port}/api` };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'viva-prep-api-'));
  allowedFolder = path.join(root, 'allowed');
  await mkdir(allowedFolder, { recursive: true });
  fake = await startFakeLlmServer({ respond: prepResponder() });
  ({ server, url: api } = await startApi(fake.baseUrl));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await fake.close();
  await rm(root, { recursive: true, force: true });
});

/** Bytes as a fetch body (a copy in its own ArrayBuffer). */
const bytesBody = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;

const postJson = (route: string, body: unknown): Promise<Response> =>
  fetch(`${api}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('POST /api/resumes/parse', () => {
  it('returns the text and the parsed resume of an uploaded PDF', async () => {
    const pdf = await makePdf([RESUME.replace(/\n- /g, '\n• ')]);
    const response = await fetch(`${api}/resumes/parse`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: bytesBody(pdf) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { text: string; kind: string; resume: { name: string; skills: string[] }; llmError: null };
    expect(body.kind).toBe('pdf');
    expect(body.text).toContain('- Built Go services on Kubernetes');
    expect(body.resume.name).toBe('Jane Doe');
    expect(body.resume.skills).toEqual(['Go', 'Kubernetes', 'Kafka']);
    expect(body.llmError).toBeNull();
  });

  it('still returns the text when the LLM is down, with the LLM error reported', async () => {
    const down = await startFakeLlmServer();
    const downUrl = down.baseUrl;
    await down.close();
    const other = await startApi(downUrl);
    try {
      const docx = await makeDocx(RESUME);
      const response = await fetch(`${other.url}/resumes/parse`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytesBody(docx) });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { text: string; resume: null; llmError: { code: string; message: string; retryable: boolean } };
      expect(body.text).toContain('Built Go services on Kubernetes');
      expect(body.resume).toBeNull();
      expect(body.llmError).toMatchObject({ code: 'llm-unreachable', retryable: true });
    } finally {
      other.server.closeAllConnections();
      await new Promise<void>((resolve) => other.server.close(() => resolve()));
    }
  });

  it('refuses scanned PDFs, empty bodies and oversized uploads with clear errors', async () => {
    const scanned = await fetch(`${api}/resumes/parse`, { method: 'POST', body: bytesBody(await makeScannedPdf(1)), headers: { 'content-type': 'application/pdf' } });
    expect(scanned.status).toBe(422);
    expect(await scanned.json()).toEqual({ error: { code: 'scanned-pdf', message: 'scanned PDF: no text layer (OCR is not supported)' } });
    const empty = await fetch(`${api}/resumes/parse`, { method: 'POST' });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { code: string } }).error.code).toBe('invalid-request');
    const huge = await fetch(`${api}/resumes/parse`, { method: 'POST', body: bytesBody(new Uint8Array(3 * 1024 * 1024).fill(65)), headers: { 'content-type': 'text/plain' } });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { code: string } }).error.code).toBe('too-large');
  });
});

describe('POST /api/match, /api/plans, /api/feedback', () => {
  it('matches a resume in blind mode and reports what was removed', async () => {
    const response = await postJson('/match', { jd: JD, resume: RESUME, blind: true });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { match: { score: number; blind: boolean }; redaction: { removed: Record<string, number>; text: string } };
    expect(body.match).toMatchObject({ score: 100, blind: true });
    expect(body.redaction.removed).toMatchObject({ name: 1, email: 1 });
    expect(body.redaction.text).not.toContain('Jane');
  });

  it('validates bodies with zod and names the bad field', async () => {
    const response = await postJson('/match', { jd: '', resume: RESUME });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid-request');
    expect(body.error.message).toMatch(/^invalid body: jd: /);
    const badJson = await fetch(`${api}/plans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jd":' });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: { code: string } }).error.code).toBe('invalid-json');
    const badCount = await postJson('/plans', { jd: JD, resume: RESUME, count: 99 });
    expect(badCount.status).toBe(400);
  });

  it('returns a plan whose questions the live session can use as planned questions', async () => {
    const response = await postJson('/plans', { jd: JD, resume: RESUME, count: 4, language: 'en' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { plan: { questions: unknown[] }; plannedQuestions: Array<{ id: string; kind: string }> };
    expect(body.plannedQuestions.map((question) => question.id)).toEqual(['q1', 'q2', 'q3', 'q4']);
    expect(Object.keys(body.plannedQuestions[0] ?? {}).sort()).toEqual(['competency', 'id', 'kind', 'text']);
  });

  it('writes a feedback letter in the candidate language', async () => {
    const score = {
      label: 'answer',
      dimensions: [{ id: 'depth', name: '技术深度', score: 8, reason: '深入', evidence: [] }],
      overall: 8,
      remark: '回答扎实。',
      model: 'm',
      promptVersion: 'answer-score@1',
      rubricVersion: 'default@1',
    };
    const response = await postJson('/feedback', { language: 'zh', candidateName: '张伟', decision: 'reject', answers: [{ score }] });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { letter: { language: string; text: string } };
    expect(body.letter.language).toBe('zh');
    expect(body.letter.text).toContain('感谢您参加我们的面试');
  });

  it('maps an LLM server error to 502 llm-error', async () => {
    fake.enqueue({ kind: 'error', status: 500, message: 'boom' });
    const response = await postJson('/match', { jd: JD, resume: RESUME });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('llm-error');
  });
});

async function waitForScreening(id: string): Promise<{ status: string; progress: { total: number; ranked: number; failed: number } }> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const status = (await (await fetch(`${api}/screenings/${id}`)).json()) as { status: string; progress: { total: number; ranked: number; failed: number } };
    if (status.status !== 'running') return status;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('screening did not finish');
}

describe('/api/screenings', () => {
  it('screens uploaded files and serves the ranking as JSON, CSV and HTML', async () => {
    const files = [
      { name: 'jane.docx', contentBase64: Buffer.from(await makeDocx(RESUME)).toString('base64') },
      { name: '../../etc/bob.txt', contentBase64: Buffer.from('Bob Stone\n- Go developer').toString('base64') },
      { name: 'scan.pdf', contentBase64: Buffer.from(await makeScannedPdf(1)).toString('base64') },
    ];
    if (hasCjkFont()) files.push({ name: '张伟.pdf', contentBase64: Buffer.from(await makePdf(['张伟\n- 负责 Go 和 Kubernetes 开发'], { cjk: true })).toString('base64') });
    const started = await postJson('/screenings', { jd: JD, files, blind: false });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    const early = await fetch(`${api}/screenings/${id}/result`);
    // Either still running (409) or already done (200): never a partial result served as final.
    expect([200, 409]).toContain(early.status);
    const status = await waitForScreening(id);
    expect(status.status).toBe('complete');
    expect(status.progress).toMatchObject({ total: files.length, ranked: files.length - 1, failed: 1 });

    const json = (await (await fetch(`${api}/screenings/${id}/result?format=json`)).json()) as {
      ranked: Array<{ file: string }>;
      failed: Array<{ file: string; code: string }>;
    };
    expect(json.ranked.map((entry) => entry.file)).toContain('bob.txt');
    expect(json.failed).toEqual([expect.objectContaining({ file: 'scan.pdf', code: 'scanned-pdf' })]);
    const csv = await fetch(`${api}/screenings/${id}/result?format=csv`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toContain('attachment');
    const csvBytes = new Uint8Array(await csv.arrayBuffer());
    expect([...csvBytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    if (hasCjkFont()) expect(new TextDecoder().decode(csvBytes)).toContain('张伟.pdf');
    const html = await fetch(`${api}/screenings/${id}/result?format=html`);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await html.text()).toContain('scanned PDF: no text layer');
  });

  it('reads a server-side folder only inside the allowed roots', async () => {
    await writeFile(path.join(allowedFolder, 'a.txt'), RESUME);
    const started = await postJson('/screenings', { jd: JD, folder: allowedFolder });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    expect((await waitForScreening(id)).progress.ranked).toBe(1);

    const outside = await postJson('/screenings', { jd: JD, folder: root });
    expect(outside.status).toBe(403);
    expect(((await outside.json()) as { error: { message: string } }).error.message).toContain('outside the folders');
    const sneaky = await postJson('/screenings', { jd: JD, folder: path.join(allowedFolder, '..') });
    expect(sneaky.status).toBe(403);
  });

  it('rejects a screening with neither folder nor files, and unknown ids', async () => {
    const response = await postJson('/screenings', { jd: JD });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('give exactly one of folder or files');
    const missing = await fetch(`${api}/screenings/00000000-0000-0000-0000-000000000000`);
    expect(missing.status).toBe(404);
  });
});
