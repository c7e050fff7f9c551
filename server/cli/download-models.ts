import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { DEFAULT_WHISPER_MODEL, OFFICIAL_MODEL_FILES, findOfficialModelFile, type OfficialModelFile } from '../models/catalog.ts';
import { hashFile } from '../models/model-files.ts';

/**
 * `npm run models:download -- base silero [--base-url URL] [--models-dir DIR] [--force] [--no-resume]`
 *
 * Fetches official model files into the models folder: to `<file>.part` first (resumed with an HTTP Range request when
 * a previous run was interrupted), checked against the known size and sha256, and only then renamed into place, so a
 * half-written or tampered file is never where the server looks for models.
 */

/** What a downloaded file must match; a null or missing field is not checked. */
export interface DownloadExpectation {
  sizeBytes?: number | null;
  sha256?: string | null;
  sha1?: string | null;
}

/** Progress of one download, reported about every 100 ms and once at the end. */
export interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number | null;
  bytesPerSecond: number;
  resumedFromBytes: number;
  done: boolean;
}

/** What was downloaded and how it was checked. */
export interface DownloadResult {
  filePath: string;
  sizeBytes: number;
  sha256: string;
  sha1: string;
  resumedFromBytes: number;
  /** Which checksum was compared (none when the expectation had no checksum). */
  verifiedBy: 'sha256' | 'sha1' | 'none';
}

/** A download that failed; `partKept` says whether a later run can resume from the `.part` file. */
export class DownloadError extends Error {
  override name = 'DownloadError';
  constructor(
    readonly code: 'http-error' | 'size-mismatch' | 'checksum-mismatch' | 'network-error',
    message: string,
    readonly partKept: boolean,
  ) {
    super(message);
  }
}

/**
 * Downloads `url` to `destPath` through `destPath + '.part'`, verifies size and sha256 (sha1 when only that is known)
 * and renames into place. A mismatch deletes the part file and throws `DownloadError`; an abort or a network error keeps
 * it so the next call resumes. Existing part bytes are re-hashed, never trusted.
 */
export async function downloadVerified(
  url: string,
  destPath: string,
  expected: DownloadExpectation,
  options: {
    signal?: AbortSignal;
    onProgress?: (progress: DownloadProgress) => void;
    resume?: boolean;
    fetch?: typeof fetch;
  } = {},
): Promise<DownloadResult> {
  const { signal, onProgress } = options;
  const doFetch = options.fetch ?? fetch;
  signal?.throwIfAborted();
  await mkdir(path.dirname(destPath), { recursive: true });
  const partPath = `${destPath}.part`;
  const expectedSize = expected.sizeBytes ?? null;

  let existing = options.resume === false ? 0 : await fileSize(partPath);
  if (existing > 0 && expectedSize !== null && existing > expectedSize) {
    await rm(partPath, { force: true });
    existing = 0;
  }

  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  let resumedFromBytes = 0;
  let receivedBytes = 0;

  if (existing > 0 && expectedSize !== null && existing === expectedSize) {
    // A previous run got every byte but stopped before verifying: check what is there.
    await hashInto(partPath, [sha256, sha1], signal);
    resumedFromBytes = existing;
    receivedBytes = existing;
  } else {
    let response: Response;
    try {
      response = await doFetch(url, {
        headers: existing > 0 ? { Range: `bytes=${existing}-` } : {},
        redirect: 'follow',
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new DownloadError('network-error', `cannot reach ${url}: ${describe(error)}`, existing > 0);
    }
    if (response.status === 416 && existing > 0) {
      // The server cannot serve the rest of our part file (it changed, or the part is bogus): start over.
      await response.body?.cancel().catch(() => undefined);
      await rm(partPath, { force: true });
      return downloadVerified(url, destPath, expected, { ...options, resume: false });
    }
    const resuming = existing > 0 && response.status === 206 && contentRangeStart(response) === existing;
    if (!response.ok || (response.status === 206 && !resuming) || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      throw new DownloadError('http-error', `HTTP ${response.status} ${response.statusText} from ${url}`, existing > 0);
    }
    if (resuming) {
      await hashInto(partPath, [sha256, sha1], signal);
      resumedFromBytes = existing;
      receivedBytes = existing;
    }
    const contentLength = Number(response.headers.get('content-length'));
    const totalBytes = expectedSize ?? (Number.isFinite(contentLength) && contentLength > 0 ? contentLength + resumedFromBytes : null);
    const startedAt = performance.now();
    let lastReportAt = 0;
    const report = (done: boolean) => {
      const elapsedSeconds = Math.max((performance.now() - startedAt) / 1000, 1e-3);
      onProgress?.({
        receivedBytes,
        totalBytes,
        bytesPerSecond: (receivedBytes - resumedFromBytes) / elapsedSeconds,
        resumedFromBytes,
        done,
      });
    };
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        receivedBytes += chunk.length;
        if (expectedSize !== null && receivedBytes > expectedSize) {
          callback(new DownloadError('size-mismatch', `${url} sent more than the expected ${expectedSize} bytes`, false));
          return;
        }
        sha256.update(chunk);
        sha1.update(chunk);
        const now = performance.now();
        if (now - lastReportAt >= 100) {
          lastReportAt = now;
          report(false);
        }
        callback(null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
        meter,
        createWriteStream(partPath, { flags: resuming ? 'a' : 'w' }),
        { signal },
      );
    } catch (error) {
      if (error instanceof DownloadError) {
        await rm(partPath, { force: true });
        throw error;
      }
      if (signal?.aborted) throw error;
      throw new DownloadError('network-error', `download of ${url} broke off after ${receivedBytes} bytes: ${describe(error)}`, true);
    }
    report(true);
  }

  const result: DownloadResult = {
    filePath: destPath,
    sizeBytes: receivedBytes,
    sha256: sha256.digest('hex'),
    sha1: sha1.digest('hex'),
    resumedFromBytes,
    verifiedBy: expected.sha256 ? 'sha256' : expected.sha1 ? 'sha1' : 'none',
  };
  const mismatch =
    expectedSize !== null && result.sizeBytes !== expectedSize
      ? new DownloadError('size-mismatch', `got ${result.sizeBytes} bytes from ${url}, expected ${expectedSize}`, false)
      : expected.sha256 && result.sha256 !== expected.sha256.toLowerCase()
        ? new DownloadError('checksum-mismatch', `sha256 of the file from ${url} is ${result.sha256}, expected ${expected.sha256}`, false)
        : !expected.sha256 && expected.sha1 && result.sha1 !== expected.sha1.toLowerCase()
          ? new DownloadError('checksum-mismatch', `sha1 of the file from ${url} is ${result.sha1}, expected ${expected.sha1}`, false)
          : null;
  if (mismatch) {
    await rm(partPath, { force: true });
    throw mismatch;
  }
  await rename(partPath, destPath);
  return result;
}

async function hashInto(filePath: string, hashes: ReturnType<typeof createHash>[], signal: AbortSignal | undefined): Promise<void> {
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1 << 20, signal }) as AsyncIterable<Buffer>) {
    for (const hash of hashes) hash.update(chunk);
  }
}

