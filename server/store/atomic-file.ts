import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Suffix of files being written; a crash can leave one behind, and the retention sweep removes old ones. */
export const TEMP_SUFFIX = '.tmp-';

/**
 * Writes `bytes` to `target` so readers see the old file or the whole new one, never a part: write a temp file beside
 * it, fsync, rename over the target. The temp file is removed on any failure, abort included.
 */
export async function writeFileAtomic(target: string, bytes: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<void> {
  options.signal?.throwIfAborted();
  // Owner-only: these files hold recordings of people (see PRIVATE_FILE_MODE in database.ts).
  await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  const temp = `${target}${TEMP_SUFFIX}${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(temp, 'wx', 0o600);
  let renamed = false;
  try {
    try {
      await handle.writeFile(bytes, { signal: options.signal });
      // Without the fsync a power cut after the rename can leave an empty file under the final name.
      await handle.sync();
    } finally {
      await handle.close();
    }
    options.signal?.throwIfAborted();
    await rename(temp, target);
    renamed = true;
  } finally {
    if (!renamed) await unlink(temp).catch(() => undefined);
  }
}
