import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import type { PrepDeps } from '../prep/deps.ts';
import type { ExtractOptions } from '../prep/extract.ts';
import type { PrepLanguage, ScreeningState, ScreeningStatus, UploadedFile } from '../../protocol/prep.ts';
import { screenResumes, type ResumeSource, type ScreenProgress, type ScreenResult } from '../prep/screen.ts';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../store/database.ts';
import { fail } from './prep-errors.ts';

/** What the screening registry is built from. */
export interface ScreeningJobsDeps {
  prep: PrepDeps;
  /** Screening uploads, state files and results live here (e.g. `<dataDir>/screenings`). */
  screeningsDir: string;
  /** Server-side folders a screening may read (and their subfolders); empty or undefined disables folder screening. */
  screeningRoots?: string[] | undefined;
  extract?: Omit<ExtractOptions, 'signal'> | undefined;
  /** Screenings running at once; further starts get 429. Default 1 (they share one LLM). */
  maxRunningScreenings?: number | undefined;
  /** Default LLM concurrency of a screening; default 2. */
  screeningConcurrency?: number | undefined;
  /**
   * Finished screenings are deleted this many days after they finished (`VIVA_TRANSCRIPT_RETENTION_DAYS`): checked when
   * the registry is created and daily. Null or undefined keeps them.
   */
  retentionDays?: number | null | undefined;
  logger?: Logger | undefined;
}

/** A screening to start: the JD as text, and either a server-side folder or uploaded files. */
export interface ScreeningStart {
  jd: string;
  jobTitle?: string | undefined;
  folder?: string | undefined;
  files?: UploadedFile[] | undefined;
  blind?: boolean | undefined;
  concurrency?: number | undefined;
  language?: PrepLanguage | undefined;
}

/** The batch screenings of this server: running ones in memory, finished ones as `<screeningsDir>/<id>/result.json`. */
export interface ScreeningJobs {
  /** Starts a screening in the background; 429 when too many run, 403/404 for a folder it may not read. */
  start(input: ScreeningStart): Promise<ScreeningStatus>;
  /** The status of a running or stored screening, or undefined. */
  status(id: string): Promise<ScreeningStatus | undefined>;
  /** The finished result; 409 while running, 500 when it failed, 404 when unknown. */
  result(id: string): Promise<ScreenResult>;
  /** Asks a running screening to stop; undefined when none runs under that id. */
  cancel(id: string): { id: string; status: ScreeningState } | undefined;
  /**
   * Deletes a finished screening: its uploads, its result and the resumable state of its job (which holds what the
   * model said about each candidate). 409 while it runs; false when there is no such screening.
   */
  remove(id: string): Promise<boolean>;
  /** Deletes finished screenings past `retentionDays` (see ScreeningJobsDeps); returns their ids. */
  applyRetention(nowMs?: number): Promise<string[]>;
  /** Stops the daily retention timer. */
  close(): void;
}

/** One batch screening known to this server. */
interface ScreeningRecord {
  id: string;
  status: ScreeningState;
  createdAt: string;
  progress: ScreenProgress;
  controller: AbortController;
  result?: ScreenResult;
  error?: { code: string; message: string };
}

const SCREENING_ID = /^[0-9a-f-]{36}$/;
const DAY_MS = 86_400_000;

/** A safe file name for an upload: its base name with path separators and control characters removed. */
export function uploadName(name: string): string {
  const base = path.basename(name.replaceAll('\\', '/')).replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base && base !== '.' && base !== '..' ? base.slice(0, 200) : 'upload';
}

/** The real path of a folder a screening may read (inside `roots`), or a 403/404. */
async function resolveFolder(roots: string[], folder: string): Promise<string> {
  if (roots.length === 0) {
    throw fail(403, 'forbidden', 'screening a server-side folder is disabled: set VIVA_SCREENING_ROOTS to the folders it may read, or upload the files');
  }
  let real: string;
  try {
    real = await realpath(folder);
  } catch {
    throw fail(404, 'not-found', `folder ${folder} does not exist`);
  }
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => path.resolve(root));
    if (real === realRoot || real.startsWith(`${realRoot}${path.sep}`)) return real;
  }
  throw fail(403, 'forbidden', `folder ${folder} is outside the folders screenings may read (VIVA_SCREENING_ROOTS)`);
}

