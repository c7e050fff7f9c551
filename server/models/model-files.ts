import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { ModelFileError, OFFICIAL_MODEL_FILES, downloadCommand, findOfficialModelFile, type OfficialModelFile } from './catalog.ts';
import { inspectWhisperModelFile, type WhisperModelHeader } from './ggml-header.ts';

// The catalog moved to catalog.ts; the LLM's file name is still imported from here by the embedded LLM.
export { DEFAULT_LLM_FILE_NAME } from './catalog.ts';

/**
 * Locating and checking model files before anything native touches them: each file is read structurally first (see
 * ggml-header.ts) and refused with a message that names the file and the command that fetches it. A file already in the
 * models folder is accepted by its structure (ggml magic, a tensor directory that ends exactly at the end of the file)
 * and, for an official name, compared by size; sha256 is checked only on download (models:download), because a
 * re-converted file can be byte-for-byte different from the official one and still be the same model.
 */

/** A whisper model file that passed the checks and can be handed to the binding. */
export interface ResolvedWhisperModel {
  /** Name it was asked by (`base.en`), or the file name when a path was given. */
  name: string;
  filePath: string;
  /** A zero-weight model: real cost, meaningless text. Callers must warn loudly. */
  isTestModel: boolean;
  multilingual: boolean;
  header: WhisperModelHeader;
  /** The official entry with this name, when there is one. */
  official: OfficialModelFile | undefined;
  /** Things worth a log line (test model in use, size differs from the official file...). */
  warnings: string[];
}

/** A Silero VAD file that passed the checks. */
export interface ResolvedSileroModel {
  filePath: string;
  sizeBytes: number;
  warnings: string[];
}

/** Path of the real model `name` in the models folder. */
export function whisperModelPath(modelsDir: string, name: string): string {
  return path.join(modelsDir, 'whisper', `ggml-${name}.bin`);
}

/** Path of the Silero VAD onnx file in the models folder. */
export function sileroVadPath(modelsDir: string): string {
  return path.join(modelsDir, 'silero-vad', 'silero_vad.onnx');
}

async function isFile(filePath: string): Promise<boolean> {
  try {
    return (await stat(filePath)).isFile();
  } catch {
    return false;
  }
}

function looksLikePath(nameOrPath: string): boolean {
  return nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.bin');
}

/**
 * Finds and checks a whisper model. A path is used as is; a name (`base`, `tiny.en-q8_0`, `large-v3-turbo`) is looked up
 * as `<modelsDir>/whisper/ggml-<name>.bin`. A file that exists but is damaged is refused with the command that fetches it.
 */
export async function resolveWhisperModel(
  modelsDir: string,
  nameOrPath: string,
  options: { signal?: AbortSignal; catalog?: readonly OfficialModelFile[] } = {},
): Promise<ResolvedWhisperModel> {
  const catalog = options.catalog ?? OFFICIAL_MODEL_FILES;
  if (looksLikePath(nameOrPath)) {
    const filePath = path.resolve(nameOrPath);
    if (!(await isFile(filePath))) {
      throw new ModelFileError('model-not-found', `Whisper model file ${filePath} does not exist.`, filePath);
    }
    const nameFromFile = /^ggml-(.+)\.bin$/.exec(path.basename(filePath))?.[1];
    const official = nameFromFile === undefined ? undefined : findOfficialModelFile(nameFromFile, catalog);
    return checkWhisperFile(filePath, path.basename(filePath), official, undefined, options.signal);
  }

  const name = nameOrPath;
  const official = findOfficialModelFile(name, catalog);
  if (official && official.kind !== 'whisper') {
    throw new ModelFileError('model-not-found', `"${name}" is not a whisper model.`, modelsDir);
  }
  const command = official ? downloadCommand([name], modelsDir) : undefined;
  const realPath = whisperModelPath(modelsDir, name);
  if (await isFile(realPath)) return checkWhisperFile(realPath, name, official, command, options.signal);

  const known = catalog.filter((file) => file.kind === 'whisper').map((file) => file.name);
  const fix = command
    ? `Fetch it with: ${command}`
    : `"${name}" is not an official model name (${known.join(', ')}); put your own ggml file at ${realPath} or give a file path.`;
  throw new ModelFileError(
    'model-not-found',
    `Whisper model "${name}" not found at ${realPath}. ${fix}`,
    realPath,
    command,
  );
}