function contentRangeStart(response: Response): number | null {
  const match = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '');
  return match ? Number(match[1]) : null;
}

async function fileSize(filePath: string): Promise<number> {
  try {
    return (await stat(filePath)).size;
  } catch {
    return 0;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

/** Where the downloader writes, and the stream its progress and messages go to. */
export interface DownloadCliIo {
  /** Environment to read `VIVA_MODELS_DIR`, `VIVA_MODEL_BASE_URL`, `VIVA_WHISPER_MODEL` from. */
  env: Record<string, string | undefined>;
  stderr: { write(text: string): unknown; isTTY?: boolean };
  cwd?: string;
  /** Files the CLI knows (tests inject their own). */
  catalog?: readonly OfficialModelFile[];
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

interface DownloadCliArgs {
  names: string[];
  baseUrl: string | undefined;
  modelsDir: string | undefined;
  force: boolean;
  resume: boolean;
  help: boolean;
}

/** Parses the command line; throws an Error with a usage hint on bad input. */
export function parseDownloadArgs(argv: readonly string[]): DownloadCliArgs {
  const args: DownloadCliArgs = { names: [], baseUrl: undefined, modelsDir: undefined, force: false, resume: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (flag: string): string => {
      const inline = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : undefined;
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--force') args.force = true;
    else if (arg === '--no-resume') args.resume = false;
    else if (arg === '--base-url' || arg.startsWith('--base-url=')) args.baseUrl = value('--base-url');
    else if (arg === '--models-dir' || arg.startsWith('--models-dir=')) args.modelsDir = value('--models-dir');
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
    else args.names.push(arg);
  }
  return args;
}

function usage(catalog: readonly OfficialModelFile[]): string {
  const rows = catalog.map((file) => `  ${file.name.padEnd(20)} ${formatBytes(file.sizeBytes).padStart(9)}  ${file.folder}/${file.fileName}`);
  return [
    'Usage: npm run models:download -- [NAME...] [--base-url URL] [--models-dir DIR] [--force] [--no-resume]',
    '',
    'Downloads model files into the models folder (VIVA_MODELS_DIR, default ./models), verifying size and sha256.',
    `Without NAME: the configured whisper model (VIVA_WHISPER_MODEL, default ${DEFAULT_WHISPER_MODEL}) and silero.`,
    '--base-url (or VIVA_MODEL_BASE_URL): a mirror serving the files by name, e.g. https://mirror.local/models/ggml-base.bin',
    '',
    'Known files:',
    ...rows,
  ].join('\n');
}

/** Runs the downloader; resolves to the process exit code (0 ok, 1 a download failed, 2 bad usage, 130 interrupted). */
export async function runDownloadModels(argv: readonly string[], io: DownloadCliIo): Promise<number> {
  const catalog = io.catalog ?? OFFICIAL_MODEL_FILES;
  const say = (line: string) => io.stderr.write(`${line}\n`);
  let args: DownloadCliArgs;
  try {
    args = parseDownloadArgs(argv);
  } catch (error) {
    say(`models:download: ${(error as Error).message}\n\n${usage(catalog)}`);
    return 2;
  }
  if (args.help) {
    say(usage(catalog));
    return 0;
  }
  const names = args.names.length > 0 ? args.names : [io.env.VIVA_WHISPER_MODEL ?? DEFAULT_WHISPER_MODEL, 'silero'];
  const files: OfficialModelFile[] = [];
  for (const name of names) {
    const file = findOfficialModelFile(name, catalog);
    if (!file) {
      say(`models:download: unknown model "${name}".\n\n${usage(catalog)}`);
      return 2;
    }
    files.push(file);
  }
  const cwd = io.cwd ?? process.cwd();
  const modelsDir = path.resolve(cwd, args.modelsDir ?? io.env.VIVA_MODELS_DIR ?? 'models');
  const baseUrl = (args.baseUrl ?? io.env.VIVA_MODEL_BASE_URL)?.replace(/\/+$/, '');

  for (const file of files) {
    const destPath = path.join(modelsDir, file.folder, file.fileName);
    const url = baseUrl ? `${baseUrl}/${file.fileName}` : file.url;
    const checksum = file.sha256 ? `sha256 ${file.sha256.slice(0, 12)}…` : file.sha1 ? `sha1 ${file.sha1.slice(0, 12)}… (sha256 unknown)` : 'size only (no checksum known)';

    if (!args.force && (await fileSize(destPath)) > 0) {
      const present = await hashFile(destPath, { signal: io.signal });
      const matches =
        present.sizeBytes === file.sizeBytes &&
        (file.sha256 ? present.sha256 === file.sha256 : file.sha1 ? present.sha1 === file.sha1 : true);
      if (matches) {
        say(`${file.name}: ${destPath} is already there and verified (${checksum}).`);
        continue;
      }
      say(`${file.name}: ${destPath} exists but does not match the official file; downloading it again.`);
    }

    say(`${file.name}: ${url}\n  -> ${destPath} (${formatBytes(file.sizeBytes)}, checked by ${checksum})`);
    const bar = progressBar(io.stderr, file.fileName);
    try {
      const result = await downloadVerified(
        url,
        destPath,
        { sizeBytes: file.sizeBytes, sha256: file.sha256, sha1: file.sha1 },
        { signal: io.signal, onProgress: bar, resume: args.resume, fetch: io.fetch },
      );
      const resumed = result.resumedFromBytes > 0 ? `, resumed from ${formatBytes(result.resumedFromBytes)}` : '';
      say(`${file.name}: verified ${result.verifiedBy} ${result[result.verifiedBy === 'sha1' ? 'sha1' : 'sha256']}${resumed}. Saved ${destPath}`);
    } catch (error) {
      if (io.signal?.aborted) {
        say(`\n${file.name}: interrupted. The partial file ${destPath}.part is kept: run the same command to resume.`);
        return 130;
      }
      const kept = error instanceof DownloadError && error.partKept ? ` The partial file ${destPath}.part is kept: run the same command to resume.` : '';
      const removed = error instanceof DownloadError && !error.partKept ? ' The downloaded file was deleted.' : '';
      say(`\n${file.name}: download failed: ${describe(error)}.${removed}${kept}`);
      return 1;
    }
  }
  return 0;
}

/** A progress line on stderr: redrawn in place on a terminal, one line per ~10% otherwise. */
function progressBar(stderr: DownloadCliIo['stderr'], label: string): (progress: DownloadProgress) => void {
  let lastDecile = -1;
  return (progress) => {
    const { receivedBytes, totalBytes, bytesPerSecond, done } = progress;
    const fraction = totalBytes ? Math.min(receivedBytes / totalBytes, 1) : null;
    const width = 24;
    const filled = fraction === null ? 0 : Math.round(fraction * width);
    const text =
      `  ${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` +
      `${formatBytes(receivedBytes)}${totalBytes ? ` / ${formatBytes(totalBytes)}` : ''}` +
      `${fraction === null ? '' : `  ${(fraction * 100).toFixed(1)}%`}  ${formatBytes(bytesPerSecond)}/s`;
    if (stderr.isTTY) {
      stderr.write(`\r${text}\x1b[K${done ? '\n' : ''}`);
      return;
    }
    const decile = fraction === null ? -1 : Math.floor(fraction * 10);
    if (done || decile > lastDecile) {
      lastDecile = decile;
      stderr.write(`${text}\n`);
    }
  };
}

function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${Math.round(bytes)} B`;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isMain) {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  // This entry point is the one place the downloader reads the environment (it runs without the server's env.ts).
  const code = await runDownloadModels(process.argv.slice(2), { env: process.env, stderr: process.stderr, signal: controller.signal });
  process.exitCode = code;
}
