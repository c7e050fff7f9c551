import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { syntheticWhisperModel } from '../../test/helpers/ggml-file.ts';
import { OFFICIAL_MODEL_FILES, type OfficialModelFile } from '../models/catalog.ts';
import { hashFile } from '../models/model-files.ts';
import { DownloadError, downloadVerified } from '../models/download.ts';
import { runDownloadModels } from './download-models.ts';

const sharedModels = process.env.VIVA_MODELS_DIR ?? path.resolve('../shared/models');

/** A mirror on 127.0.0.1 serving files by name, with Range support that can be switched off. */
interface Mirror {
  baseUrl: string;
  files: Map<string, Buffer>;
  requests: { url: string; headers: IncomingHttpHeaders }[];
  honourRange: boolean;
  close(): Promise<void>;
}

async function startMirror(): Promise<Mirror> {
  const files = new Map<string, Buffer>();
  const requests: Mirror['requests'] = [];
  const mirror = { files, requests, honourRange: true } as Mirror;
  const server: Server = createServer((request, response) => {
    requests.push({ url: request.url ?? '', headers: request.headers });
    const body = files.get(decodeURIComponent((request.url ?? '').replace(/^\/models\//, '')));
    if (!body) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    if (range && mirror.honourRange) {
      const start = Number(range[1]);
      if (start >= body.length) {
        response.writeHead(416).end();
        return;
      }
      response.writeHead(206, {
        'content-length': body.length - start,
        'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
      });
      response.end(body.subarray(start));
      return;
    }
    response.writeHead(200, { 'content-length': body.length });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models`;
  mirror.close = () => new Promise((resolve) => server.close(() => resolve()));
  return mirror;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let mirror: Mirror;
let dir: string;
let modelBytes: Buffer;
let sileroBytes: Buffer;

beforeAll(async () => {
  mirror = await startMirror();
  modelBytes = syntheticWhisperModel();
  sileroBytes = await readFile(path.join(sharedModels, 'silero-vad/silero_vad.onnx'));
});
afterAll(async () => {
  await mirror.close();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'viva-download-'));
  mirror.files.clear();
  mirror.requests.length = 0;
  mirror.honourRange = true;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('downloadVerified', () => {
  it('downloads through a .part file and renames it into place once size and sha256 match', async () => {
    mirror.files.set('model.bin', modelBytes);
    const dest = path.join(dir, 'whisper/model.bin');
    const progress: number[] = [];
    const result = await downloadVerified(
      `${mirror.baseUrl}/model.bin`,
      dest,
      { sizeBytes: modelBytes.length, sha256: sha256(modelBytes) },
      { onProgress: (p) => progress.push(p.receivedBytes) },
    );
    expect(result).toMatchObject({ sizeBytes: modelBytes.length, sha256: sha256(modelBytes), verifiedBy: 'sha256', resumedFromBytes: 0 });
    expect((await hashFile(dest)).sha256).toBe(sha256(modelBytes));
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(progress.at(-1)).toBe(modelBytes.length);
  });

  it('deletes the part file and leaves nothing in place when the sha256 does not match', async () => {
    mirror.files.set('model.bin', modelBytes);
    const dest = path.join(dir, 'model.bin');
    const error = await downloadVerified(`${mirror.baseUrl}/model.bin`, dest, { sizeBytes: modelBytes.length, sha256: 'ab'.repeat(32) }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ code: 'checksum-mismatch', partKept: false });
    expect((error as Error).message).toContain(`expected ${'ab'.repeat(32)}`);
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('stops and deletes the part file when the server sends more than the expected size', async () => {
    mirror.files.set('model.bin', modelBytes);
    const dest = path.join(dir, 'model.bin');
    await expect(downloadVerified(`${mirror.baseUrl}/model.bin`, dest, { sizeBytes: 1000, sha256: sha256(modelBytes) })).rejects.toMatchObject({
      code: 'size-mismatch',
    });
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('resumes an interrupted download with a Range request and still verifies every byte', async () => {
    mirror.files.set('model.bin', modelBytes);
    const dest = path.join(dir, 'model.bin');
    await writeFile(`${dest}.part`, modelBytes.subarray(0, 100_000));
    const result = await downloadVerified(`${mirror.baseUrl}/model.bin`, dest, { sizeBytes: modelBytes.length, sha256: sha256(modelBytes) });
    expect(result.resumedFromBytes).toBe(100_000);
    expect(mirror.requests[0]!.headers.range).toBe('bytes=100000-');
    expect((await hashFile(dest)).sha256).toBe(sha256(modelBytes));
  });

  it('never trusts a corrupt part file: the resumed result fails verification and is deleted', async () => {
    mirror.files.set('model.bin', modelBytes);
    const dest = path.join(dir, 'model.bin');
    await writeFile(`${dest}.part`, Buffer.alloc(100_000, 7));
    await expect(downloadVerified(`${mirror.baseUrl}/model.bin`, dest, { sizeBytes: modelBytes.length, sha256: sha256(modelBytes) })).rejects.toMatchObject({
      code: 'checksum-mismatch',
    });
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('starts over when the server ignores the Range request', async () => {
    mirror.files.set('model.bin', modelBytes);
    mirror.honourRange = false;
    const dest = path.join(dir, 'model.bin');
    await writeFile(`${dest}.part`, Buffer.alloc(100_000, 7));
    const result = await downloadVerified(`${mirror.baseUrl}/model.bin`, dest, { sizeBytes: modelBytes.length, sha256: sha256(modelBytes) });
    expect(result.resumedFromBytes).toBe(0);
    expect((await hashFile(dest)).sha256).toBe(sha256(modelBytes));
  });

  it('reports an HTTP error with the status and URL', async () => {
    await expect(downloadVerified(`${mirror.baseUrl}/missing.bin`, path.join(dir, 'x.bin'), {})).rejects.toThrow(/HTTP 404.*missing\.bin/);
  });
});

describe('models:download CLI', () => {
  const stderrSink = () => {
    const lines: string[] = [];
    return { lines, stderr: { write: (text: string) => lines.push(text) } };
  };

  it('downloads silero from a mirror given by --base-url (a real run of the script)', async () => {
    mirror.files.set('silero_vad.onnx', sileroBytes);
    const { stderr, code } = await new Promise<{ stderr: string; code: number | null }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'server/cli/download-models.ts', 'silero', '--base-url', mirror.baseUrl],
        { env: { ...process.env, VIVA_MODELS_DIR: dir }, timeout: 60_000 },
        (error, _stdout, stderrText) => resolve({ stderr: stderrText, code: error ? (error.code as number) : 0 }),
      );
    });
    expect(code, stderr).toBe(0);
    const saved = path.join(dir, 'silero-vad/silero_vad.onnx');
    expect((await hashFile(saved)).sha256).toBe(OFFICIAL_MODEL_FILES.find((file) => file.name === 'silero')!.sha256);
    expect(stderr).toMatch(/100\.0%/);
    expect(stderr).toMatch(/verified sha256/);
  });

  it('exits non-zero with a clear message and no file when the mirror serves other bytes', async () => {
    const tampered = Buffer.from(sileroBytes);
    tampered[5000] = (tampered[5000]! + 1) % 256;
    mirror.files.set('silero_vad.onnx', tampered);
    const { lines, stderr } = stderrSink();
    const code = await runDownloadModels(['silero'], { env: { VIVA_MODELS_DIR: dir, VIVA_MODEL_BASE_URL: mirror.baseUrl }, stderr });
    expect(code).toBe(1);
    expect(lines.join('')).toMatch(/download failed: sha256 of the file from .* is [0-9a-f]{64}, expected 1a153a22/);
    expect(lines.join('')).toContain('The downloaded file was deleted.');
    expect(existsSync(path.join(dir, 'silero-vad/silero_vad.onnx'))).toBe(false);
    expect(existsSync(path.join(dir, 'silero-vad/silero_vad.onnx.part'))).toBe(false);
  });

  it('fetches whisper names into whisper/ with an injected catalog, and skips a file already verified', async () => {
    const catalog: OfficialModelFile[] = [
      {
        name: 'tiny-test',
        kind: 'whisper',
        folder: 'whisper',
        fileName: 'ggml-tiny-test.bin',
        url: 'http://127.0.0.1:9/unused',
        sizeBytes: modelBytes.length,
        sha256: null,
        sha1: createHash('sha1').update(modelBytes).digest('hex'),
      },
    ];
    mirror.files.set('ggml-tiny-test.bin', modelBytes);
    const first = stderrSink();
    const io = { env: {}, cwd: dir, catalog };
    expect(await runDownloadModels(['tiny-test', '--base-url', mirror.baseUrl], { ...io, stderr: first.stderr })).toBe(0);
    expect(first.lines.join('')).toMatch(/sha1 .*\(sha256 unknown\)/);
    expect((await hashFile(path.join(dir, 'models/whisper/ggml-tiny-test.bin'))).sha256).toBe(sha256(modelBytes));
    const second = stderrSink();
    expect(await runDownloadModels(['tiny-test', `--base-url=${mirror.baseUrl}`], { ...io, stderr: second.stderr })).toBe(0);
    expect(second.lines.join('')).toMatch(/already there \(official size, complete ggml file\)/);
    expect(mirror.requests).toHaveLength(1);
  });

  it('rejects unknown names and options with usage (exit 2)', async () => {
    const { lines, stderr } = stderrSink();
    expect(await runDownloadModels(['base.en', 'huge-v9'], { env: { VIVA_MODELS_DIR: dir }, stderr })).toBe(2);
    expect(lines.join('')).toMatch(/unknown model "huge-v9"[\s\S]*large-v3-turbo/);
    expect(await runDownloadModels(['--bogus'], { env: {}, stderr })).toBe(2);
    await mkdir(path.join(dir, 'whisper'), { recursive: true });
    expect(existsSync(path.join(dir, 'whisper/ggml-base.en.bin.part'))).toBe(false);
  });
});