async function checkWhisperFile(
  filePath: string,
  name: string,
  official: OfficialModelFile | undefined,
  command: string | undefined,
  signal: AbortSignal | undefined,
): Promise<ResolvedWhisperModel> {
  let header: WhisperModelHeader;
  try {
    header = await inspectWhisperModelFile(filePath, { signal });
  } catch (error) {
    if (!(error instanceof ModelFileError)) throw error;
    const sizeNote =
      official
        ? ` The official ggml-${official.name}.bin has ${official.sizeBytes} bytes` +
          ((await fileSize(filePath)) < official.sizeBytes ? ' (an interrupted download?).' : '.')
        : '';
    const fix = command ? ` Delete it and fetch it again with: ${command}` : '';
    throw new ModelFileError(error.code, `${error.message}.${sizeNote}${fix}`, filePath, command);
  }

  const warnings: string[] = [];
  const isTestModel = header.tensorCount === 0;
  if (isTestModel) {
    warnings.push(
      `USING A ZERO-WEIGHT TEST MODEL (${filePath}): transcripts will be meaningless. ` +
        `Fetch real weights with: ${command ?? downloadCommand([name])}`,
    );
  } else if (official && header.sizeBytes !== official.sizeBytes) {
    warnings.push(
      `${filePath} has ${header.sizeBytes} bytes, the official ggml-${official.name}.bin has ${official.sizeBytes}: ` +
        'not the official file (a fine-tune or another quantization?); its checksum was not verified.',
    );
  }
  if (official?.multilingual !== undefined && official.multilingual !== header.multilingual) {
    warnings.push(`${filePath} is named like ${official.name} but its vocabulary says ${header.multilingual ? 'multilingual' : 'English-only'}.`);
  }
  return { name, filePath, isTestModel, multilingual: header.multilingual, header, official, warnings };
}

async function fileSize(filePath: string): Promise<number> {
  try {
    return (await stat(filePath)).size;
  } catch {
    return 0;
  }
}

/**
 * Finds and checks `<modelsDir>/silero-vad/silero_vad.onnx` (or `filePath` when given): it must exist and look like an
 * ONNX protobuf. A size different from the pinned official file is only a warning (other Silero versions work).
 */
export async function resolveSileroVadModel(
  modelsDir: string,
  options: { filePath?: string; signal?: AbortSignal; catalog?: readonly OfficialModelFile[] } = {},
): Promise<ResolvedSileroModel> {
  options.signal?.throwIfAborted();
  const filePath = options.filePath ? path.resolve(options.filePath) : sileroVadPath(modelsDir);
  const official = findOfficialModelFile('silero', options.catalog);
  const command = downloadCommand(['silero'], modelsDir);
  if (!(await isFile(filePath))) {
    throw new ModelFileError('model-not-found', `Silero VAD model not found at ${filePath}. Fetch it with: ${command}`, filePath, command);
  }
  const handle = await open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(16);
    await handle.read(head, 0, 16, 0);
    // An ONNX ModelProto starts with field 1 (ir_version, varint): tag byte 0x08.
    if (size < 1024 || head[0] !== 0x08) {
      throw new ModelFileError(
        'model-invalid',
        `${filePath} is not an ONNX model (${size} bytes, first byte 0x${(head[0] ?? 0).toString(16)}). Delete it and fetch it again with: ${command}`,
        filePath,
        command,
      );
    }
    const warnings: string[] = [];
    if (official && size !== official.sizeBytes) {
      warnings.push(`${filePath} has ${size} bytes, the pinned official silero_vad.onnx has ${official.sizeBytes}: another Silero version?`);
    }
    return { filePath, sizeBytes: size, warnings };
  } finally {
    await handle.close();
  }
}

/** sha256 and sha1 of a file (hex), streamed; the second argument lets a resumed download hash its part file. */
export async function hashFile(filePath: string, options: { signal?: AbortSignal } = {}): Promise<{ sha256: string; sha1: string; sizeBytes: number }> {
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  let sizeBytes = 0;
  const stream = createReadStream(filePath, { highWaterMark: 1 << 20, signal: options.signal });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    sha256.update(chunk);
    sha1.update(chunk);
    sizeBytes += chunk.length;
  }
  return { sha256: sha256.digest('hex'), sha1: sha1.digest('hex'), sizeBytes };
}
