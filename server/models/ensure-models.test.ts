import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { syntheticWhisperModel } from '../../test/helpers/ggml-file.ts';
import type { OfficialModelFile } from './catalog.ts';
import { DownloadError } from './download.ts';
import { loadConfig } from '../env.ts';
import { ModelsMissingError, ensureModelFiles, llmModelNameFor, modelNamesFor, startupModelNames } from './ensure-models.ts';

/** A mirror on 127.0.0.1 (never the internet): serves files by name, honours Range, can cut a response short. */
interface Mirror {
  baseUrl: string;
  files: Map<string, Buffer>;
  requests: { url: string; headers: IncomingHttpHeaders }[];
  /** When set, the next response stops after this many bytes and the connection is destroyed. */
  cutAfterBytes: number | null;
  close(): Promise<void>;
}

async function startMirror(): Promise<Mirror> {
  const mirror = { files: new Map(), requests: [], cutAfterBytes: null } as unknown as Mirror;
  const server: Server = createServer((request, response) => {
    mirror.requests.push({ url: request.url ?? '', headers: request.headers });
    const body = mirror.files.get((request.url ?? '').replace(/^\//, ''));
    if (!body) {
      response.writeHead(404).end('not found');
      return;
    }
    const start = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0);
    const headers = { 'content-length': body.length - start, ...(start > 0 ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}) };
    response.writeHead(start > 0 ? 206 : 200, headers);
    const cut = mirror.cutAfterBytes;
    if (cut === null) {
      response.end(body.subarray(start));
      return;
    }
    mirror.cutAfterBytes = null;
    response.write(body.subarray(start, start + cut), () => setTimeout(() => response.socket?.destroy(), 20));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mirror.close = () => new Promise((resolve) => server.close(() => resolve()));
  return mirror;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const sharedModels = process.env.VIVA_MODELS_DIR ?? path.resolve('../shared/models');

let mirror: Mirror;
let dir: string;
let whisperBytes: Buffer;
let sileroBytes: Buffer;
let catalog: OfficialModelFile[];

function stderrSink() {
  let text = '';
  return { stderr: { write: (chunk: string) => void (text += chunk) }, text: () => text };
}

beforeAll(async () => {
  mirror = await startMirror();
  whisperBytes = syntheticWhisperModel({ tensors: [{ name: 'encoder.conv1.weight', shape: [3, 80, 384] }] });
  sileroBytes = await readFile(path.join(sharedModels, 'silero-vad/silero_vad.onnx'));
  catalog = [
    { name: 'tiny-test', kind: 'whisper', folder: 'whisper', fileName: 'ggml-tiny-test.bin', url: 'http://127.0.0.1:9/unused', sizeBytes: whisperBytes.length, sha256: sha256(whisperBytes), sha1: null, multilingual: true },
    { name: 'silero', kind: 'silero-vad', folder: 'silero-vad', fileName: 'silero_vad.onnx', url: 'http://127.0.0.1:9/unused', sizeBytes: sileroBytes.length, sha256: sha256(sileroBytes), sha1: null },
  ];
});
afterAll(async () => {
  await mirror.close();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'viva-ensure-'));
  mirror.files.clear();
  mirror.files.set('ggml-tiny-test.bin', whisperBytes);
  mirror.files.set('silero_vad.onnx', sileroBytes);
  mirror.requests.length = 0;
  mirror.cutAfterBytes = null;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const names = modelNamesFor({ whisperModel: 'tiny-test' });

describe('ensureModelFiles (first start)', () => {
  it('fetches what is missing with progress, verified, and a later start finds everything without a request', async () => {
    const first = stderrSink();
    const fetched = await ensureModelFiles({ modelsDir: dir, names, fetchMissing: true, baseUrl: mirror.baseUrl, stderr: first.stderr, catalog });
    expect(fetched).toEqual(['tiny-test', 'silero']);
    expect(first.text()).toMatch(/First start: fetching 2 model file\(s\)/);
    expect(first.text()).toMatch(/ggml-tiny-test\.bin \[#+\] .*100\.0%/);
    expect(first.text()).toMatch(/verified sha256/);
    expect(sha256(await readFile(path.join(dir, 'whisper/ggml-tiny-test.bin')))).toBe(sha256(whisperBytes));
    expect((await stat(path.join(dir, 'silero-vad/silero_vad.onnx'))).size).toBe(sileroBytes.length);

    const requests = mirror.requests.length;
    expect(await ensureModelFiles({ modelsDir: dir, names, fetchMissing: true, baseUrl: mirror.baseUrl, stderr: stderrSink().stderr, catalog })).toEqual([]);
    expect(mirror.requests).toHaveLength(requests);
  });

  it('resumes after a cut connection with an HTTP Range request, and checks every byte', async () => {
    mirror.cutAfterBytes = 100_000;
    const cut = await ensureModelFiles({ modelsDir: dir, names: ['tiny-test'], fetchMissing: true, baseUrl: mirror.baseUrl, stderr: stderrSink().stderr, catalog }).catch(
      (caught: unknown) => caught,
    );
    expect(cut).toBeInstanceOf(ModelsMissingError);
    const part = path.join(dir, 'whisper/ggml-tiny-test.bin.part');
    expect((await stat(part)).size).toBe(100_000);

    const again = stderrSink();
    expect(await ensureModelFiles({ modelsDir: dir, names: ['tiny-test'], fetchMissing: true, baseUrl: mirror.baseUrl, stderr: again.stderr, catalog })).toEqual(['tiny-test']);
    expect(mirror.requests.at(-1)?.headers.range).toBe('bytes=100000-');
    expect(again.text()).toMatch(/resumed from 100\.0 kB/);
    expect(sha256(await readFile(path.join(dir, 'whisper/ggml-tiny-test.bin')))).toBe(sha256(whisperBytes));
    expect(existsSync(part)).toBe(false);
  });

  it('refuses a file whose sha256 does not match: nothing is put in place', async () => {
    const tampered = Buffer.from(whisperBytes);
    tampered[tampered.length - 10] = (tampered[tampered.length - 10]! + 1) % 256;
    mirror.files.set('ggml-tiny-test.bin', tampered);
    const error = await ensureModelFiles({ modelsDir: dir, names: ['tiny-test'], fetchMissing: true, baseUrl: mirror.baseUrl, stderr: stderrSink().stderr, catalog }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ code: 'checksum-mismatch' });
    expect(existsSync(path.join(dir, 'whisper/ggml-tiny-test.bin'))).toBe(false);
    expect(existsSync(path.join(dir, 'whisper/ggml-tiny-test.bin.part'))).toBe(false);
  });

  it('offline, stops with one message naming each missing file, where it goes and the command that fetches them', async () => {
    const error = await ensureModelFiles({ modelsDir: dir, names, fetchMissing: true, baseUrl: 'http://127.0.0.1:9', stderr: stderrSink().stderr, catalog }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ModelsMissingError);
    const message = (error as Error).message;
    expect(message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
    expect(message).toContain(path.join(dir, 'whisper/ggml-tiny-test.bin'));
    expect(message).toContain(path.join(dir, 'silero-vad/silero_vad.onnx'));
    expect(message).toContain(`VIVA_MODELS_DIR=${dir} npm run models:download -- tiny-test silero`);
    expect((error as ModelsMissingError).missing.map((file) => file.name)).toEqual(['tiny-test', 'silero']);
  });

  it('with fetching turned off, says what is missing without any request; the shared models folder needs nothing', async () => {
    await expect(ensureModelFiles({ modelsDir: dir, names, fetchMissing: false, stderr: stderrSink().stderr, catalog })).rejects.toThrow(/VIVA_MODELS_FETCH=false/);
    expect(mirror.requests).toHaveLength(0);
    expect(await ensureModelFiles({ modelsDir: sharedModels, names: modelNamesFor({ whisperModel: 'base' }), fetchMissing: false, stderr: stderrSink().stderr })).toEqual([]);
  });
});

describe('llmModelNameFor', () => {
  it('adds the default GGUF to the first start only when the LLM runs in process on the catalog file', () => {
    expect(llmModelNameFor(loadConfig({}, '/srv/viva'))).toBe('qwen2.5-1.5b-instruct');
    expect(llmModelNameFor(loadConfig({ VIVA_LLM_BASE_URL: 'http://localhost:8000/v1' }, '/srv/viva'))).toBeUndefined();
    expect(llmModelNameFor(loadConfig({ VIVA_LLM_MODEL_FILE: '/data/qwen2.5-7b-instruct-q4_k_m.gguf' }, '/srv/viva'))).toBeUndefined();
  });
});

describe('first start offline (issue 16: whisper and Silero were reported first, the GGUF only on a second run)', () => {
  const offline = (config: ReturnType<typeof loadConfig>, warnings: string[] = []) =>
    ensureModelFiles({
      modelsDir: config.modelsDir,
      fetchMissing: true,
      baseUrl: 'http://127.0.0.1:9',
      stderr: stderrSink().stderr,
      ...startupModelNames(config),
      onOptionalMissing: (error) => warnings.push(error.message),
    });

  it('names every missing file in one message, each with its path and the command that fetches it', async () => {
    const config = loadConfig({ VIVA_MODELS_DIR: dir }, '/srv/viva');
    const error = await offline(config).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelsMissingError);
    expect((error as ModelsMissingError).missing.map((file) => file.name)).toEqual(['base', 'silero', 'qwen2.5-1.5b-instruct']);
    const message = (error as Error).message;
    for (const file of ['whisper/ggml-base.bin', 'silero-vad/silero_vad.onnx', 'llm/qwen2.5-1.5b-instruct-q4_k_m.gguf']) expect(message).toContain(path.join(dir, file));
    for (const name of ['base', 'silero', 'qwen2.5-1.5b-instruct']) expect(message).toContain(`npm run models:download -- ${name})`);
    expect(message).toContain('npm run models:download -- base silero qwen2.5-1.5b-instruct');
  });

  it('with VIVA_LLM_OPTIONAL, still names the GGUF beside missing speech models; alone it is a warning and start-up goes on', async () => {
    const config = loadConfig({ VIVA_MODELS_DIR: dir, VIVA_LLM_OPTIONAL: 'true' }, '/srv/viva');
    const error = await offline(config).catch((caught: unknown) => caught);
    expect((error as ModelsMissingError).missing.map((file) => file.name)).toEqual(['base', 'silero', 'qwen2.5-1.5b-instruct']);
    expect((error as Error).message).toMatch(/optional: VIVA_LLM_OPTIONAL/);

    for (const file of ['whisper/ggml-base.bin', 'silero-vad/silero_vad.onnx']) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await symlink(path.join(sharedModels, file), path.join(dir, file));
    }
    const warnings: string[] = [];
    expect(await offline(config, warnings)).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(path.join(dir, 'llm/qwen2.5-1.5b-instruct-q4_k_m.gguf'));
  });
});