/** Writes uploaded résumés (owner-only) into `<folder>/uploads/` under safe names, in upload order. */
async function saveUploads(folder: string, files: NonNullable<ScreeningStart['files']>): Promise<ResumeSource[]> {
  const uploadDir = path.join(folder, 'uploads');
  await mkdir(uploadDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const sources: ResumeSource[] = [];
  for (const [index, file] of files.entries()) {
    const name = uploadName(file.name);
    const stored = path.join(uploadDir, `${String(index).padStart(4, '0')}-${name}`);
    await writeFile(stored, Buffer.from(file.contentBase64, 'base64'), { mode: PRIVATE_FILE_MODE });
    sources.push({ name, path: stored });
  }
  return sources;
}

/** The result a finished screening left in `<screeningsDir>/<id>/result.json`, if any. */
async function storedResult(screeningsDir: string, id: string): Promise<ScreenResult | undefined> {
  if (!SCREENING_ID.test(id)) return undefined;
  try {
    return JSON.parse(await readFile(path.join(screeningsDir, id, 'result.json'), 'utf8')) as ScreenResult;
  } catch {
    return undefined;
  }
}

/** Runs a screening in the background, keeping `record` current and writing the result beside its uploads. */
function runScreening(deps: ScreeningJobsDeps, record: ScreeningRecord, input: ScreeningStart, resumes: Array<string | ResumeSource>): void {
  const jobTitle = input.jobTitle ?? input.jd.split('\n').find((line) => line.trim())?.trim().slice(0, 120);
  // The state directory is shared, keyed by JD, language, blind flag and prompt: posting the same job again after a
  // restart resumes where the earlier screening stopped.
  screenResumes(deps.prep, {
    jd: input.jd,
    jobTitle,
    resumes,
    stateDir: path.join(deps.screeningsDir, 'state'),
    blind: input.blind,
    concurrency: input.concurrency ?? deps.screeningConcurrency,
    language: input.language,
    extract: deps.extract,
    signal: record.controller.signal,
    onProgress: (progress) => {
      record.progress = progress;
    },
  })
    .then(async (result) => {
      record.result = result;
      record.status = result.status;
      await writeFile(path.join(deps.screeningsDir, record.id, 'result.json'), JSON.stringify(result), { mode: PRIVATE_FILE_MODE });
    })
    .catch((error: unknown) => {
      record.status = 'failed';
      record.error = { code: 'internal', message: error instanceof Error ? error.message : String(error) };
      deps.logger?.error(`screening ${record.id} failed: ${record.error.message}`);
    });
}

/** The screening registry. */
export function createScreeningJobs(deps: ScreeningJobsDeps): ScreeningJobs {
  const screenings = new Map<string, ScreeningRecord>();
  let retentionTimer: NodeJS.Timeout | undefined;
  let retentionRuns: Promise<unknown> = Promise.resolve();
  const maxRunning = deps.maxRunningScreenings ?? 1;
  const folderOf = (id: string): string => path.join(deps.screeningsDir, id);

  const jobs: ScreeningJobs = {
    async start(input) {
      const running = [...screenings.values()].filter((screening) => screening.status === 'running').length;
      if (running >= maxRunning) throw fail(429, 'busy', `${running} screening(s) already running; wait for it to finish or cancel it`);
      const id = randomUUID();
      const resumes = input.folder !== undefined ? [await resolveFolder(deps.screeningRoots ?? [], input.folder)] : await saveUploads(folderOf(id), input.files ?? []);
      await mkdir(folderOf(id), { recursive: true, mode: PRIVATE_DIR_MODE });
      const record: ScreeningRecord = {
        id,
        status: 'running',
        createdAt: new Date().toISOString(),
        progress: { total: 0, done: 0, ranked: 0, failed: 0, resumed: 0, inFlight: 0 },
        controller: new AbortController(),
      };
      screenings.set(id, record);
      runScreening(deps, record, input, resumes);
      return { id, status: record.status, createdAt: record.createdAt, progress: record.progress, error: null };
    },

    async status(id) {
      const record = screenings.get(id);
      if (record) return { id, status: record.status, createdAt: record.createdAt, progress: record.progress, error: record.error ?? null };
      const stored = await storedResult(deps.screeningsDir, id);
      if (!stored) return undefined;
      const progress = {
        total: stored.total,
        done: stored.total - stored.pending.length,
        ranked: stored.ranked.length,
        failed: stored.failed.length,
        resumed: stored.resumed,
        inFlight: 0,
      };
      return { id, status: stored.status, createdAt: stored.startedAt, progress, error: null };
    },

    async result(id) {
      const record = screenings.get(id);
      if (record?.status === 'running') throw fail(409, 'not-ready', `screening ${id} is still running (${record.progress.done}/${record.progress.total})`);
      if (record?.status === 'failed') throw fail(500, 'internal', `screening ${id} failed: ${record.error?.message ?? 'unknown error'}`);
      const result = record?.result ?? (await storedResult(deps.screeningsDir, id));
      if (!result) throw fail(404, 'not-found', `no screening ${id}`);
      return result;
    },

    async remove(id) {
      const record = screenings.get(id);
      if (record?.status === 'running') throw fail(409, 'conflict', `screening ${id} is still running: cancel it first`);
      const result = record?.result ?? (await storedResult(deps.screeningsDir, id));
      if (!record && !result) return false;
      await rm(folderOf(id), { recursive: true, force: true });
      const stateDir = path.join(deps.screeningsDir, 'state');
      // Only a state file inside this server's state folder: result.json is data on disk, not trusted with other paths.
      if (result && path.dirname(path.resolve(result.stateFile)) === path.resolve(stateDir)) await rm(result.stateFile, { force: true });
      screenings.delete(id);
      return true;
    },

    applyRetention(nowMs = Date.now()) {
      // One run at a time: the start-up sweep and a caller's run must not both delete the same screening.
      const run = retentionRuns.then(() => expireScreenings(nowMs));
      retentionRuns = run.catch(() => []);
      return run;
    },

    close() {
      clearInterval(retentionTimer);
    },

    cancel(id) {
      const record = screenings.get(id);
      if (!record) return undefined;
      record.controller.abort();
      return { id: record.id, status: record.status };
    },
  };
  const expireScreenings = async (nowMs: number): Promise<string[]> => {
    const days = deps.retentionDays;
    if (days === null || days === undefined) return [];
    const names = await readdir(deps.screeningsDir).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const id of names) {
      if (screenings.get(id)?.status === 'running') continue;
      const result = await storedResult(deps.screeningsDir, id);
      if (!result || Date.parse(result.finishedAt) + days * DAY_MS > nowMs) continue;
      if (await jobs.remove(id)) removed.push(id);
    }
    if (removed.length > 0) deps.logger?.info('retention: deleted expired screenings', { screeningIds: removed });
    return removed;
  };
  if (deps.retentionDays !== null && deps.retentionDays !== undefined) {
    const sweep = (): void => {
      jobs.applyRetention().catch((error: unknown) => deps.logger?.error('screening retention failed', { error }));
    };
    sweep();
    retentionTimer = setInterval(sweep, DAY_MS);
    retentionTimer.unref();
  }
  return jobs;
}
