import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiErrorBody, Interview, InterviewDetail, InterviewList, RecordingAccepted, RecordingStatus } from '../protocol/interviews.ts';
import { createInterviewsRouter, type InterviewsRouter, type ProcessRecording, type ProcessRecordingInput } from '../server/api/interviews.ts';
import { decodeAudioFile } from '../server/media/decode.ts';
import { dataPaths, safeFileName } from '../server/store/paths.ts';
import { createRepository, type InterviewRepository } from '../server/store/repository.ts';
import { JFK_DURATION_MS, makeRecordings, makeVideoWithoutAudio, type UploadFormat } from './helpers/recordings.ts';

const silentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** What the fake pipeline saw of one upload. */
interface Received {
  input: Omit<ProcessRecordingInput, 'signal' | 'onProgress'>;
  samples: number;
  durationMs: number;
  fileExistedDuringProcessing: boolean;
}

interface Harness {
  baseUrl: string;
  repository: InterviewRepository;
  router: InterviewsRouter;
  dataDir: string;
  received: Received[];
  close(): Promise<void>;
}

/** A fake `processRecording`: decodes the upload for real, stores one turn per channel, records what it got. */
function fakePipeline(repository: () => InterviewRepository, received: Received[]): ProcessRecording {
  return async ({ interviewId, filePath, language, probe, signal, onProgress }) => {
    const decoded = await decodeAudioFile(filePath, { signal, onProgress: (p) => onProgress({ fraction: (p.fraction ?? 0) * 0.5, stage: 'decoding' }) });
    received.push({
      input: { interviewId, filePath, language, probe },
      samples: decoded.samples.length,
      durationMs: decoded.durationMs,
      fileExistedDuringProcessing: existsSync(filePath),
    });
    const repo = repository();
    repo.saveTurn(interviewId, { turnId: 'q1', channel: 'interviewer', text: 'Tell me about your country.', startMs: 0, endMs: 2000 });
    repo.saveTurn(interviewId, { turnId: 'a1', channel: 'candidate', text: 'Ask not what your country can do for you.', startMs: 2300, endMs: decoded.durationMs });
    await repo.saveTurnAudio(interviewId, 'a1', decoded.samples.subarray(0, 16_000));
    onProgress({ fraction: 1, stage: 'analysing' });
  };
}

