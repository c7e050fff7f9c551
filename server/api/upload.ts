import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../store/database.ts';
import { safeFileName } from '../store/paths.ts';
import { ApiError } from './errors.ts';

/** Suffix of uploads on disk; leftovers of a dead process are removed at start-up. */
export const UPLOAD_SUFFIX = '.upload';

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, 'upload-too-large', `the upload is larger than the ${Math.round(maxBytes / 1_048_576)} MiB limit (VIVA_MAX_UPLOAD_BYTES)`);
}

/**
 * Streams a raw request body to `<uploadDir>/<interview>-<random>.upload`, refusing more than `maxBytes` (by
 * Content-Length before reading, and by counting while reading for chunked bodies). On any failure the partial file is
 * removed. Returns the path and size.
 */
export async function saveUpload(
  req: Request,
  options: { uploadDir: string; interviewId: string; maxBytes: number },
): Promise<{ filePath: string; bytes: number }> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxBytes) throw tooLarge(options.maxBytes);
  await mkdir(options.uploadDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const filePath = path.join(options.uploadDir, `${safeFileName(options.interviewId)}-${randomBytes(6).toString('hex')}${UPLOAD_SUFFIX}`);
  let bytes = 0;
  try {
    if (Buffer.isBuffer(req.body)) {
      // A body parser mounted before this router already read the body.
      if (req.body.byteLength > options.maxBytes) throw tooLarge(options.maxBytes);
      await writeFile(filePath, req.body, { flag: 'wx', mode: PRIVATE_FILE_MODE });
      return { filePath, bytes: req.body.byteLength };
    }
    const limiter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.byteLength;
        if (bytes > options.maxBytes) callback(tooLarge(options.maxBytes));
        else callback(null, chunk);
      },
    });
    // req stays out of pipeline(): a failed pipeline destroys its source, which would kill the socket before the 413
    // reply could be sent. Piped by hand, req is only unpiped, and the caller drains it.
    const written = pipeline(limiter, createWriteStream(filePath, { flags: 'wx', mode: PRIVATE_FILE_MODE }));
    const onClose = (): void => {
      if (!req.complete) limiter.destroy(Object.assign(new Error('upload interrupted'), { code: 'ECONNRESET' }));
    };
    req.once('close', onClose);
    req.pipe(limiter);
    try {
      await written;
    } finally {
      req.unpipe(limiter);
      req.off('close', onClose);
    }
    return { filePath, bytes };
  } catch (error) {
    await rm(filePath, { force: true });
    if (error instanceof ApiError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (error as Error).name === 'AbortError') {
      throw new ApiError(400, 'invalid-request', 'the upload was interrupted before it finished');
    }
    throw error;
  }
}
