import { createHash } from 'node:crypto';
import { open, readdir, readFile, stat, mkdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { LlmError } from '../llm/errors.ts';
import { guessCandidateName } from './blind.ts';
import type { PrepDeps } from './deps.ts';
import { ExtractError, extractText, type ExtractOptions } from './extract.ts';
import { detectLanguage } from './language.ts';
import { matchResume } from './match.ts';
import { JobMatch, type FailedResume, type PrepLanguage, type RankedResume, type ScreeningProgress, type ScreeningResult } from '../../protocol/prep.ts';

/** A resume file to screen: `name` is what reports show, `path` where it is read from. */
export interface ResumeSource {
  name: string;
  path: string;
}

/** Options of {@link screenResumes}. */
export interface ScreenOptions {
  /** Job description text. */
  jd: string;
  /** Shown in report titles (e.g. the JD's first line). */
  jobTitle?: string | undefined;
  /** Files and folders (read recursively; dotfiles skipped) or explicit sources. */
  resumes: Array<string | ResumeSource>;
  /** Directory of the resumable state file (`.viva-screen-<key>.jsonl`). */
  stateDir: string;
  /** Remove personal details before the model sees each resume; recorded on every result. */
  blind?: boolean | undefined;
  /** LLM calls in flight at once; default 2. */
  concurrency?: number | undefined;
  /** Language of the analysis; detected from the JD when undefined. */
  language?: PrepLanguage | undefined;
  /** Absolute paths never screened (the report being written into a resume folder). */
  exclude?: string[] | undefined;
  extract?: Omit<ExtractOptions, 'signal'> | undefined;
  /** Aborting stops new work, cancels calls in flight and resolves with status 'aborted'; finished work is kept. */
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: ScreenProgress) => void) | undefined;
}

/** Where a batch stands (the protocol's `ScreeningProgress`). */
export type ScreenProgress = ScreeningProgress;
export type { FailedResume, RankedResume };
/** The ranked list, every failure with its reason, and what an interruption left undone (the protocol's `ScreeningResult`). */
export type ScreenResult = ScreeningResult;

const StateEntry = z.object({
  v: z.literal(1),
  hash: z.string(),
  file: z.string(),
  candidateName: z.string().nullable(),
  match: JobMatch,
});
type StateEntry = z.infer<typeof StateEntry>;