async function startServer(options: { processRecording?: ProcessRecording | 'fake'; maxUploadBytes?: number } = {}): Promise<Harness> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'viva-api-'));
  const paths = dataPaths(dataDir);
  const repository = createRepository(paths.dbPath);
  const received: Received[] = [];
  const processRecording = options.processRecording === 'fake' ? fakePipeline(() => repository, received) : options.processRecording;
  const router = createInterviewsRouter({
    repository,
    processRecording,
    uploadDir: paths.uploadDir,
    logger: silentLogger,
    maxUploadBytes: options.maxUploadBytes,
  });
  const app = express();
  app.use('/api', router);
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    repository,
    router,
    dataDir,
    received,
    async close() {
      await router.close();
      await new Promise((resolve) => server.close(resolve));
      repository.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

async function createInterview(h: Harness, body: object = { title: 'Recorded call', language: 'en' }): Promise<Interview> {
  const response = await fetch(`${h.baseUrl}/api/interviews`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  return json<Interview>(response);
}

async function waitForJob(h: Harness, id: string): Promise<RecordingStatus> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const status = await json<RecordingStatus>(await fetch(`${h.baseUrl}/api/interviews/${id}/recording/status`));
    if (status.state === 'done' || status.state === 'failed' || status.state === 'cancelled') return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the recording job never finished');
}

async function upload(h: Harness, id: string, body: Uint8Array | string, query = '', contentType = 'application/octet-stream'): Promise<Response> {
  return fetch(`${h.baseUrl}/api/interviews/${id}/recording${query}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
  });
}

describe('interviews API over HTTP', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startServer({ processRecording: 'fake' });
  });
  afterEach(async () => {
    await h.close();
  });

  it('creates, lists, gets, updates and deletes interviews, with 400 and 404 where due', async () => {
    expect(await json<InterviewList>(await fetch(`${h.baseUrl}/api/interviews`))).toEqual({ items: [], total: 0, limit: 20, offset: 0, roles: [] });

    const created = await createInterview(h, {
      title: '后端面试',
      candidateName: '王芳',
      language: 'zh',
      plannedQuestions: [{ id: 'q1', text: '讲讲你做过的分布式系统' }],
      rubric: { version: 'v1', dimensions: [{ id: 'depth', name: '技术深度', weight: 2 }] },
      transcriptRetentionDays: 30,
    });
    expect(created).toMatchObject({ title: '后端面试', language: 'zh', mode: 'recording', status: 'stopped', transcriptRetentionDays: 30, audioRetentionDays: null });
    expect(created.context.rubric?.dimensions[0]).toEqual({ id: 'depth', name: '技术深度', weight: 2, description: '' });

    const list = await json<InterviewList>(await fetch(`${h.baseUrl}/api/interviews?limit=5`));
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({ id: created.id, counts: { turns: 0, answers: 0, scored: 0, failed: 0 } });

    const detail = await json<InterviewDetail>(await fetch(`${h.baseUrl}/api/interviews/${created.id}`));
    expect(detail.interview.id).toBe(created.id);
    expect(detail.turns).toEqual([]);

    const patched = await fetch(`${h.baseUrl}/api/interviews/${created.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ audioRetentionDays: 7, consent: { given: true, method: 'verbal' } }),
    });
    expect(patched.status).toBe(200);
    expect(await json<Interview>(patched)).toMatchObject({ audioRetentionDays: 7, transcriptRetentionDays: 30, consent: { given: true } });

    // Validation: every bad input is a 400 naming the field.
    const badCreate = await fetch(`${h.baseUrl}/api/interviews`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'fr', colour: 'blue' }),
    });
    expect(badCreate.status).toBe(400);
    const badBody = await json<ApiErrorBody>(badCreate);
    expect(badBody.error.code).toBe('invalid-request');
    expect(badBody.error.issues?.map((issue) => issue.path).sort()).toEqual(['', 'language']);
    const badPatch = await fetch(`${h.baseUrl}/api/interviews/${created.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"audioRetentionDays":-1}' });
    expect(badPatch.status).toBe(400);
    const emptyPatch = await fetch(`${h.baseUrl}/api/interviews/${created.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect((await json<ApiErrorBody>(emptyPatch)).error.message).toContain('at least one field');
    const brokenJson = await fetch(`${h.baseUrl}/api/interviews`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":' });
    expect(brokenJson.status).toBe(400);
    expect((await json<ApiErrorBody>(brokenJson)).error.code).toBe('invalid-json');
    expect((await fetch(`${h.baseUrl}/api/interviews?limit=0`)).status).toBe(400);
    expect((await fetch(`${h.baseUrl}/api/interviews?status=archived`)).status).toBe(400);

    for (const url of ['/api/interviews/nope', '/api/interviews/nope/report', '/api/interviews/nope/recording/status']) {
      const response = await fetch(`${h.baseUrl}${url}`);
      expect(response.status).toBe(404);
      expect((await json<ApiErrorBody>(response)).error.code).toBe('not-found');
    }
    expect((await fetch(`${h.baseUrl}/api/interviews/nope`, { method: 'DELETE' })).status).toBe(404);

    expect((await fetch(`${h.baseUrl}/api/interviews/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${h.baseUrl}/api/interviews/${created.id}`)).status).toBe(404);
  });

  it('serves the report as HTML, Markdown and JSON', async () => {
    const { id } = await createInterview(h, { title: 'Report <check>', language: 'en' });
    h.repository.saveTurn(id, { turnId: 'q', channel: 'interviewer', text: 'Why <b>this</b> job?', startMs: 0, endMs: 1500 });
    h.repository.saveTurn(id, { turnId: 'a', channel: 'candidate', text: 'Because I like it.', startMs: 1800, endMs: 4000 });
    h.repository.saveAnalysisFailure(id, 'a', { code: 'llm-timeout', message: 'the model did not answer in 60 s', retryable: true });

    const html = await fetch(`${h.baseUrl}/api/interviews/${id}/report?format=html`);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await html.text();
    expect(page).toContain('Why &#60;b&#62;this&#60;/b&#62; job?');
    expect(page).toContain('Analysis failed: the model did not answer in 60 s — not scored');

    const md = await fetch(`${h.baseUrl}/api/interviews/${id}/report?format=md&download=1`);
    expect(md.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(md.headers.get('content-disposition')).toContain(`interview-${id}.md`);
    expect(await md.text()).toContain('# Interview report: Report \\<check\\>');

    const report = await json<{ summary: { recommendation: string; counts: { failed: number } } }>(
      await fetch(`${h.baseUrl}/api/interviews/${id}/report?format=json`),
    );
    expect(report.summary).toMatchObject({ recommendation: 'insufficient-evidence', counts: { failed: 1 } });

    const zh = await fetch(`${h.baseUrl}/api/interviews/${id}/report?format=md&lang=zh`);
    expect(await zh.text()).toContain('分析失败：the model did not answer in 60 s — 未评分');
    expect((await fetch(`${h.baseUrl}/api/interviews/${id}/report?format=pdf`)).status).toBe(400);
  });

  it('documents every route of the router in its OpenAPI 3.1 document', async () => {
    const document = await json<{ openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } }>(
      await fetch(`${h.baseUrl}/api/openapi.json`),
    );
    expect(document.openapi).toBe('3.1.0');
    const routes: { path: string; method: string }[] = [];
    for (const layer of (h.router as unknown as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] }).stack) {
      if (!layer.route) continue;
      for (const method of Object.keys(layer.route.methods)) routes.push({ path: layer.route.path, method });
    }
    expect(routes.length).toBeGreaterThanOrEqual(10);
    for (const { path: routePath, method } of routes) {
      const openApiPath = `/api${routePath.replace(/:([A-Za-z]+)/g, '{$1}')}`;
      expect(document.paths[openApiPath], `${openApiPath} is documented`).toBeDefined();
      expect(document.paths[openApiPath]?.[method], `${method.toUpperCase()} ${openApiPath} is documented`).toBeDefined();
    }
    // Every $ref points at a component that exists.
    const refs = JSON.stringify(document).match(/"#\/components\/schemas\/[A-Za-z]+"/g) ?? [];
    for (const reference of refs) expect(document.components.schemas[reference.slice(22, -1)], reference).toBeDefined();
  });

  it('refuses empty, non-audio, audio-less, multipart and oversized uploads, leaving nothing behind', async () => {
    const interview = await createInterview(h);
    const { id } = interview;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'viva-bad-uploads-'));
    try {
      const video = await readFile(await makeVideoWithoutAudio(dir));
      const cases: { body: Uint8Array | string; contentType?: string; status: number; code: string; message: RegExp }[] = [
        { body: new Uint8Array(0), status: 400, code: 'empty-upload', message: /empty \(0 bytes\)/ },
        { body: 'my notes about the candidate\n'.repeat(100), contentType: 'audio/mpeg', status: 422, code: 'not-audio', message: /not audio ffmpeg can read/ },
        { body: new Uint8Array(Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt garbage garbage garbage', 'latin1')), status: 422, code: 'not-audio', message: /not audio/ },
        { body: video, contentType: 'video/mp4', status: 422, code: 'no-audio-stream', message: /no audio stream/ },
        { body: '--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc\r\n--x--', contentType: 'multipart/form-data; boundary=x', status: 415, code: 'unsupported-media-type', message: /raw request body/ },
      ];
      for (const testCase of cases) {
        const response = await upload(h, id, testCase.body, '', testCase.contentType);
        const body = await json<ApiErrorBody>(response);
        expect(response.status, testCase.code).toBe(testCase.status);
        expect(body.error.code).toBe(testCase.code);
        expect(body.error.message).toMatch(testCase.message);
        expect(body.error.message).not.toContain(h.dataDir);
      }
      expect((await upload(h, id, 'x', '?language=fr')).status).toBe(400);

      // The client goes away half-way through: the partial file must not stay.
      let sent = 0;
      const interrupted = fetch(`${h.baseUrl}/api/interviews/${id}/recording`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: new ReadableStream({
          async pull(controller) {
            if (sent >= 256 * 1024) {
              controller.error(new Error('network dropped'));
              return;
            }
            sent += 64 * 1024;
            controller.enqueue(new Uint8Array(64 * 1024));
            await new Promise((resolve) => setTimeout(resolve, 10));
          },
        }),
        duplex: 'half',
      } as RequestInit);
      await expect(interrupted).rejects.toThrow();
      for (let attempt = 0; attempt < 100 && (await readdir(dataPaths(h.dataDir).uploadDir)).length > 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // Nothing half-written: no upload left, no turns, status as it was.
    expect(await readdir(dataPaths(h.dataDir).uploadDir)).toEqual([]);
    const detail = h.repository.getInterviewDetail(id);
    expect(detail?.turns).toEqual([]);
    expect(detail?.interview.status).toBe(interview.status);
    expect(h.received).toEqual([]);
  });

  it('refuses an upload to an interview that already has a transcript', async () => {
    const { id } = await createInterview(h);
    h.repository.saveTurn(id, { turnId: 'a', channel: 'candidate', text: 'hi', startMs: 0, endMs: 500 });
    const response = await upload(h, id, new Uint8Array(100));
    expect(response.status).toBe(409);
    expect((await json<ApiErrorBody>(response)).error.message).toContain('already has a transcript');
  });
});

