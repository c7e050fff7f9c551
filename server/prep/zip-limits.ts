import { ExtractError } from './extract-error.ts';

/** Limits on a .docx (a zip archive) checked from its central directory before anything is unpacked. */
export interface ZipLimits {
  /** Most entries; default 1000 (a résumé .docx has ~15-60). */
  maxEntries?: number;
  /** Largest total unpacked size; default 64 MiB. */
  maxUncompressedBytes?: number;
  /** Largest unpacked/packed ratio of an entry over 1 MiB unpacked; default 100 (Word XML packs ~10:1, a zip bomb ~1000:1). */
  maxRatio?: number;
}

/** Defaults of ZipLimits. */
export const ZIP_LIMIT_DEFAULTS = { maxEntries: 1000, maxUncompressedBytes: 64 * 1024 * 1024, maxRatio: 100 } as const;

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_HEADER = 0x02014b50;
const RATIO_CHECKED_ABOVE_BYTES = 1024 * 1024;

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Reads the zip's central directory and refuses an archive with too many entries, too much unpacked data or a
 * zip-bomb ratio (ExtractError 'too-large'), or one whose directory is unreadable or uses ZIP64 ('corrupt'). The sizes
 * are what the archive declares: the worker's memory and time limits catch an archive that lies.
 */
export function checkZipLimits(bytes: Uint8Array, limits: ZipLimits = {}): void {
  const maxEntries = limits.maxEntries ?? ZIP_LIMIT_DEFAULTS.maxEntries;
  const maxUncompressed = limits.maxUncompressedBytes ?? ZIP_LIMIT_DEFAULTS.maxUncompressedBytes;
  const maxRatio = limits.maxRatio ?? ZIP_LIMIT_DEFAULTS.maxRatio;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (why: string): ExtractError => new ExtractError('corrupt', `corrupt or unreadable .docx (${why})`);

  let end = -1;
  for (let offset = bytes.length - 22; offset >= Math.max(0, bytes.length - 65_557); offset--) {
    if (view.getUint32(offset, true) === END_OF_CENTRAL_DIRECTORY) {
      end = offset;
      break;
    }
  }
  if (end < 0) throw corrupt('no zip directory');
  const entries = view.getUint16(end + 10, true);
  const directoryOffset = view.getUint32(end + 16, true);
  if (entries === 0xffff || directoryOffset === 0xffffffff) throw corrupt('ZIP64 archive');
  if (entries > maxEntries) throw new ExtractError('too-large', `the .docx holds ${entries} files, more than the ${maxEntries} limit`);

  let offset = directoryOffset;
  let total = 0;
  for (let index = 0; index < entries; index++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== CENTRAL_HEADER) throw corrupt('damaged zip directory');
    const packed = view.getUint32(offset + 20, true);
    const unpacked = view.getUint32(offset + 24, true);
    if (packed === 0xffffffff || unpacked === 0xffffffff) throw corrupt('ZIP64 archive');
    total += unpacked;
    if (total > maxUncompressed) {
      throw new ExtractError('too-large', `the .docx unpacks to more than ${mebibytes(maxUncompressed)}, the limit`);
    }
    if (unpacked > RATIO_CHECKED_ABOVE_BYTES && unpacked > packed * maxRatio) {
      throw new ExtractError('too-large', `the .docx holds a file that unpacks ${Math.round(unpacked / Math.max(1, packed))} times larger (a zip bomb?)`);
    }
    offset += 46 + view.getUint16(offset + 28, true) + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
  }
}
