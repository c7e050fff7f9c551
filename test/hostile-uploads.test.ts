import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Interview } from '../protocol/interviews.ts';
import { createInterviewsRouter, type InterviewsRouter } from '../server/api/interviews.ts';
import { createPrepRouter } from '../server/api/prep.ts';
import type { ProcessRecordingInput } from '../server/api/recording-jobs.ts';
import { silentLogger } from '../server/logger.ts';
import { decodeAudioFile } from '../server/media/decode.ts';
import { encodeMonoWav } from '../server/media/wav-writer.ts';
import { dataPaths } from '../server/store/paths.ts';
import { createRepository, type InterviewRepository } from '../server/store/repository.ts';
import { prepDepsFor } from './prep/prep-fake.ts';
import { makeDocxBomb } from './zip-bomb.ts';

// Issue 13, "hostile input gets a clear 4xx and nothing else". The hostile files are made here, byte by byte.

let dir: string;
let repository: InterviewRepository;
let router: InterviewsRouter;
let server: Server;
let api: string;
const processed: ProcessRecordingInput[] = [];
/** A real recording on the server's disk that a playlist could point at (the attack reads it back as turn audio). */
let localWav: string;
let localMp3: string;

/** 3 s of a 440 Hz tone as a 16 kHz WAV. */
function toneWav(seconds: number): Uint8Array {
  const samples = new Float32Array(16_000 * seconds).map((_, index) => 0.3 * Math.sin((2 * Math.PI * 440 * index) / 16_000));
  return encodeMonoWav(samples, 16_000);
}

/** A ~80-byte HLS playlist whose one segment is a local file (the reproduction). */
function hlsPlaylist(target: string): string {
  return `#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:3,\nfile://${target}\n#EXT-X-ENDLIST\n`;
}

async function createInterview(): Promise<string> {
  const response = await fetch(`${api}/interviews`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'en' }) });
  return ((await response.json()) as Interview).id;
}

const upload = (id: string, body: Uint8Array | string): Promise<Response> =>
  fetch(`${api}/interviews/${id}/recording`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: typeof body === 'string' ? body : new Blob([body.slice()]) });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'viva-hostile-'));
  localWav = path.join(dir, 'elsewhere', 'secret-call.wav');
  localMp3 = path.join(dir, 'elsewhere', 'secret-call.mp3');
  await mkdir(path.dirname(localWav), { recursive: true });
  await writeFile(localWav, toneWav(3));
  // ffmpeg's HLS demuxer only takes segments whose content matches their extension: an MP3 file passes, a WAV does not.
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', localWav, localMp3]);
  const paths = dataPaths(path.join(dir, 'data'));
  repository = createRepository(paths.dbPath);
  router = createInterviewsRouter({
    repository,
    uploadDir: paths.uploadDir,
    logger: silentLogger,
    maxRecordingMs: 10_000,
    processRecording: async (input) => {
      processed.push(input);
    },
  });
  const app = express();
  // The prep API never reaches the LLM here (llm=false); /healthz answers from the event loop like the real one.
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use('/api', router);
  app.use('/api', createPrepRouter({ prep: prepDepsFor('http://127.0.0.1:9/v1'), screeningsDir: path.join(dir, 'screenings') }));
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await router.close();
  repository.close();
  await rm(dir, { recursive: true, force: true });
});

describe('hostile recordings', () => {
  it('refuses an HLS playlist pointing at a local file with a 4xx, reading nothing and keeping nothing', async () => {
    const playlist = hlsPlaylist(localMp3);
    const id = await createInterview();
    const response = await upload(id, playlist);
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not-audio');
    expect(processed).toEqual([]);
    expect(readdirSync(dataPaths(path.join(dir, 'data')).uploadDir)).toEqual([]);

    // The decoder refuses it too when handed the file directly (the recording processor's door).
    const onDisk = path.join(dir, 'playlist.upload');
    await writeFile(onDisk, playlist);
    await expect(decodeAudioFile(onDisk)).rejects.toMatchObject({ code: 'not-audio' });
    await expect(decodeAudioFile(onDisk, { format: 'hls' })).rejects.toMatchObject({ code: 'not-audio' });
  });

  it('refuses a concat list the same way', async () => {
    const id = await createInterview();
    const response = await upload(id, `ffconcat version 1.0\nfile '${localMp3}'\n`);
    expect(response.status).toBe(422);
    expect(processed).toEqual([]);
  });

  it('refuses a recording longer than the limit with 413, and accepts one within it', async () => {
    const long = await createInterview();
    const refused = await upload(long, toneWav(12));
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('recording-too-long');
    expect(processed).toEqual([]);

    const short = await createInterview();
    expect((await upload(short, toneWav(3))).status).toBe(202);
    for (let attempt = 0; attempt < 100 && processed.length === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(processed.map((input) => input.interviewId)).toEqual([short]);
    expect(processed[0]?.probe.formatName).toBe('wav');
    // An allow-listed container still decodes (through ffmpeg's stdin pipe) to its full length.
    expect((await decodeAudioFile(localWav)).durationMs).toBe(3000);
  });
});

describe('hostile documents', () => {
  const parse = (bytes: Uint8Array): Promise<Response> =>
    fetch(`${api}/resumes/parse?llm=false`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Blob([bytes.slice()]) });

  it('refuses a 41 KiB .docx that unpacks to 40 MiB with 413 before unpacking it', async () => {
    const bomb = makeDocxBomb(40 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const response = await parse(bomb);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string; message: string } }).error.message).toMatch(/zip bomb/);
  });

  it('parses a .docx whose directory lies about its sizes in a worker: a 4xx, and /healthz answers all along', async () => {
    // The directory declares every part at twice its packed size, so only unpacking finds the 40 MiB.
    const liar = makeDocxBomb(40 * 1024 * 1024, (_entry, packedBytes) => packedBytes * 2);
    let settled = false;
    const parsed = parse(liar).finally(() => {
      settled = true;
    });
    let answeredDuringParse = 0;
    while (!settled) {
      const health = await fetch(`${api.replace(/\/api$/, '')}/healthz`);
      expect(health.status).toBe(200);
      if (!settled) answeredDuringParse++;
    }
    const response = await parsed;
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    // Sequential round trips: each one needed the event loop while the document was being unpacked.
    expect(answeredDuringParse).toBeGreaterThanOrEqual(3);
  });

  it('still reads an ordinary .docx through the worker', async () => {
    const response = await parse(makeDocxBomb(2000));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { text: string }).text).toMatch(/^a{2000}$/);
  });
});
