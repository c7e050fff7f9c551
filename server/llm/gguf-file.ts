/** Checks a GGUF model file before node-llama-cpp reads it, so a missing or damaged file gives a message, not a crash. */
import { open, stat } from 'node:fs/promises';

/** 'GGUF' read as a little-endian uint32. */
const GGUF_MAGIC = 0x46554747;
/** GGUF versions llama.cpp reads today. */
const GGUF_VERSIONS = new Set([2, 3]);
/** Header (magic, version, tensor and metadata counts) plus a little metadata: anything smaller is not a model. */
const MIN_GGUF_BYTES = 1024 * 1024;

/** Why the LLM model file cannot be used. */
export class LlmModelFileError extends Error {
  override name = 'LlmModelFileError';
  constructor(
    readonly code: 'llm-model-not-found' | 'llm-model-invalid',
    message: string,
    readonly filePath: string,
  ) {
    super(message);
  }
}

/** What a GGUF header says. */
export interface GgufFileHeader {
  sizeBytes: number;
  version: number;
  tensorCount: number;
}

/**
 * Reads the header of `filePath`: throws LlmModelFileError naming the file and `fix` when it is missing, too small,
 * not GGUF, or of an unknown version. Truncated tensor data is reported by llama.cpp itself at load.
 */
export async function checkGgufFile(filePath: string, fix: string): Promise<GgufFileHeader> {
  let sizeBytes: number;
  try {
    const info = await stat(filePath);
    if (!info.isFile()) throw new LlmModelFileError('llm-model-invalid', `the LLM model ${filePath} is not a file; ${fix}`, filePath);
    sizeBytes = info.size;
  } catch (error) {
    if (error instanceof LlmModelFileError) throw error;
    throw new LlmModelFileError('llm-model-not-found', `the LLM model file ${filePath} was not found; ${fix}`, filePath);
  }
  const invalid = (why: string): LlmModelFileError =>
    new LlmModelFileError('llm-model-invalid', `the LLM model file ${filePath} is not a usable GGUF model (${why}); ${fix}`, filePath);
  if (sizeBytes < MIN_GGUF_BYTES) throw invalid(`only ${sizeBytes} bytes: an interrupted download?`);
  const header = Buffer.alloc(24);
  const handle = await open(filePath, 'r');
  try {
    await handle.read(header, 0, header.length, 0);
  } finally {
    await handle.close();
  }
  if (header.readUInt32LE(0) !== GGUF_MAGIC) throw invalid('it does not start with the GGUF magic');
  const version = header.readUInt32LE(4);
  if (!GGUF_VERSIONS.has(version)) throw invalid(`GGUF version ${version}; llama.cpp reads versions 2 and 3`);
  const tensorCount = Number(header.readBigUInt64LE(8));
  if (tensorCount === 0 || tensorCount > 1_000_000) throw invalid(`${tensorCount} tensors`);
  return { sizeBytes, version, tensorCount };
}
