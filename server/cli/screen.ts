import { readFile, writeFile, rename, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../env.ts';
import { createLlmProvider } from '../llm/create-provider.ts';
import { LlmError } from '../llm/errors.ts';
import type { LlmProvider } from '../llm/provider.ts';
import { createPromptLibrary } from '../prompts.ts';
import type { PrepDeps } from '../prep/deps.ts';
import { ExtractError, extractText } from '../prep/extract.ts';
import { createPrepLlm } from '../prep/llm.ts';
import { createPrepPrompts } from '../prep/prompts.ts';
import { PrepLanguage } from '../../protocol/prep.ts';
import { renderReport, reportFormatFromPath } from '../prep/screen-report.ts';
import { screenResumes, type ScreenProgress } from '../prep/screen.ts';

/** A stream the CLI writes to (process.stdout / process.stderr, or a test buffer). */
export interface CliOutput {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/** What `runScreen` is built from; every part defaults to the real one. */
export interface ScreenCliDeps {
  stdout?: CliOutput;
  stderr?: CliOutput;
  /** Environment the LLM settings (VIVA_LLM_*) are read from by server/env.ts; default process.env. */
  env?: Record<string, string | undefined>;
  /** LLM and prompts; default built from `env` (the endpoint or model file is checked before the run). */
  prep?: PrepDeps;
  /** Stops the run (a partial report is written); default: SIGINT/SIGTERM. */
  signal?: AbortSignal;
  /** Clock for the rate shown in the progress line. */
  now?: () => number;
}

/** Exit codes: 0 done, 1 could not run, 2 bad usage, 130 interrupted (rerun the same command to resume). */
export const SCREEN_EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

const USAGE = `Usage: viva screen --jd FILE RESUMES... --out FILE [--out FILE...] [options]

Ranks resumes (PDF, .docx, text, Markdown; files or folders) against one job description.

  --jd FILE            job description (PDF, .docx, text or Markdown)
  --out FILE           report to write: .html, .csv (UTF-8 with BOM, opens in Excel) or .json; repeatable
  --blind              remove names, gender, age, photos and contact details before analysis
  --concurrency N      LLM calls in flight at once (default 2)
  --language en|zh     language of the analysis (default: the job description's)
  -h, --help           show this help

An interrupted run (Ctrl-C) writes what it has; running the same command again skips resumes already screened.
LLM settings come from the environment as for the server (VIVA_LLM_BASE_URL or VIVA_LLM_MODEL_FILE, ...; see the README).
`;

/** Renders the one-line progress bar shown on a terminal. */
export function progressLine(progress: ScreenProgress, elapsedMs: number, width = 24): string {
  const fraction = progress.total === 0 ? 1 : progress.done / progress.total;
  const filled = Math.round(fraction * width);
  const fresh = progress.done - progress.resumed;
  const perMinute = elapsedMs > 0 ? (fresh / elapsedMs) * 60_000 : 0;
  const parts = [
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`,
    `${progress.done}/${progress.total}`,
    `ranked ${progress.ranked}`,
    `failed ${progress.failed}`,
  ];
  if (progress.resumed > 0) parts.push(`resumed ${progress.resumed}`);
  if (fresh > 0) parts.push(`${perMinute.toFixed(1)}/min`);
  return parts.join(' · ');
}

/** `viva screen …`: runs a batch screening and writes the reports; resolves with the exit code. */
export async function runScreen(argv: string[], deps: ScreenCliDeps = {}): Promise<number> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  const now = deps.now ?? (() => performance.now());
  const usage = (message: string): number => {
    stderr.write(`viva screen: ${message}\n\n${USAGE}`);
    return SCREEN_EXIT.usage;
  };

  let parsed: ReturnType<typeof parse>;
  const parse = (args: string[]) =>
    parseArgs({
      args,
      allowPositionals: true,
      options: {
        jd: { type: 'string' },
        out: { type: 'string', multiple: true },
        blind: { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        language: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  try {
    parsed = parse(argv);
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    stdout.write(USAGE);
    return SCREEN_EXIT.ok;
  }
  if (!values.jd) return usage('--jd FILE is required');
  if (positionals.length === 0) return usage('give at least one resume file or folder');
  const outputs = values.out ?? [];
  if (outputs.length === 0) return usage('--out FILE is required (.html, .csv or .json)');
  const formats = outputs.map((out) => ({ out: path.resolve(out), format: reportFormatFromPath(out) }));
  const unknown = formats.find((entry) => entry.format === undefined);
  if (unknown) return usage(`--out ${unknown.out}: the file name must end in .html, .csv or .json`);
  let concurrency: number | undefined;
  if (values.concurrency !== undefined) {
    concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) return usage('--concurrency must be a whole number from 1 to 32');
  }
  let language: PrepLanguage | undefined;
  if (values.language !== undefined) {
    const checked = PrepLanguage.safeParse(values.language);
    if (!checked.success) return usage('--language must be en or zh');
    language = checked.data;
  }

  let jd: string;
  try {
    jd = (await extractText(await readFile(values.jd))).text;
  } catch (error) {
    const reason = error instanceof ExtractError ? error.message : (error as NodeJS.ErrnoException).code ?? String(error);
    stderr.write(`viva screen: cannot read the job description ${values.jd}: ${reason}\n`);
    return SCREEN_EXIT.failed;
  }

  let prep = deps.prep;
  let ownedLlm: LlmProvider | undefined;
  if (!prep) {
    try {
      const settings = loadConfig(deps.env).llm;
      // Fail before the first resume, with a message that says which setting to fix.
      const client = await createLlmProvider(settings, { logger: { info() {}, warn() {} }, canStartWithout: false });
      ownedLlm = client;
      const library = createPromptLibrary();
      prep = { llm: createPrepLlm(client, { prompts: library }), prompts: createPrepPrompts(library) };
    } catch (error) {
      stderr.write(`viva screen: ${error instanceof Error ? error.message : String(error)}\n`);
      return SCREEN_EXIT.failed;
    }
  }

  const controller = new AbortController();
  const onSignal = (): void => {
    if (!controller.signal.aborted) stderr.write('\nviva screen: stopping after the calls in flight; finished resumes are kept\n');
    controller.abort();
  };
  if (deps.signal) {
    if (deps.signal.aborted) controller.abort();
    else deps.signal.addEventListener('abort', onSignal, { once: true });
  } else {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  const startedAt = now();
  const isTty = stderr.isTTY === true;
  let lastPrintedDecile = -1;
  const onProgress = (progress: ScreenProgress): void => {
    if (isTty) {
      const columns = stderr.columns ?? 100;
      stderr.write(`\r${progressLine(progress, now() - startedAt).slice(0, columns - 1).padEnd(columns - 1)}`);
      return;
    }
    // Not a terminal (a log file, CI): a line per tenth of the way instead of carriage returns.
    const decile = progress.total === 0 ? 10 : Math.floor((progress.done / progress.total) * 10);
    if (decile !== lastPrintedDecile) {
      lastPrintedDecile = decile;
      stderr.write(`${progressLine(progress, now() - startedAt)}\n`);
    }
  };

  const stateDir = path.dirname(formats[0]?.out ?? path.resolve('.'));
  try {
    const firstLine = jd.split('\n').find((line) => line.trim())?.trim().slice(0, 120);
    const result = await screenResumes(prep, {
      jd,
      jobTitle: firstLine,
      resumes: positionals,
      stateDir,
      blind: values.blind,
      concurrency,
      language,
      exclude: [...formats.map((entry) => entry.out), path.resolve(values.jd)],
      signal: controller.signal,
      onProgress,
    });
    if (isTty) stderr.write('\n');
    for (const { out, format } of formats) {
      if (!format) continue;
      await mkdir(path.dirname(out), { recursive: true });
      // Written beside and renamed, so a report being opened never shows half a file.
      const temporary = `${out}.${process.pid}.tmp`;
      await writeFile(temporary, renderReport(result, format));
      await rename(temporary, out);
    }
    for (const failure of result.failed) stderr.write(`  failed: ${failure.file}: ${failure.reason}\n`);
    const summary = `${result.ranked.length} ranked, ${result.failed.length} failed${result.pending.length ? `, ${result.pending.length} not screened` : ''}${result.resumed ? ` (${result.resumed} from an earlier run)` : ''}`;
    stdout.write(`${summary}; report: ${formats.map((entry) => entry.out).join(', ')}\n`);
    if (result.status === 'aborted') {
      stderr.write('viva screen: interrupted; run the same command again to screen the rest\n');
      return SCREEN_EXIT.interrupted;
    }
    return SCREEN_EXIT.ok;
  } catch (error) {
    if (isTty) stderr.write('\n');
    const message = error instanceof LlmError || error instanceof Error ? error.message : String(error);
    stderr.write(`viva screen: ${message}\n`);
    return SCREEN_EXIT.failed;
  } finally {
    await ownedLlm?.close();
    if (deps.signal) deps.signal.removeEventListener('abort', onSignal);
    else {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