/** Files under the given paths, folders read recursively in name order; dotfiles and dot-folders are skipped. */
export async function listResumeFiles(
  inputs: Array<string | ResumeSource>,
  exclude: ReadonlySet<string> = new Set(),
): Promise<{ sources: ResumeSource[]; missing: FailedResume[] }> {
  const sources: ResumeSource[] = [];
  const missing: FailedResume[] = [];
  const walk = async (dir: string, shown: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full, path.join(shown, entry.name));
      else if (entry.isFile() && !exclude.has(path.resolve(full))) sources.push({ name: path.join(shown, entry.name), path: full });
    }
  };
  for (const input of inputs) {
    if (typeof input !== 'string') {
      sources.push(input);
      continue;
    }
    try {
      const info = await stat(input);
      if (info.isDirectory()) await walk(input, input);
      else if (!exclude.has(path.resolve(input))) sources.push({ name: input, path: input });
    } catch (error) {
      missing.push({ file: input, code: 'not-found', reason: `cannot read ${input}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, retryable: false });
    }
  }
  return { sources, missing };
}

/** The key of a run's state: results are reused only for the same JD, language, blind setting and prompt version. */
function runKey(jd: string, language: PrepLanguage, blind: boolean, promptVersion: string): string {
  return createHash('sha256').update(JSON.stringify({ jd, language, blind, promptVersion })).digest('hex').slice(0, 16);
}

async function loadState(file: string): Promise<Map<string, StateEntry>> {
  const entries = new Map<string, StateEntry>();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return entries;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed = StateEntry.safeParse(JSON.parse(line));
      if (parsed.success) entries.set(parsed.data.hash, parsed.data);
    } catch {
      // A line cut short by a crash mid-write: that resume is screened again.
    }
  }
  return entries;
}

/** One screening in progress: what `screenOne` reads and adds to. */
interface ScreenRun {
  deps: PrepDeps;
  options: ScreenOptions;
  language: PrepLanguage;
  blind: boolean;
  /** Results of an earlier, interrupted run, by content hash. */
  state: Map<string, StateEntry>;
  rankedByHash: Map<string, Omit<RankedResume, 'rank'>>;
  /** Hashes being screened right now: an identical file picked up meanwhile is recorded as a duplicate of it. */
  claims: Map<string, string[]>;
  failed: FailedResume[];
  pending: string[];
  counts: { resumed: number };
  record(entry: StateEntry): Promise<void>;
}

/** Appends finished results to the state file, one at a time, each synced: an interruption loses at most one line. */
function createStateWriter(stateFile: string): { record(entry: StateEntry): Promise<void>; close(): Promise<void> } {
  let writer: FileHandle | undefined;
  let writes: Promise<void> = Promise.resolve();
  return {
    record(entry) {
      writes = writes.then(async () => {
        // Owner-only: the state holds what the model said about each candidate.
        writer ??= await open(stateFile, 'a', 0o600);
        await writer.write(`${JSON.stringify(entry)}\n`);
        await writer.datasync();
      });
      return writes;
    },
    async close() {
      await writes.catch(() => undefined);
      await writer?.close();
    },
  };
}

/** Screens one file: a duplicate or a resumed result costs nothing; otherwise extract, match, record. */
async function screenOne(run: ScreenRun, source: ResumeSource): Promise<'done' | 'aborted'> {
  const { deps, options, language, blind, state, rankedByHash, claims, failed, pending } = run;
  const signal = options.signal;
  let bytes: Buffer;
  try {
    bytes = await readFile(source.path);
  } catch (error) {
    failed.push({ file: source.name, code: 'unreadable', reason: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, retryable: false });
    return 'done';
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  const existing = rankedByHash.get(hash);
  if (existing) {
    existing.duplicateFiles.push(source.name);
    return 'done';
  }
  const claimed = claims.get(hash);
  if (claimed) {
    claimed.push(source.name);
    return 'done';
  }
  const saved = state.get(hash);
  if (saved) {
    rankedByHash.set(hash, { file: source.name, duplicateFiles: [], contentHash: hash, candidateName: saved.candidateName, match: saved.match });
    run.counts.resumed += 1;
    return 'done';
  }
  const duplicateFiles: string[] = [];
  claims.set(hash, duplicateFiles);
  try {
    const extracted = await extractText(bytes, { ...options.extract, ...(signal ? { signal } : {}) });
    const name = guessCandidateName(extracted.text);
    const { match } = await matchResume(deps, { jd: options.jd, resume: extracted.text, language, blind, candidateName: name, signal });
    const candidateName = blind ? null : name;
    rankedByHash.set(hash, { file: source.name, duplicateFiles, contentHash: hash, candidateName, match });
    await run.record({ v: 1, hash, file: source.name, candidateName, match });
    return 'done';
  } catch (error) {
    if (signal?.aborted) {
      pending.push(...duplicateFiles);
      return 'aborted';
    }
    for (const file of [source.name, ...duplicateFiles]) failed.push(describeFailure(file, error));
    return 'done';
  } finally {
    claims.delete(hash);
  }
}

/**
 * Screens resumes against one job description: extracts each file, asks the LLM for a verified job match with at most
 * `concurrency` calls in flight, and ranks by score. Every finished resume is appended to a JSONL state file keyed by
 * content hash, so a rerun after an interruption skips finished ones. Unreadable files are listed with their reason.
 */
export async function screenResumes(deps: PrepDeps, options: ScreenOptions): Promise<ScreenResult> {
  const startedAt = new Date().toISOString();
  const blind = options.blind === true;
  const language = options.language ?? detectLanguage(options.jd);
  const concurrency = Math.max(1, Math.min(32, Math.floor(options.concurrency ?? 2)));
  const signal = options.signal;
  // The prompt's version is part of the state key: a changed prompt must not reuse old results.
  const { version } = deps.prompts.render('match-job', language, {}, {});
  // Owner-only: the state holds what the model said about each candidate.
  await mkdir(options.stateDir, { recursive: true, mode: 0o700 });
  const stateFile = path.join(options.stateDir, `.viva-screen-${runKey(options.jd, language, blind, version)}.jsonl`);
  const state = await loadState(stateFile);

  const exclude = new Set((options.exclude ?? []).map((file) => path.resolve(file)));
  exclude.add(path.resolve(stateFile));
  const { sources, missing } = await listResumeFiles(options.resumes, exclude);

  const failed: FailedResume[] = [...missing];
  const rankedByHash = new Map<string, Omit<RankedResume, 'rank'>>();
  const pending: string[] = [];
  let inFlight = 0;
  let done = missing.length;
  const total = sources.length + missing.length;

  const report = (file?: string): void => {
    options.onProgress?.({ total, done, ranked: rankedByHash.size, failed: failed.length, resumed: run.counts.resumed, inFlight, file });
  };

  const stateWriter = createStateWriter(stateFile);
  const run: ScreenRun = { deps, options, language, blind, state, rankedByHash, claims: new Map(), failed, pending, counts: { resumed: 0 }, record: stateWriter.record };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sources.length) {
      const source = sources[next++];
      if (!source) break;
      if (signal?.aborted) {
        pending.push(source.name);
        continue;
      }
      inFlight += 1;
      try {
        const outcome = await screenOne(run, source);
        if (outcome === 'aborted') pending.push(source.name);
        else done += 1;
      } finally {
        inFlight -= 1;
      }
      report(source.name);
    }
  };

  report();
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, sources.length)) }, () => worker()));
  } finally {
    await stateWriter.close();
  }

  const ranked = rankResults([...rankedByHash.values()]);
  const status = signal?.aborted && pending.length > 0 ? 'aborted' : 'complete';
  return {
    status,
    jobTitle: options.jobTitle ?? null,
    blind,
    language,
    startedAt,
    finishedAt: new Date().toISOString(),
    total,
    ranked,
    failed,
    pending,
    resumed: run.counts.resumed,
    stateFile,
  };
}

/** Best first: score, then fewer missing required skills, then file name (stable across runs). */
export function rankResults(results: Array<Omit<RankedResume, 'rank'>>): RankedResume[] {
  const missingRequired = (result: Omit<RankedResume, 'rank'>): number =>
    result.match.skillsMissing.filter((skill) => skill.importance === 'required').length;
  return [...results]
    .sort((a, b) => b.match.score - a.match.score || missingRequired(a) - missingRequired(b) || a.file.localeCompare(b.file))
    .map((result, index) => ({ rank: index + 1, ...result }));
}

function describeFailure(file: string, error: unknown): FailedResume {
  if (error instanceof ExtractError) return { file, code: error.code, reason: error.message, retryable: false };
  if (error instanceof LlmError) return { file, code: error.code, reason: error.message, retryable: error.retryable };
  return { file, code: 'internal', reason: error instanceof Error ? error.message : String(error), retryable: false };
}
