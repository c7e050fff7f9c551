import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * Locating and checking model files before anything native touches them: whisper.cpp aborts the whole process on a
 * wrong or truncated file (a native assert, or a null context dereferenced by the binding), so every file is read
 * structurally here first and refused with a message that names the file and the command that fetches it.
 *
 * Layout of the models folder (`VIVA_MODELS_DIR`):
 *   whisper/ggml-<name>.bin               real whisper.cpp models (official files or your own)
 *   whisper-test/for-tests-ggml-<name>.bin zero-weight test models (real shapes and cost, meaningless text)
 *   silero-vad/silero_vad.onnx            Silero VAD for onnxruntime-node
 */

/** Magic number at the start of a whisper.cpp ggml model file ("ggml" as a little-endian uint32, bytes `lmgg`). */
export const GGML_FILE_MAGIC = 0x67676d6c;

/** Where official whisper.cpp models are fetched from (a mirror replaces this with `--base-url`). */
export const WHISPER_MODELS_BASE_URL = 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main';

/** Silero VAD onnx, pinned to the commit whose file the checksum below describes. */
export const SILERO_VAD_URL =
  'https://raw.githubusercontent.com/snakers4/silero-vad/806dcba3f0b5d95282d0889a074954a2f8c6397b/src/silero_vad/data/silero_vad.onnx';

/** File name of the embedded LLM's default model, looked up in `$VIVA_MODELS_DIR/llm/`. */
export const DEFAULT_LLM_FILE_NAME = 'qwen2.5-1.5b-instruct-q4_k_m.gguf';

/** One file Viva knows how to fetch and verify. */
export interface OfficialModelFile {
  /** Name used on the command line and in `VIVA_WHISPER_MODEL` (`base.en`, `silero`). */
  name: string;
  kind: 'whisper' | 'silero-vad' | 'llm';
  /** Subfolder of the models folder the file lives in. */
  folder: 'whisper' | 'silero-vad' | 'llm';
  fileName: string;
  /** Where the file is published (a mirror serves the same `fileName` under its own base URL). */
  url: string;
  sizeBytes: number;
  /** sha256 of the official file; null when unknown (then `sha1` is checked). */
  sha256: string | null;
  /** sha1 as listed in whisper.cpp's models/README.md; null when not listed. */
  sha1: string | null;
  /** Whisper models: false for the English-only `.en` models. */
  multilingual?: boolean;
}

function whisperFile(name: string, sizeBytes: number, sha256: string | null, sha1: string | null): OfficialModelFile {
  return {
    name,
    kind: 'whisper',
    folder: 'whisper',
    fileName: `ggml-${name}.bin`,
    url: `${WHISPER_MODELS_BASE_URL}/ggml-${name}.bin`,
    sizeBytes,
    sha256,
    sha1,
    multilingual: !name.includes('.en'),
  };
}

/**
 * Official files. sha1 values: whisper.cpp models/README.md. Sizes and sha256 (the Hugging Face LFS object ids):
 * tiny.en and base.en from /work/shared/models/README.md; the others agree across several independent public
 * manifests. Every entry has a sha256, so downloads are always checked by sha256 and size.
 */
export const OFFICIAL_MODEL_FILES: readonly OfficialModelFile[] = [
  whisperFile('tiny', 77_691_713, 'be07e048e1e599ad46341c8d2a135645097a538221678b7acdd1b1919c6e1b21', 'bd577a113a864445d4c299885e0cb97d4ba92b5f'),
  whisperFile('tiny.en', 77_704_715, '921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f', 'c78c86eb1a8faa21b369bcd33207cc90d64ae9df'),
  whisperFile('base', 147_951_465, '60ed5bc3dd14eea856493d334349b405782ddcaf0028d4b5df4088345fba2efe', '465707469ff3a37a2b9b8d8f89f2f99de7299dac'),
  whisperFile('base.en', 147_964_211, 'a03779c86df3323075f5e796cb2ce5029f00ec8869eee3fdfb897afe36c6d002', '137c40403d78fd54d454da0f9bd998f78703390c'),
  whisperFile('small', 487_601_967, '1be3a9b2063867b937e64e2ec7483364a79917e157fa98c5d94b5c1fffea987b', '55356645c2b361a969dfd0ef2c5a50d530afd8d5'),
  whisperFile('small.en', 487_614_201, 'c6138d6d58ecc8322097e0f987c32f1be8bb0a18532a3f88f734d1bbf9c41e5d', 'db8a495a91d927739e50b3fc1cc4c6b8f6c2d022'),
  whisperFile('medium', 1_533_763_059, '6c14d5adee5f86394037b4e4e8b59f1673b6cee10e3cf0b11bbdbee79c156208', 'fd9727b6e1217c2f614f9b698455c4ffd82463b4'),
  whisperFile('medium.en', 1_533_774_781, 'cc37e93478338ec7700281a7ac30a10128929eb8f427dda2e865faa8f6da4356', '8c30f0e44ce9560643ebd10bbe50cd20eafd3723'),
  whisperFile('large-v3', 3_095_033_483, '64d182b440b98d5203c4f9bd541544d84c605196c4f7b845dfa11fb23594d1e2', 'ad82bf6a9043ceed055076d0fd39f5f186ff8062'),
  whisperFile('large-v3-turbo', 1_624_555_275, '1fc70f774d38eb169993ac391eea357ef47c88757ef72ee5943879b7e8e2bc69', '4af2b29d7ec73d781377bfd1758ca957a807e941'),
  whisperFile('large-v3-turbo-q5_0', 574_041_195, '394221709cd5ad1f40c46e6031ca61bce88931e6e088c188294c6d5a55ffa7e2', 'e050f7970618a659205450ad97eb95a18d69c9ee'),
  {
    name: 'silero',
    kind: 'silero-vad',
    folder: 'silero-vad',
    fileName: 'silero_vad.onnx',
    url: SILERO_VAD_URL,
    sizeBytes: 2_327_524,
    sha256: '1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3',
    sha1: null,
  },
  {
    // The embedded LLM's default (VIVA_LLM_MODEL_FILE), from Qwen's own GGUF repository (Apache-2.0).
    name: 'qwen2.5-1.5b-instruct',
    kind: 'llm',
    folder: 'llm',
    fileName: DEFAULT_LLM_FILE_NAME,
    url: `https://huggingface.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF/resolve/main/${DEFAULT_LLM_FILE_NAME}`,
    sizeBytes: 1_117_320_736,
    sha256: '6a1a2eb6d15622bf3c96857206351ba97e1af16c30d7a74ee38970e434e9407e',
    sha1: null,
  },
];

