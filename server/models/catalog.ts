/**
 * The catalog of model files Viva knows how to fetch and verify (official whisper.cpp files, Silero VAD, the default
 * local LLM), where each lives in the models folder (`VIVA_MODELS_DIR`), and the command that fetches them.
 *
 * Layout of the models folder:
 *   whisper/ggml-<name>.bin       whisper.cpp models (official files or your own)
 *   silero-vad/silero_vad.onnx    Silero VAD for onnxruntime-node
 *   llm/<file>.gguf               the embedded LLM
 */

/** Where official whisper.cpp models are fetched from (a mirror replaces this with `--base-url`). */
export const WHISPER_MODELS_BASE_URL = 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main';

/** Silero VAD onnx, pinned to the commit whose file the checksum below describes. */
export const SILERO_VAD_URL =
  'https://raw.githubusercontent.com/snakers4/silero-vad/806dcba3f0b5d95282d0889a074954a2f8c6397b/src/silero_vad/data/silero_vad.onnx';

/** File name of the embedded LLM's default model, looked up in `$VIVA_MODELS_DIR/llm/`. */
export const DEFAULT_LLM_FILE_NAME = 'qwen2.5-1.5b-instruct-q4_k_m.gguf';

/** Qwen2.5-1.5B-Instruct Q4_K_M from Qwen's own GGUF repository (Apache-2.0), pinned to the revision the checksum describes. */
export const DEFAULT_LLM_URL = `https://huggingface.co/Qwen/Qwen2.5-1.5B-Instruct-GGUF/resolve/91cad51170dc346986eccefdc2dd33a9da36ead9/${DEFAULT_LLM_FILE_NAME}`;

/** Name of the default whisper model: multilingual, because Viva transcribes English and Mandarin. */
export const DEFAULT_WHISPER_MODEL = 'base';

/** Catalog name of the default embedded LLM file. */
export const DEFAULT_LLM_MODEL = 'qwen2.5-1.5b-instruct';

/** One file Viva knows how to fetch and verify. */
export interface OfficialModelFile {
  /** Name used on the command line and in `VIVA_WHISPER_MODEL` (`base`, `silero`, `qwen2.5-1.5b-instruct`). */
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
 * tiny.en and base.en from ../shared/models/README.md; the others agree across several independent public manifests.
 * tiny.en-q8_0 has no published sha256 we could confirm, so its download is checked by size and sha1. The LLM's size and
 * sha256 are those of the pinned revision (they agree across several public manifests).
 */
export const OFFICIAL_MODEL_FILES: readonly OfficialModelFile[] = [
  whisperFile('tiny', 77_691_713, 'be07e048e1e599ad46341c8d2a135645097a538221678b7acdd1b1919c6e1b21', 'bd577a113a864445d4c299885e0cb97d4ba92b5f'),
  whisperFile('tiny.en', 77_704_715, '921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f', 'c78c86eb1a8faa21b369bcd33207cc90d64ae9df'),
  whisperFile('tiny.en-q8_0', 43_550_795, null, '802d6668e7d411123e672abe4cb6c18f12306abb'),
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
    // The embedded LLM's default (VIVA_LLM_MODEL_FILE unset).
    name: DEFAULT_LLM_MODEL,
    kind: 'llm',
    folder: 'llm',
    fileName: DEFAULT_LLM_FILE_NAME,
    url: DEFAULT_LLM_URL,
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
