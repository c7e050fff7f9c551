import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_WHISPER_MODEL, OFFICIAL_MODEL_FILES, findOfficialModelFile, type OfficialModelFile } from '../models/catalog.ts';
import { DownloadError, catalogFilePath, describeError, fetchCatalogFile, formatBytes, type ProgressStream } from '../models/download.ts';

/**
 * `npm run models:download -- base silero [--base-url URL] [--models-dir DIR] [--force] [--no-resume]`
 *
 * Fetches catalog files into the models folder (see server/models/download.ts: resumable, checked by size and sha256).
 */

/** Where the downloader writes, and the stream its progress and messages go to. */
export interface DownloadCliIo {
  /** Environment to read `VIVA_MODELS_DIR`, `VIVA_MODEL_BASE_URL`, `VIVA_WHISPER_MODEL` from. */
  env: Record<string, string | undefined>;
  stderr: ProgressStream;
  cwd?: string;
  /** Files the CLI knows (tests inject their own). */
  catalog?: readonly OfficialModelFile[];
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

interface DownloadCliArgs {
  names: string[];
  baseUrl: string | undefined;
  modelsDir: string | undefined;
  force: boolean;
  resume: boolean;
  help: boolean;
}

/** Parses the command line; throws an Error with a usage hint on bad input. */
export function parseDownloadArgs(argv: readonly string[]): DownloadCliArgs {
  const args: DownloadCliArgs = { names: [], baseUrl: undefined, modelsDir: undefined, force: false, resume: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (flag: string): string => {
      const inline = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : undefined;
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--force') args.force = true;
    else if (arg === '--no-resume') args.resume = false;
    else if (arg === '--base-url' || arg.startsWith('--base-url=')) args.baseUrl = value('--base-url');
    else if (arg === '--models-dir' || arg.startsWith('--models-dir=')) args.modelsDir = value('--models-dir');
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
    else args.names.push(arg);
  }
  return args;
}

function usage(catalog: readonly OfficialModelFile[]): string {
  const rows = catalog.map((file) => `  ${file.name.padEnd(20)} ${formatBytes(file.sizeBytes).padStart(9)}  ${file.folder}/${file.fileName}`);
  return [
    'Usage: npm run models:download -- [NAME...] [--base-url URL] [--models-dir DIR] [--force] [--no-resume]',
    '',
    'Downloads model files into the models folder (VIVA_MODELS_DIR, default ./models), verifying size and sha256.',
    `Without NAME: the configured whisper model (VIVA_WHISPER_MODEL, default ${DEFAULT_WHISPER_MODEL}) and silero.`,
    '--base-url (or VIVA_MODEL_BASE_URL): a mirror serving the files by name, e.g. https://mirror.local/models/ggml-base.bin',
    '',
    'Known files:',
    ...rows,
  ].join('\n');
}

/** Runs the downloader; resolves to the process exit code (0 ok, 1 a download failed, 2 bad usage, 130 interrupted). */
export async function runDownloadModels(argv: readonly string[], io: DownloadCliIo): Promise<number> {
  const catalog = io.catalog ?? OFFICIAL_MODEL_FILES;
  const say = (line: string) => io.stderr.write(`${line}\n`);
  let args: DownloadCliArgs;
  try {
    args = parseDownloadArgs(argv);
  } catch (error) {
    say(`models:download: ${(error as Error).message}\n\n${usage(catalog)}`);
    return 2;
  }
  if (args.help) {
    say(usage(catalog));
    return 0;
  }
  const names = args.names.length > 0 ? args.names : [io.env.VIVA_WHISPER_MODEL ?? DEFAULT_WHISPER_MODEL, 'silero'];
  const files: OfficialModelFile[] = [];
  for (const name of names) {
    const file = findOfficialModelFile(name, catalog);
    if (!file) {
      say(`models:download: unknown model "${name}".\n\n${usage(catalog)}`);
      return 2;
    }
    files.push(file);
  }
  const cwd = io.cwd ?? process.cwd();
  const modelsDir = path.resolve(cwd, args.modelsDir ?? io.env.VIVA_MODELS_DIR ?? 'models');
  const baseUrl = args.baseUrl ?? io.env.VIVA_MODEL_BASE_URL;

  for (const file of files) {
    try {
      await fetchCatalogFile(file, { modelsDir, baseUrl, stderr: io.stderr, signal: io.signal, fetch: io.fetch, resume: args.resume, force: args.force });
    } catch (error) {
      const destPath = catalogFilePath(modelsDir, file);
      if (io.signal?.aborted) {
        say(`\n${file.name}: interrupted. The partial file ${destPath}.part is kept: run the same command to resume.`);
        return 130;
      }
      const kept = error instanceof DownloadError && error.partKept ? ` The partial file ${destPath}.part is kept: run the same command to resume.` : '';
      const removed = error instanceof DownloadError && !error.partKept ? ' The downloaded file was deleted.' : '';
      say(`\n${file.name}: download failed: ${describeError(error)}.${removed}${kept}`);
      return 1;
    }
  }
  return 0;
}



const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isMain) {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  // This entry point is the one place the downloader reads the environment (it runs without the server's env.ts).
  const code = await runDownloadModels(process.argv.slice(2), { env: process.env, stderr: process.stderr, signal: controller.signal });
  process.exitCode = code;
}
