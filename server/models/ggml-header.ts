import { open, type FileHandle } from 'node:fs/promises';
import { ModelFileError } from './catalog.ts';

/**
 * The ggml header walker: reads a whisper.cpp model file structurally (magic, hyperparameters, mel filters, vocabulary,
 * every tensor header) without loading weights. whisper.cpp aborts the whole process on a wrong or truncated file (a
 * native assert, or a null context dereferenced by the binding), so every file is walked here before the binding sees it.
 */

/** Magic number at the start of a whisper.cpp ggml model file ("ggml" as a little-endian uint32, bytes `lmgg`). */
export const GGML_FILE_MAGIC = 0x67676d6c;

/** What the header and tensor directory of a ggml whisper file say. */
export interface WhisperModelHeader {
  sizeBytes: number;
  nVocab: number;
  nAudioCtx: number;
  nAudioState: number;
  nAudioHead: number;
  nAudioLayer: number;
  nTextCtx: number;
  nTextState: number;
  nTextHead: number;
  nTextLayer: number;
  nMels: number;
  ftype: number;
  /** False for English-only (`.en`) models: their vocabulary has no language tokens. */
  multilingual: boolean;
  /** Tensors found; 0 for whisper.cpp's zero-weight test models. */
  tensorCount: number;
}

// ggml tensor types whisper files use: bytes per block and elements per block (ggml/include/ggml.h, ggml-common.h).
const GGML_TYPE_SIZES: ReadonlyMap<number, { blockBytes: number; blockElements: number; label: string }> = new Map([
  [0, { blockBytes: 4, blockElements: 1, label: 'f32' }],
  [1, { blockBytes: 2, blockElements: 1, label: 'f16' }],
  [2, { blockBytes: 18, blockElements: 32, label: 'q4_0' }],
  [3, { blockBytes: 20, blockElements: 32, label: 'q4_1' }],
  [6, { blockBytes: 22, blockElements: 32, label: 'q5_0' }],
  [7, { blockBytes: 24, blockElements: 32, label: 'q5_1' }],
  [8, { blockBytes: 34, blockElements: 32, label: 'q8_0' }],
  [9, { blockBytes: 36, blockElements: 32, label: 'q8_1' }],
  [10, { blockBytes: 84, blockElements: 256, label: 'q2_k' }],
  [11, { blockBytes: 110, blockElements: 256, label: 'q3_k' }],
  [12, { blockBytes: 144, blockElements: 256, label: 'q4_k' }],
  [13, { blockBytes: 176, blockElements: 256, label: 'q5_k' }],
  [14, { blockBytes: 210, blockElements: 256, label: 'q6_k' }],
  [30, { blockBytes: 2, blockElements: 1, label: 'bf16' }],
]);

/** Reads little-endian integers sequentially from a file through a 1 MiB window. */
class FileCursor {
  position = 0;
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly sizeBytes: number,
  ) {}

  remaining(): number {
    return this.sizeBytes - this.position;
  }

  /** True when the next `count` bytes are already in memory (then `take` needs no await). */
  ready(count: number): boolean {
    const offset = this.position - this.windowStart;
    return offset >= 0 && offset + count <= this.window.length;
  }

  async fill(count: number, what: string): Promise<void> {
    if (count > this.remaining()) throw new TruncatedError(what, this.position, count, this.sizeBytes);
    const length = Math.min(Math.max(count, 1 << 20), this.remaining());
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await this.handle.read(buffer, 0, length, this.position);
    this.window = buffer.subarray(0, bytesRead);
    this.windowStart = this.position;
    if (bytesRead < count) throw new TruncatedError(what, this.position, count, this.sizeBytes);
  }

  take(count: number): Buffer {
    const start = this.position - this.windowStart;
    this.position += count;
    return this.window.subarray(start, start + count);
  }

  async bytes(count: number, what: string): Promise<Buffer> {
    if (!this.ready(count)) await this.fill(count, what);
    return this.take(count);
  }

  async int32(what: string): Promise<number> {
    return (await this.bytes(4, what)).readInt32LE(0);
  }

  async uint32(what: string): Promise<number> {
    return (await this.bytes(4, what)).readUInt32LE(0);
  }

  skip(count: number, what: string): void {
    if (count > this.remaining()) throw new TruncatedError(what, this.position, count, this.sizeBytes);
    this.position += count;
  }
}

class TruncatedError extends Error {
  constructor(what: string, offset: number, needed: number, sizeBytes: number) {
    super(`file ends at byte ${sizeBytes} but ${what} needs ${needed} bytes at offset ${offset}: the file is truncated`);
  }
}

/**
 * Walks a whisper.cpp ggml file (magic, hyperparameters, mel filters, vocabulary, then every tensor header with its
 * data length) without loading weights, and checks that the last tensor ends exactly at the end of the file.
 * Throws `ModelFileError` ('model-invalid') for anything whisper.cpp would choke on.
 */