/** The official entry for a CLI name (`silero-vad` is accepted for `silero`), or undefined. */
export function findOfficialModelFile(
  name: string,
  catalog: readonly OfficialModelFile[] = OFFICIAL_MODEL_FILES,
): OfficialModelFile | undefined {
  const wanted = name === 'silero-vad' ? 'silero' : name;
  return catalog.find((file) => file.name === wanted);
}

/** The exact shell command that fetches `names` into `modelsDir` (the folder is spelled out when given). */
export function downloadCommand(names: readonly string[], modelsDir?: string): string {
  const prefix = modelsDir === undefined ? '' : `VIVA_MODELS_DIR=${shellQuote(modelsDir)} `;
  return `${prefix}npm run models:download -- ${names.map(shellQuote).join(' ')}`;
}

function shellQuote(text: string): string {
  return /^[\w./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Why a model file cannot be used; `downloadCommand` is set when fetching the file again would fix it. */
export class ModelFileError extends Error {
  override name = 'ModelFileError';
  constructor(
    readonly code: 'model-not-found' | 'model-invalid',
    message: string,
    readonly filePath: string,
    readonly downloadCommand?: string,
  ) {
    super(message);
  }
}

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

/** Path of the zero-weight test model `name` in the models folder. */
export function whisperTestModelPath(modelsDir: string, name: string): string {
  return path.join(modelsDir, 'whisper-test', `for-tests-ggml-${name}.bin`);
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
 * Finds and checks a whisper model. A path is used as is; a name (`base.en`, `tiny`, `large-v3-turbo`) is looked up as
 * `<modelsDir>/whisper/ggml-<name>.bin`, then as the test model `<modelsDir>/whisper-test/for-tests-ggml-<name>.bin`
 * (flagged `isTestModel`). A real file that exists but is damaged is refused, never replaced by the test model.
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
    return checkWhisperFile(filePath, path.basename(filePath), official, false, undefined, options.signal);
  }

  const name = nameOrPath;
  const official = findOfficialModelFile(name, catalog);
  if (official && official.kind !== 'whisper') {
    throw new ModelFileError('model-not-found', `"${name}" is not a whisper model.`, modelsDir);
  }
  const command = official ? downloadCommand([name], modelsDir) : undefined;
  const realPath = whisperModelPath(modelsDir, name);
  if (await isFile(realPath)) return checkWhisperFile(realPath, name, official, false, command, options.signal);
  const testPath = whisperTestModelPath(modelsDir, name);
  if (await isFile(testPath)) return checkWhisperFile(testPath, name, official, true, command, options.signal);

  const known = catalog.filter((file) => file.kind === 'whisper').map((file) => file.name);
  const fix = command
    ? `Fetch it with: ${command}`
    : `"${name}" is not an official model name (${known.join(', ')}); put your own ggml file at ${realPath} or give a file path.`;
  throw new ModelFileError(
    'model-not-found',
    `Whisper model "${name}" not found: looked for ${realPath} and the test model ${testPath}. ${fix}`,
    realPath,
    command,
  );
}

async function checkWhisperFile(
  filePath: string,
  name: string,
  official: OfficialModelFile | undefined,
  fromTestFolder: boolean,
  command: string | undefined,
  signal: AbortSignal | undefined,
): Promise<ResolvedWhisperModel> {
  let header: WhisperModelHeader;
  try {
    header = await inspectWhisperModelFile(filePath, { signal });
  } catch (error) {
    if (!(error instanceof ModelFileError)) throw error;
    const sizeNote =
      official && !fromTestFolder
        ? ` The official ggml-${official.name}.bin has ${official.sizeBytes} bytes` +
          ((await fileSize(filePath)) < official.sizeBytes ? ' (an interrupted download?).' : '.')
        : '';
    const fix = command ? ` Delete it and fetch it again with: ${command}` : '';
    throw new ModelFileError(error.code, `${error.message}.${sizeNote}${fix}`, filePath, command);
  }

  const warnings: string[] = [];
  const isTestModel = fromTestFolder || header.tensorCount === 0;
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
