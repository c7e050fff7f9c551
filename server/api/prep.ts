import { randomUUID } from 'node:crypto';
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import path from 'node:path';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { LlmError } from '../llm/errors.ts';
import type { Logger } from '../logger.ts';
import type { PrepDeps } from '../prep/deps.ts';
import { EXTRACT_DEFAULTS, ExtractError, extractText, type ExtractOptions } from '../prep/extract.ts';
import { writeFeedbackLetter } from '../prep/feedback.ts';
import { matchResume } from '../prep/match.ts';
import { parseResume } from '../prep/parse-resume.ts';
import { PLAN_COUNT, planInterview, toPlannedQuestions } from '../prep/plan.ts';
import { FeedbackRequest, PrepLanguage } from '../prep/schemas.ts';
import { renderReport, type ReportFormat } from '../prep/screen-report.ts';
import { screenResumes, type ResumeSource, type ScreenProgress, type ScreenResult } from '../prep/screen.ts';

/** What the preparation API is built from. */
export interface PrepRouterDeps {
  prep: PrepDeps;
  /** Screening uploads, state files and results live here (e.g. `<dataDir>/screenings`). */
  screeningsDir: string;
  /** Server-side folders a screening may read (and their subfolders); empty or undefined disables folder screening. */
  screeningRoots?: string[] | undefined;
  /** Per-document limits (bytes, pages, characters). */
  extract?: Omit<ExtractOptions, 'signal'> | undefined;
  /** Largest JSON body of POST /api/screenings (files are base64 inside it); default 100 MiB. */
  maxScreeningBodyBytes?: number | undefined;
  /** Screenings running at once; further starts get 429. Default 1 (they share one LLM). */
  maxRunningScreenings?: number | undefined;
  /** Default LLM concurrency of a screening; default 2. */
  screeningConcurrency?: number | undefined;
  logger?: Logger | undefined;
}

/** Error codes of the preparation API, beyond the extraction and LLM codes passed through as they are. */
type PrepApiCode = 'invalid-request' | 'invalid-json' | 'too-large' | 'not-found' | 'not-ready' | 'forbidden' | 'busy' | 'internal';

/** An error that becomes `{ error: { code, message, issues? } }` with an HTTP status. */
class PrepApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: Array<{ path: string; message: string }>,
  ) {
    super(message);
  }
}

function fail(status: number, code: PrepApiCode, message: string): PrepApiError {
  return new PrepApiError(status, code, message);
}

function parseOr400<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  const first = issues[0];
  throw new PrepApiError(400, 'invalid-request', `invalid ${what}: ${first?.path ? `${first.path}: ` : ''}${first?.message ?? 'invalid'}`, issues);
}

const LLM_STATUS: Record<string, number> = {
  'llm-unreachable': 503,
  'llm-timeout': 504,
  'llm-invalid-output': 502,
  'llm-error': 502,
  'analysis-cancelled': 499,
};

const EXTRACT_STATUS: Record<string, number> = { 'too-large': 413, 'too-many-pages': 413, aborted: 499 };

/** `{ code, message }` of an extraction or LLM failure, for replies and batch listings. */
function describe(error: ExtractError | LlmError): { code: string; message: string; retryable: boolean } {
  return { code: error.code, message: error.message, retryable: error instanceof LlmError ? error.retryable : false };
}

const TEXT = z.string().trim().min(1);
const LanguageField = PrepLanguage.optional();

const MatchBody = z.object({
  jd: TEXT.max(50_000),
  resume: TEXT.max(100_000),
  language: LanguageField,
  blind: z.boolean().optional(),
  candidateName: z.string().max(200).nullable().optional(),
});

const PlanBody = z.object({
  jd: TEXT.max(50_000),
  resume: TEXT.max(100_000),
  count: z.number().int().min(PLAN_COUNT.min).max(PLAN_COUNT.max).optional(),
  language: LanguageField,
});

