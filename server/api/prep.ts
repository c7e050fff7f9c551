import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { z } from 'zod';
import { LlmError } from '../llm/errors.ts';
import type { Logger } from '../logger.ts';
import type { PrepDeps } from '../prep/deps.ts';
import { EXTRACT_DEFAULTS, ExtractError, extractText, type ExtractOptions } from '../prep/extract.ts';
import { writeFeedbackLetter } from '../prep/feedback.ts';
import { matchResume } from '../prep/match.ts';
import { parseResume } from '../prep/parse-resume.ts';
import { planInterview, toPlannedQuestions } from '../prep/plan.ts';
import {
  FeedbackRequest,
  MatchRequest,
  PlanRequest,
  ResumeParseQuery,
  ScreeningRequest,
  ScreeningResultQuery,
  type FeedbackReply,
  type MatchReply,
  type PlanReply,
  type ResumeParseReply,
  type ScreeningStartReply,
} from '../../protocol/prep.ts';
import { renderReport, type ReportFormat } from '../prep/screen-report.ts';
import { EXTRACT_STATUS, LLM_STATUS, PrepApiError, describe, fail, parseOr400, prepErrorHandler } from './prep-errors.ts';
import { createScreeningJobs, type ScreeningJobs, type ScreeningJobsDeps } from './screening-jobs.ts';

/** What the preparation API is built from. */
export interface PrepRouterDeps extends ScreeningJobsDeps {
  prep: PrepDeps;
  /** Per-document limits (bytes, pages, characters). */
  extract?: Omit<ExtractOptions, 'signal'> | undefined;
  /** Largest JSON body of POST /api/screenings (files are base64 inside it); default 100 MiB. */
  maxScreeningBodyBytes?: number | undefined;
  logger?: Logger | undefined;
}

const CONTENT_TYPES: Record<ReportFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

const asyncRoute =
  (handler: (req: Request, res: Response) => Promise<void>) =>
  (req: Request, res: Response, next: NextFunction): void => {
    handler(req, res).catch(next);
  };

/** Cancels the LLM call when the client goes away: nobody would read the answer. */
function requestSignal(req: Request, res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  req.on('aborted', () => controller.abort());
  return controller.signal;
}

/** Runs an LLM call; its failure becomes the HTTP status of its code. */
async function llmCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof LlmError) throw new PrepApiError(LLM_STATUS[error.code] ?? 502, error.code, error.message);
    throw error;
  }
}

/** The batch screening routes: start, status, result, cancel, delete. */
function mountScreeningRoutes(
  router: Router,
  screenings: ScreeningJobs,
  screeningJson: RequestHandler,
  extract: (bytes: Uint8Array) => Promise<{ text: string }>,
): void {
  router.post(
    '/screenings',
    screeningJson,
    asyncRoute(async (req, res) => {
      const body = parseOr400(ScreeningRequest, req.body, 'body');
      const jd = body.jdFile ? (await extract(Buffer.from(body.jdFile.contentBase64, 'base64'))).text : body.jd;
      if (!jd) throw fail(400, 'invalid-request', 'the job description is empty');
      const { id, status } = await screenings.start({ ...body, jd });
      const reply: ScreeningStartReply = { id, status, links: { self: `screenings/${id}`, result: `screenings/${id}/result` } };
      res.status(202).json(reply);
    }),
  );

  router.get(
    '/screenings/:id',
    asyncRoute(async (req, res) => {
      const id = String(req.params.id);
      const status = await screenings.status(id);
      if (!status) throw fail(404, 'not-found', `no screening ${id}`);
      res.json(status);
    }),
  );

  router.get(
    '/screenings/:id/result',
    asyncRoute(async (req, res) => {
      const id = String(req.params.id);
      const { format } = parseOr400(ScreeningResultQuery, req.query, 'query');
      const result = await screenings.result(id);
      res.type(CONTENT_TYPES[format]);
      if (format !== 'html') res.attachment(`screening-${id}.${format}`);
      res.send(renderReport(result, format));
    }),
  );

  router.post('/screenings/:id/cancel', (req, res, next) => {
    const cancelled = screenings.cancel(String(req.params.id));
    if (!cancelled) {
      next(fail(404, 'not-found', `no running screening ${String(req.params.id)}`));
      return;
    }
    res.json(cancelled);
  });

  router.delete(
    '/screenings/:id',
    asyncRoute(async (req, res) => {
      const id = String(req.params.id);
      if (!(await screenings.remove(id))) throw fail(404, 'not-found', `no screening ${id}`);
      res.status(204).end();
    }),
  );
}