export async function inspectWhisperModelFile(filePath: string, options: { signal?: AbortSignal } = {}): Promise<WhisperModelHeader> {
  options.signal?.throwIfAborted();
  let handle: FileHandle;
  try {
    handle = await open(filePath, 'r');
  } catch (error) {
    throw new ModelFileError('model-not-found', `cannot open ${filePath}: ${(error as Error).message}`, filePath);
  }
  try {
    const { size } = await handle.stat();
    const cursor = new FileCursor(handle, size);
    const fail = (reason: string): never => {
      throw new ModelFileError('model-invalid', `${filePath} is not a usable whisper.cpp model: ${reason}`, filePath);
    };
    try {
      if (size < 4) fail(`the file has ${size} bytes`);
      const magic = await cursor.uint32('the magic number');
      if (magic !== GGML_FILE_MAGIC) {
        fail(`it does not start with the ggml magic "lmgg" (0x67676d6c), found 0x${magic.toString(16).padStart(8, '0')}`);
      }
      const h = [] as number[];
      for (let i = 0; i < 11; i++) h.push(await cursor.int32('the hyperparameters'));
      const [nVocab, nAudioCtx, nAudioState, nAudioHead, nAudioLayer, nTextCtx, nTextState, nTextHead, nTextLayer, nMels, ftype] =
        h as [number, number, number, number, number, number, number, number, number, number, number];
      const inRange = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;
      if (!inRange(nVocab, 1, 1_000_000) || !inRange(nAudioCtx, 1, 100_000) || !inRange(nTextCtx, 1, 100_000)) {
        fail(`implausible hyperparameters (n_vocab ${nVocab}, n_audio_ctx ${nAudioCtx}, n_text_ctx ${nTextCtx})`);
      }
      if (!inRange(nAudioLayer, 1, 256) || !inRange(nTextLayer, 1, 256) || !inRange(nAudioHead, 1, 1024) || !inRange(nTextHead, 1, 1024)) {
        fail(`implausible layer counts (${nAudioLayer} audio, ${nTextLayer} text)`);
      }
      // whisper.cpp asserts this natively (an abort, not an error).
      if (nAudioState !== nTextState || !inRange(nAudioState, 1, 65_536)) {
        fail(`n_audio_state ${nAudioState} differs from n_text_state ${nTextState}`);
      }
      if (!inRange(nMels, 1, 1024)) fail(`implausible n_mels ${nMels}`);

      const filterMels = await cursor.int32('the mel filter header');
      const filterFft = await cursor.int32('the mel filter header');
      if (!inRange(filterMels, 1, 1024) || !inRange(filterFft, 1, 65_536)) fail(`implausible mel filter shape ${filterMels}x${filterFft}`);
      cursor.skip(filterMels * filterFft * 4, 'the mel filters');

      const vocabCount = await cursor.int32('the vocabulary size');
      if (!inRange(vocabCount, 0, 1_000_000)) fail(`implausible vocabulary size ${vocabCount}`);
      for (let i = 0; i < vocabCount; i++) {
        // ~52k entries: read from the in-memory window without an await per entry.
        if (!cursor.ready(4)) await cursor.fill(4, 'a vocabulary entry');
        const length = cursor.take(4).readUInt32LE(0);
        if (length > 4096) fail(`vocabulary entry ${i} claims ${length} bytes`);
        cursor.skip(length, 'a vocabulary entry');
      }

      let tensorCount = 0;
      while (cursor.remaining() > 0) {
        if ((tensorCount & 63) === 0) options.signal?.throwIfAborted();
        const nDims = await cursor.int32('a tensor header');
        const nameLength = await cursor.int32('a tensor header');
        const type = await cursor.int32('a tensor header');
        if (!inRange(nDims, 1, 4) || !inRange(nameLength, 1, 1024)) {
          fail(`tensor #${tensorCount + 1} at offset ${cursor.position - 12} has a corrupt header (n_dims ${nDims}, name length ${nameLength})`);
        }
        let elements = 1;
        for (let d = 0; d < nDims; d++) {
          const extent = await cursor.int32('a tensor shape');
          if (!inRange(extent, 1, 1 << 30)) fail(`tensor #${tensorCount + 1} has dimension ${extent}`);
          elements *= extent;
        }
        const name = (await cursor.bytes(nameLength, 'a tensor name')).toString('utf8');
        const typeSize = GGML_TYPE_SIZES.get(type);
        if (!typeSize) fail(`tensor "${name}" has ggml type ${type}, which whisper.cpp in smart-whisper 0.8.1 cannot load`);
        const { blockBytes, blockElements } = typeSize!;
        if (elements % blockElements !== 0) fail(`tensor "${name}" has ${elements} elements, not a multiple of ${blockElements}`);
        cursor.skip((elements / blockElements) * blockBytes, `the data of tensor "${name}"`);
        tensorCount++;
      }

      return {
        sizeBytes: size,
        nVocab,
        nAudioCtx,
        nAudioState,
        nAudioHead,
        nAudioLayer,
        nTextCtx,
        nTextState,
        nTextHead,
        nTextLayer,
        nMels,
        ftype,
        // whisper.cpp: the English-only vocabulary has 51864 entries, multilingual ones 51865 (51866 for large-v3).
        multilingual: nVocab >= 51_865,
        tensorCount,
      };
    } catch (error) {
      if (error instanceof TruncatedError) fail(error.message);
      throw error;
    }
  } finally {
    await handle.close();
  }
}