const ParseQuery = z.object({ language: LanguageField, llm: z.enum(['true', 'false']).optional() });

const UploadedFile = z.object({
  name: z.string().min(1).max(255),
  contentBase64: z.string().min(1),
});

const ScreeningBody = z
  .object({
    jd: TEXT.max(50_000).optional(),
    jdFile: UploadedFile.optional(),
    jobTitle: z.string().max(200).optional(),
    folder: z.string().min(1).max(4096).optional(),
    files: z.array(UploadedFile).min(1).max(2000).optional(),
    blind: z.boolean().optional(),
    concurrency: z.number().int().min(1).max(16).optional(),
    language: LanguageField,
  })
  .refine((body) => (body.jd === undefined) !== (body.jdFile === undefined), { message: 'give exactly one of jd (text) or jdFile', path: ['jd'] })
  .refine((body) => (body.folder === undefined) !== (body.files === undefined), { message: 'give exactly one of folder or files', path: ['folder'] });

const ResultQuery = z.object({ format: z.enum(['json', 'csv', 'html']).default('json') });

/** One batch screening known to this server. */
interface ScreeningRecord {
  id: string;
  status: 'running' | 'complete' | 'aborted' | 'failed';
  createdAt: string;
  progress: ScreenProgress;
  controller: AbortController;
  result?: ScreenResult;
  error?: { code: string; message: string };
}

const CONTENT_TYPES: Record<ReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

/** A safe file name for an upload: its base name with path separators and control characters removed. */
function uploadName(name: string): string {
  const base = path.basename(name.replaceAll('\\', '/')).replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base && base !== '.' && base !== '..' ? base.slice(0, 200) : 'upload';
}

const asyncRoute =
  (handler: (req: Request, res: Response) => Promise<void>) =>
  (req: Request, res: Response, next: NextFunction): void => {
    handler(req, res).catch(next);
  };

/**
 * The preparation REST API (mounted at /api): resume parsing, job match, question plans, feedback letters and batch
 * screenings. Every body is zod-validated; errors are `{ error: { code, message } }`.
 */