describe('router start-up', () => {
  it('fails interviews whose upload job died with the previous process, and removes their leftover uploads', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'viva-restart-'));
    const paths = dataPaths(dataDir);
    try {
      let repository = createRepository(paths.dbPath);
      const { id } = repository.createInterview({ language: 'en', mode: 'recording', status: 'stopped' });
      repository.updateInterviewStatus(id, 'processing', { recordingJobId: 'job-1' });
      repository.saveTurn(id, { turnId: 'a', channel: 'candidate', text: 'half', startMs: 0, endMs: 500 });
      await mkdir(paths.uploadDir, { recursive: true });
      await writeFile(path.join(paths.uploadDir, `${id}-abc.upload`), 'partial upload');
      repository.close(); // the process dies

      repository = createRepository(paths.dbPath);
      const router = createInterviewsRouter({ repository, uploadDir: paths.uploadDir, logger: silentLogger, processRecording: async () => undefined });
      expect(await readdir(paths.uploadDir)).toEqual([]);
      const detail = repository.getInterviewDetail(id);
      expect(detail?.interview).toMatchObject({ status: 'failed', statusMessage: expect.stringContaining('upload it again') });
      expect(detail?.turns).toEqual([]);
      await router.close();
      repository.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('recording uploads', () => {
  let h: Harness;
  let dir: string;
  let recordings: Record<UploadFormat, string>;
  const formats: UploadFormat[] = ['wav-44k-stereo', 'mp3', 'm4a', 'webm-opus'];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'viva-uploads-'));
    recordings = await makeRecordings(dir, formats);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await h.close();
  });

  it.each(formats)('accepts a %s recording, hands it to processRecording decoded to the right length, and stores the result', async (format) => {
    h = await startServer({ processRecording: 'fake' });
    const { id } = await createInterview(h);
    const response = await upload(h, id, await readFile(recordings[format]), '?language=en', format === 'webm-opus' ? 'audio/webm' : 'application/octet-stream');
    expect(response.status).toBe(202);
    const accepted = await json<RecordingAccepted>(response);
    expect(accepted).toMatchObject({ interviewId: id, jobId: expect.any(String) });
    expect(response.headers.get('location')).toBe(`/api/interviews/${id}/recording/status`);

    const status = await waitForJob(h, id);
    expect(status).toMatchObject({ state: 'done', progress: 1, error: null, jobId: accepted.jobId });

    expect(h.received).toHaveLength(1);
    const got = h.received[0]!;
    expect(got.input.language).toBe('en');
    expect(got.fileExistedDuringProcessing).toBe(true);
    expect(Math.abs(got.durationMs - JFK_DURATION_MS)).toBeLessThanOrEqual(50);
    expect(got.samples).toBe(Math.round((got.durationMs * 16_000) / 1000));
    // The upload is removed once processed; the interview is done with its turns and audio.
    expect(existsSync(got.input.filePath)).toBe(false);
    const detail = await json<InterviewDetail>(await fetch(`${h.baseUrl}/api/interviews/${id}`));
    expect(detail.interview.status).toBe('done');
    expect(detail.turns.map((turn) => turn.turnId)).toEqual(['q1', 'a1']);
    const audio = await fetch(`${h.baseUrl}/api/interviews/${id}/turns/a1/audio`);
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toBe('audio/wav');
    expect((await audio.arrayBuffer()).byteLength).toBe(44 + 16_000 * 2);
    expect((await fetch(`${h.baseUrl}/api/interviews/${id}/turns/q1/audio`)).status).toBe(404);

    // Deleting the interview takes its audio folder along.
    const folder = path.join(h.repository.audioDir, safeFileName(id));
    expect(existsSync(folder)).toBe(true);
    expect((await fetch(`${h.baseUrl}/api/interviews/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(existsSync(folder)).toBe(false);
    expect((await fetch(`${h.baseUrl}/api/interviews/${id}/turns/a1/audio`)).status).toBe(404);
  });

  it('marks the interview failed with the reason and deletes partial turns when processing fails', async () => {
    h = await startServer({
      processRecording: async ({ interviewId }) => {
        h.repository.saveTurn(interviewId, { turnId: 'a1', channel: 'candidate', text: 'half an answer', startMs: 0, endMs: 900 });
        await h.repository.saveTurnAudio(interviewId, 'a1', new Float32Array(1600));
        throw new Error('whisper crashed');
      },
    });
    const { id } = await createInterview(h);
    expect((await upload(h, id, await readFile(recordings.mp3))).status).toBe(202);
    const status = await waitForJob(h, id);
    expect(status.state).toBe('failed');
    expect(status.error).toEqual({ code: 'processing-failed', message: 'processing the recording failed: whisper crashed' });
    const detail = h.repository.getInterviewDetail(id);
    expect(detail?.turns).toEqual([]);
    expect(detail?.interview).toMatchObject({ status: 'failed', statusMessage: 'processing the recording failed: whisper crashed' });
    expect(existsSync(path.join(h.repository.audioDir, safeFileName(id)))).toBe(false);
    expect(await readdir(dataPaths(h.dataDir).uploadDir)).toEqual([]);
  });

  it('cancels processing when the interview is deleted, and refuses uploads over the size limit or without a pipeline', async () => {
    let sawAbort = false;
    h = await startServer({
      maxUploadBytes: 200_000,
      processRecording: ({ signal }) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            sawAbort = true;
            reject(signal.reason);
          });
        }),
    });
    const { id } = await createInterview(h);
    expect((await upload(h, id, await readFile(recordings.mp3))).status).toBe(202);
    const second = await upload(h, id, await readFile(recordings.mp3));
    expect(second.status).toBe(409);
    expect((await fetch(`${h.baseUrl}/api/interviews/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(sawAbort).toBe(true);
    expect(h.repository.getInterview(id)).toBeNull();
    expect(await readdir(dataPaths(h.dataDir).uploadDir)).toEqual([]);

    const other = await createInterview(h);
    const tooBig = await upload(h, other.id, await readFile(recordings['wav-44k-stereo']));
    expect(tooBig.status).toBe(413);
    expect((await json<ApiErrorBody>(tooBig)).error.code).toBe('upload-too-large');
    // Chunked, without Content-Length: refused while counting, and the client still gets the reply.
    const chunk = new Uint8Array(64 * 1024);
    let sent = 0;
    const chunked = await fetch(`${h.baseUrl}/api/interviews/${other.id}/recording`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new ReadableStream({
        pull(controller) {
          if (sent >= 4_000_000) controller.close();
          else {
            sent += chunk.byteLength;
            controller.enqueue(chunk);
          }
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await readdir(dataPaths(h.dataDir).uploadDir)).toEqual([]);
    expect(h.repository.getInterview(other.id)?.status).toBe('stopped');
    await h.close();

    h = await startServer();
    const third = await createInterview(h);
    const notConfigured = await upload(h, third.id, await readFile(recordings.mp3));
    expect(notConfigured.status).toBe(501);
  });
});
