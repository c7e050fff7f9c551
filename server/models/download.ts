import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { OfficialModelFile } from './catalog.ts';
import { inspectWhisperModelFile } from './ggml-header.ts';

/**
 * Fetching model files: to `<file>.part` first (resumed with an HTTP Range request when a previous run was interrupted),
 * checked against the known size and sha256 (sha1 when whisper.cpp publishes only that), and only then renamed into
 * place, so a half-written or tampered file is never where the server looks for models. Used by `npm run
 * models:download` and by the first start.
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
      throw new DownloadError('network-error', `cannot reach ${url}: ${describeError(error)}`, existing > 0);
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
    // Each chunk is on disk before the next is read: a connection cut mid-way leaves a part file a later run resumes
    // from (a buffered write stream destroyed by the error would lose its queued chunks).
    const part = await open(partPath, resuming ? 'a' : 'w');
    try {
      for await (const chunk of Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>) as AsyncIterable<Buffer>) {
        receivedBytes += chunk.length;
        if (expectedSize !== null && receivedBytes > expectedSize) {
          throw new DownloadError('size-mismatch', `${url} sent more than the expected ${expectedSize} bytes`, false);
        }
        sha256.update(chunk);
        sha1.update(chunk);
        await part.write(chunk);
        const now = performance.now();
        if (now - lastReportAt >= 100) {
          lastReportAt = now;
          report(false);
        }
      }
    } catch (error) {
      await part.close();
      if (error instanceof DownloadError) {
        await rm(partPath, { force: true });
        throw error;
      }
      if (signal?.aborted) throw error;
      throw new DownloadError('network-error', `download of ${url} broke off after ${receivedBytes} bytes: ${describeError(error)}`, true);
    }
    await part.close();
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

/** An error's message with its cause (fetch hides the network reason in `cause`). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}


/** Where progress lines go: a terminal redraws one line, anything else gets a line per ~10 %. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Where a catalog file lives in the models folder. */
export function catalogFilePath(modelsDir: string, file: OfficialModelFile): string {
  return path.join(modelsDir, file.folder, file.fileName);
}

/**
 * True when a file already in place can be used without downloading it again: the official size and the right format
 * (a complete ggml tensor directory, an ONNX protobuf, a GGUF header). Not its sha256: a file converted elsewhere (the
 * shared ggml-base.bin) can differ from the official bytes and be the same model; downloads are checked by sha256.
 */
export async function isUsableCopy(file: OfficialModelFile, filePath: string): Promise<boolean> {
  if ((await fileSize(filePath)) !== file.sizeBytes) return false;
  if (file.kind === 'whisper') {
    return inspectWhisperModelFile(filePath).then(
      (header) => header.tensorCount > 0,
      () => false,
    );
  }
  const head = Buffer.alloc(4);
  const handle = await open(filePath, 'r');
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  // ONNX: protobuf field 1 (ir_version) tag 0x08. GGUF: the magic "GGUF".
  return file.kind === 'silero-vad' ? head[0] === 0x08 : head.toString('latin1') === 'GGUF';
}

/** Options of `fetchCatalogFile`. */
export interface FetchCatalogFileOptions {
  modelsDir: string;
  /** A mirror serving the files by name; the catalog's URL when unset. */
  baseUrl?: string | undefined;
  stderr: ProgressStream;
  signal?: AbortSignal | undefined;
  fetch?: typeof fetch | undefined;
  resume?: boolean;
  /** Download even when a usable copy is in place. */
  force?: boolean;
}

/**
 * Puts one catalog file in the models folder: nothing to do when a usable copy is there, otherwise a verified download
 * with a progress bar. Resolves to what happened; rejects with `DownloadError` (or the abort reason).
 */
export async function fetchCatalogFile(file: OfficialModelFile, options: FetchCatalogFileOptions): Promise<'present' | 'downloaded'> {
  const say = (line: string) => options.stderr.write(`${line}\n`);
  const destPath = catalogFilePath(options.modelsDir, file);
  const baseUrl = options.baseUrl?.replace(/\/+$/, '');
  const url = baseUrl ? `${baseUrl}/${file.fileName}` : file.url;
  const checksum = file.sha256 ? `sha256 ${file.sha256.slice(0, 12)}…` : file.sha1 ? `sha1 ${file.sha1.slice(0, 12)}… (sha256 unknown)` : 'size only';
  if (!options.force && (await fileSize(destPath)) > 0) {
    if (await isUsableCopy(file, destPath)) {
      say(`${file.name}: ${destPath} is already there (official size, ${file.kind === 'whisper' ? 'complete ggml file' : 'right format'}).`);
      return 'present';
    }
    say(`${file.name}: ${destPath} exists but is not the official size or format; downloading it again.`);
  }
  say(`${file.name}: ${url}\n  -> ${destPath} (${formatBytes(file.sizeBytes)}, checked by size and ${checksum})`);
  const result = await downloadVerified(
    url,
    destPath,
    { sizeBytes: file.sizeBytes, sha256: file.sha256, sha1: file.sha1 },
    { signal: options.signal, onProgress: progressBar(options.stderr, file.fileName), resume: options.resume ?? true, fetch: options.fetch },
  );
  const resumed = result.resumedFromBytes > 0 ? `, resumed from ${formatBytes(result.resumedFromBytes)}` : '';
  say(`${file.name}: verified ${result.verifiedBy} ${result[result.verifiedBy === 'sha1' ? 'sha1' : 'sha256']}${resumed}. Saved ${destPath}`);
  return 'downloaded';
}

/** A progress line on stderr: redrawn in place on a terminal, one line per ~10% otherwise. */
export function progressBar(stderr: ProgressStream, label: string): (progress: DownloadProgress) => void {
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

/** Bytes as a person reads them (2.33 MB, 1.12 GB). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${Math.round(bytes)} B`;
}