export function createPrepRouter(deps: PrepRouterDeps): Router {
  const router = express.Router();
  const maxDocumentBytes = deps.extract?.maxBytes ?? EXTRACT_DEFAULTS.maxBytes;
  const screenings = new Map<string, ScreeningRecord>();
  const maxRunning = deps.maxRunningScreenings ?? 1;
  const json = express.json({ limit: '2mb' });
  const screeningJson = express.json({ limit: deps.maxScreeningBodyBytes ?? 100 * 1024 * 1024 });
  const raw = express.raw({ type: () => true, limit: maxDocumentBytes });

  const extract = async (bytes: Uint8Array, signal?: AbortSignal): Promise<Awaited<ReturnType<typeof extractText>>> => {
    try {
      return await extractText(bytes, { ...deps.extract, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (error instanceof ExtractError) throw new PrepApiError(EXTRACT_STATUS[error.code] ?? 422, error.code, error.message);
      throw error;
    }
  };

  /** Cancels the LLM call when the client goes away: nobody would read the answer. */
  const requestSignal = (req: Request, res: Response): AbortSignal => {
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    req.on('aborted', () => controller.abort());
    return controller.signal;
  };

  const llmCall = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (error instanceof LlmError) throw new PrepApiError(LLM_STATUS[error.code] ?? 502, error.code, error.message);
      throw error;
    }
  };

  router.post(
    '/resumes/parse',
    raw,
    asyncRoute(async (req, res) => {
      const query = parseOr400(ParseQuery, req.query, 'query');
      const body: unknown = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0) {
        throw fail(400, 'invalid-request', 'send the resume file as the request body (Content-Type: application/octet-stream or the file type)');
      }
      const signal = requestSignal(req, res);
      const extracted = await extract(body, signal);
      const base = { text: extracted.text, kind: extracted.kind, pageCount: extracted.pageCount ?? null, warnings: extracted.warnings };
      if (query.llm === 'false') {
        res.json({ ...base, resume: null, llmError: null });
        return;
      }
      try {
        const parsed = await parseResume(deps.prep, { text: extracted.text, language: query.language, signal });
        res.json({ ...base, language: parsed.language, resume: parsed.resume, model: parsed.model, promptVersion: parsed.promptVersion, llmError: null });
      } catch (error) {
        // The text is still worth having (the live session can use it) when the LLM is down or answers badly.
        if (!(error instanceof LlmError)) throw error;
        deps.logger?.warn(`resume parse: LLM part failed: ${error.message}`);
        res.json({ ...base, resume: null, llmError: describe(error) });
      }
    }),
  );

  router.post(
    '/match',
    json,
    asyncRoute(async (req, res) => {
      const body = parseOr400(MatchBody, req.body, 'body');
      const signal = requestSignal(req, res);
      const result = await llmCall(() => matchResume(deps.prep, { ...body, signal }));
      res.json({
        match: result.match,
        ...(result.redaction ? { redaction: { removed: result.redaction.removed, text: result.redaction.text } } : {}),
      });
    }),
  );

  router.post(
    '/plans',
    json,
    asyncRoute(async (req, res) => {
      const body = parseOr400(PlanBody, req.body, 'body');
      const signal = requestSignal(req, res);
      const { plan } = await llmCall(() => planInterview(deps.prep, { ...body, signal }));
      res.json({ plan, plannedQuestions: toPlannedQuestions(plan) });
    }),
  );

  router.post(
    '/feedback',
    json,
    asyncRoute(async (req, res) => {
      const body = parseOr400(FeedbackRequest, req.body, 'body');
      const signal = requestSignal(req, res);
      const { letter } = await llmCall(() => writeFeedbackLetter(deps.prep, body, { signal }));
      res.json({ letter });
    }),
  );

  const resolveFolder = async (folder: string): Promise<string> => {
    const roots = deps.screeningRoots ?? [];
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
  };

  const storedResult = async (id: string): Promise<ScreenResult | undefined> => {
    if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
    try {
      return JSON.parse(await readFile(path.join(deps.screeningsDir, id, 'result.json'), 'utf8')) as ScreenResult;
    } catch {
      return undefined;
    }
  };

  router.post(
    '/screenings',
    screeningJson,
    asyncRoute(async (req, res) => {
      const body = parseOr400(ScreeningBody, req.body, 'body');
      const running = [...screenings.values()].filter((screening) => screening.status === 'running').length;
      if (running >= maxRunning) throw fail(429, 'busy', `${running} screening(s) already running; wait for it to finish or cancel it`);
      const id = randomUUID();
      const dir = path.join(deps.screeningsDir, id);
      let jd = body.jd;
      if (body.jdFile) jd = (await extract(Buffer.from(body.jdFile.contentBase64, 'base64'))).text;
      if (!jd) throw fail(400, 'invalid-request', 'the job description is empty');
      let resumes: Array<string | ResumeSource>;
      if (body.folder !== undefined) {
        resumes = [await resolveFolder(body.folder)];
      } else {
        const uploadDir = path.join(dir, 'uploads');
        await mkdir(uploadDir, { recursive: true });
        resumes = [];
        for (const [index, file] of (body.files ?? []).entries()) {
          const name = uploadName(file.name);
          const stored = path.join(uploadDir, `${String(index).padStart(4, '0')}-${name}`);
          await writeFile(stored, Buffer.from(file.contentBase64, 'base64'));
          resumes.push({ name, path: stored });
        }
      }
      await mkdir(dir, { recursive: true });
      const record: ScreeningRecord = {
        id,
        status: 'running',
        createdAt: new Date().toISOString(),
        progress: { total: 0, done: 0, ranked: 0, failed: 0, resumed: 0, inFlight: 0 },
        controller: new AbortController(),
      };
      screenings.set(id, record);
      const jobTitle = body.jobTitle ?? jd.split('\n').find((line) => line.trim())?.trim().slice(0, 120);
      // The state directory is shared, keyed by JD, language, blind flag and prompt: posting the same job again after a
      // restart resumes where the earlier screening stopped.
      screenResumes(deps.prep, {
        jd,
        jobTitle,
        resumes,
        stateDir: path.join(deps.screeningsDir, 'state'),
        blind: body.blind,
        concurrency: body.concurrency ?? deps.screeningConcurrency,
        language: body.language,
        extract: deps.extract,
        signal: record.controller.signal,
        onProgress: (progress) => {
          record.progress = progress;
        },
      })
        .then(async (result) => {
          record.result = result;
          record.status = result.status;
          await writeFile(path.join(dir, 'result.json'), JSON.stringify(result));
        })
        .catch((error: unknown) => {
          record.status = 'failed';
          record.error = { code: 'internal', message: error instanceof Error ? error.message : String(error) };
          deps.logger?.error(`screening ${id} failed: ${record.error.message}`);
        });
      res.status(202).json({ id, status: record.status, links: { self: `screenings/${id}`, result: `screenings/${id}/result` } });
    }),
  );

  router.get(
    '/screenings/:id',
    asyncRoute(async (req, res) => {
      const id = String(req.params.id);
      const record = screenings.get(id);
      if (record) {
        res.json({ id, status: record.status, createdAt: record.createdAt, progress: record.progress, error: record.error ?? null });
        return;
      }
      const stored = await storedResult(id);
      if (!stored) throw fail(404, 'not-found', `no screening ${id}`);
      res.json({
        id,
        status: stored.status,
        createdAt: stored.startedAt,
        progress: { total: stored.total, done: stored.total - stored.pending.length, ranked: stored.ranked.length, failed: stored.failed.length, resumed: stored.resumed, inFlight: 0 },
        error: null,
      });
    }),
  );

  router.get(
    '/screenings/:id/result',
    asyncRoute(async (req, res) => {
      const id = String(req.params.id);
      const { format } = parseOr400(ResultQuery, req.query, 'query');
      const record = screenings.get(id);
      if (record?.status === 'running') throw fail(409, 'not-ready', `screening ${id} is still running (${record.progress.done}/${record.progress.total})`);
      if (record?.status === 'failed') throw fail(500, 'internal', `screening ${id} failed: ${record.error?.message ?? 'unknown error'}`);
      const result = record?.result ?? (await storedResult(id));
      if (!result) throw fail(404, 'not-found', `no screening ${id}`);
      res.type(CONTENT_TYPES[format]);
      if (format !== 'html') res.attachment(`screening-${id}.${format}`);
      res.send(renderReport(result, format));
    }),
  );

  router.post('/screenings/:id/cancel', (req, res, next) => {
    const record = screenings.get(String(req.params.id));
    if (!record) {
      next(fail(404, 'not-found', `no running screening ${String(req.params.id)}`));
      return;
    }
    record.controller.abort();
    res.json({ id: record.id, status: record.status });
  });

  const errors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof PrepApiError) {
      res.status(error.status).json({ error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) } });
      return;
    }
    const httpError = error as { type?: string; status?: number; message?: string; limit?: number };
    if (httpError.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'invalid-json', message: `the body is not valid JSON: ${httpError.message ?? ''}` } });
      return;
    }
    if (httpError.type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'too-large', message: `the body is larger than the ${((httpError.limit ?? maxDocumentBytes) / 1024 / 1024).toFixed(1)} MiB limit` } });
      return;
    }
    deps.logger?.error(`prep API: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    res.status(500).json({ error: { code: 'internal', message: 'internal error (see the server log)' } });
  };
  router.use(errors);
  return router;
}