/**
 * The preparation REST API (mounted at /api): resume parsing, job match, question plans, feedback letters and batch
 * screenings. Every body is zod-validated; errors are `{ error: { code, message } }`.
 */
export function createPrepRouter(deps: PrepRouterDeps): Router {
  const router = express.Router();
  const maxDocumentBytes = deps.extract?.maxBytes ?? EXTRACT_DEFAULTS.maxBytes;
  const json = express.json({ limit: '2mb' });
  const raw = express.raw({ type: () => true, limit: maxDocumentBytes });

  const extract = async (bytes: Uint8Array, signal?: AbortSignal): Promise<Awaited<ReturnType<typeof extractText>>> => {
    try {
      return await extractText(bytes, { ...deps.extract, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (error instanceof ExtractError) throw new PrepApiError(EXTRACT_STATUS[error.code] ?? 422, error.code, error.message);
      throw error;
    }
  };

  /** One JSON route that validates its body and answers with one LLM call, cancelled if the client leaves. */
  const llmRoute = <T extends z.ZodType>(route: string, schema: T, answer: (body: z.output<T>, signal: AbortSignal) => Promise<unknown>): void => {
    router.post(
      route,
      json,
      asyncRoute(async (req, res) => {
        const body = parseOr400(schema, req.body, 'body');
        const signal = requestSignal(req, res);
        res.json(await llmCall(() => answer(body, signal)));
      }),
    );
  };

  router.post(
    '/resumes/parse',
    raw,
    asyncRoute(async (req, res) => {
      const query = parseOr400(ResumeParseQuery, req.query, 'query');
      const body: unknown = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0) {
        throw fail(400, 'invalid-request', 'send the resume file as the request body (Content-Type: application/octet-stream or the file type)');
      }
      const signal = requestSignal(req, res);
      const extracted = await extract(body, signal);
      const base = { text: extracted.text, kind: extracted.kind, pageCount: extracted.pageCount ?? null, warnings: extracted.warnings };
      if (query.llm === 'false') {
        res.json({ ...base, resume: null, llmError: null } satisfies ResumeParseReply);
        return;
      }
      let reply: ResumeParseReply;
      try {
        const parsed = await parseResume(deps.prep, { text: extracted.text, language: query.language, signal });
        reply = { ...base, language: parsed.language, resume: parsed.resume, model: parsed.model, promptVersion: parsed.promptVersion, llmError: null };
      } catch (error) {
        // The text is still worth having (the live session can use it) when the LLM is down or answers badly.
        if (!(error instanceof LlmError)) throw error;
        deps.logger?.warn(`resume parse: LLM part failed: ${error.message}`);
        reply = { ...base, resume: null, llmError: describe(error) };
      }
      res.json(reply);
    }),
  );

  llmRoute('/match', MatchRequest, async (body, signal): Promise<MatchReply> => {
    const result = await matchResume(deps.prep, { ...body, signal });
    return { match: result.match, ...(result.redaction ? { redaction: { removed: result.redaction.removed, text: result.redaction.text } } : {}) };
  });
  llmRoute('/plans', PlanRequest, async (body, signal): Promise<PlanReply> => {
    const { plan } = await planInterview(deps.prep, { ...body, signal });
    return { plan, plannedQuestions: toPlannedQuestions(plan) };
  });
  llmRoute('/feedback', FeedbackRequest, async (body, signal): Promise<FeedbackReply> => {
    const { letter } = await writeFeedbackLetter(deps.prep, body, { signal });
    return { letter };
  });

  mountScreeningRoutes(router, createScreeningJobs(deps), express.json({ limit: deps.maxScreeningBodyBytes ?? 100 * 1024 * 1024 }), extract);

  router.use(prepErrorHandler({ maxDocumentBytes, logger: deps.logger }));
  return router;
}
