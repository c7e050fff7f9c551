import { access } from 'node:fs/promises';
import { OFFICIAL_MODEL_FILES, downloadCommand, findOfficialModelFile, type OfficialModelFile } from './catalog.ts';
import { DownloadError, catalogFilePath, describeError, fetchCatalogFile, formatBytes, type ProgressStream } from './download.ts';

/**
 * First start: the model files the configuration needs are fetched into the models folder when missing (resumable,
 * checked by size and sha256, with a progress bar); a later start finds them and loads in seconds. Without a network
 * (or with fetching turned off) start-up stops with one message naming every missing file, where it goes and the command
 * that fetches it.
 */

/** Start-up cannot go on: model files are missing and could not be fetched. */
export class ModelsMissingError extends Error {
  override name = 'ModelsMissingError';
  constructor(
    message: string,
    /** The catalog entries that are still missing. */
    readonly missing: readonly OfficialModelFile[],
  ) {
    super(message);
  }
}

/** What `ensureModelFiles` needs. */
export interface EnsureModelsOptions {
  modelsDir: string;
  /** Catalog names (`base`, `silero`, `qwen2.5-1.5b-instruct`); other names (file paths, own models) are left to the loaders. */
  names: readonly string[];
  /**
   * Catalog names fetched too but not needed to start (the GGUF with VIVA_LLM_OPTIONAL): when only these cannot be
   * fetched, `onOptionalMissing` hears it and start-up goes on. When a needed file is missing too, the one message names all.
   */
  optionalNames?: readonly string[];
  onOptionalMissing?: (error: ModelsMissingError) => void;
  /** False: never download, only report what is missing. */
  fetchMissing: boolean;
  /** A mirror serving the files by name. */
  baseUrl?: string | undefined;
  stderr: ProgressStream;
  signal?: AbortSignal | undefined;
  fetch?: typeof fetch | undefined;
  catalog?: readonly OfficialModelFile[];
}

/** Catalog names of the speech models a start needs: the whisper model (when it is a catalog name) and Silero VAD. */
export function modelNamesFor(config: { whisperModel: string }): string[] {
  return [config.whisperModel, 'silero'];
}

/**
 * The catalog name of the embedded LLM's GGUF when the configuration runs the LLM in process on a catalog file (the
 * default `$VIVA_MODELS_DIR/llm/qwen2.5-1.5b-instruct-q4_k_m.gguf`); undefined for an endpoint or a file of one's own.
 */
export function llmModelNameFor(config: { modelsDir: string; llm: { provider: string; modelFile: string } }): string | undefined {
  if (config.llm.provider !== 'embedded') return undefined;
  return OFFICIAL_MODEL_FILES.find((file) => file.kind === 'llm' && catalogFilePath(config.modelsDir, file) === config.llm.modelFile)?.name;
}

/** The catalog files a start needs (speech models, and the embedded LLM's GGUF unless VIVA_LLM_OPTIONAL makes it optional). */
export function startupModelNames(config: { whisperModel: string; modelsDir: string; llm: { provider: string; modelFile: string; optional: boolean } }): {
  names: string[];
  optionalNames: string[];
} {
  const llm = llmModelNameFor(config);
  const speech = modelNamesFor(config);
  if (llm === undefined) return { names: speech, optionalNames: [] };
  return config.llm.optional ? { names: speech, optionalNames: [llm] } : { names: [...speech, llm], optionalNames: [] };
}

/**
 * Fetches the missing catalog files among `names`; resolves to the names fetched. Rejects with `ModelsMissingError`
 * (one message for all missing files) when fetching is off or the network cannot be reached, and with `DownloadError`
 * when a download arrived but failed its checks.
 */
export async function ensureModelFiles(options: EnsureModelsOptions): Promise<string[]> {
  const catalog = options.catalog ?? OFFICIAL_MODEL_FILES;
  const lookUp = (names: readonly string[]) => names.map((name) => findOfficialModelFile(name, catalog)).filter((file): file is OfficialModelFile => file !== undefined);
  const optional = new Set(lookUp(options.optionalNames ?? []).map((file) => file.name));
  // Needed files first, so a cut connection leaves as little as possible of what start-up cannot do without.
  const wanted = [...lookUp(options.names), ...lookUp(options.optionalNames ?? []).filter((file) => !options.names.includes(file.name))];
  const missing: OfficialModelFile[] = [];
  for (const file of wanted) {
    if (!(await exists(catalogFilePath(options.modelsDir, file)))) missing.push(file);
  }
  if (missing.length === 0) return [];
  const giveUp = (stillMissing: readonly OfficialModelFile[], reason: string): string[] => {
    const error = missingError(stillMissing, options.modelsDir, reason, optional);
    if (stillMissing.some((file) => !optional.has(file.name)) || !options.onOptionalMissing) throw error;
    options.onOptionalMissing(error);
    return [];
  };
  if (!options.fetchMissing) return giveUp(missing, 'fetching on start is turned off (VIVA_MODELS_FETCH=false)');

  const total = missing.reduce((sum, file) => sum + file.sizeBytes, 0);
  options.stderr.write(`First start: fetching ${missing.length} model file(s), ${formatBytes(total)} in all, into ${options.modelsDir}\n`);
  const fetched: string[] = [];
  for (const [index, file] of missing.entries()) {
    try {
      await fetchCatalogFile(file, { modelsDir: options.modelsDir, baseUrl: options.baseUrl, stderr: options.stderr, signal: options.signal, fetch: options.fetch });
      fetched.push(file.name);
    } catch (error) {
      // No network (or the host refuses us): one message for everything still missing.
      if (error instanceof DownloadError && (error.code === 'network-error' || error.code === 'http-error')) {
        giveUp(missing.slice(index), describeError(error));
        return fetched;
      }
      throw error;
    }
  }
  return fetched;
}

function missingError(missing: readonly OfficialModelFile[], modelsDir: string, reason: string, optional: ReadonlySet<string> = new Set()): ModelsMissingError {
  const lines = missing.map(
    (file) =>
      `  - ${describeFile(file)}, ${formatBytes(file.sizeBytes)}${optional.has(file.name) ? ' (optional: VIVA_LLM_OPTIONAL starts without it)' : ''}: ${catalogFilePath(modelsDir, file)}\n` +
      `    (from ${file.url}; or ${downloadCommand([file.name], modelsDir)})`,
  );
  const message =
    `Model files are missing and could not be fetched (${reason}):\n${lines.join('\n')}\n` +
    `Put each file at the path shown (copied from a machine that has them), or fetch them where there is internet with:\n` +
    `  ${downloadCommand(missing.map((file) => file.name), modelsDir)}`;
  return new ModelsMissingError(message, missing);
}

function describeFile(file: OfficialModelFile): string {
  if (file.kind === 'whisper') return `whisper model "${file.name}"`;
  if (file.kind === 'silero-vad') return 'Silero VAD';
  return `LLM "${file.name}"`;
}

async function exists(filePath: string): Promise<boolean> {
  try {
    await access(filePath);
    return true;
  } catch {
    return false;
  }
}
