import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { CreateInterviewRequest, InterviewListQuery, UpdateInterviewRequest, type Interview } from '../../protocol/interviews.ts';
import { callerOf } from '../http/auth-gate.ts';
import { renderReport } from '../reports/index.ts';
import type { InterviewRepository } from '../store/repository.ts';
import { ApiError, apiErrorHandler, parseOr400, type ApiLogger } from './errors.ts';
import { interviewPage } from './interview-page.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { RecordingJobs, type ProcessRecording } from './recording-jobs.ts';
import { mountRecordingRoutes, removeLeftoverUploads, removeUploadsOf, type Route } from './recording-routes.ts';
import { mountTurnRoutes, type CorrectTurn } from './turn-routes.ts';

export type { ProcessRecording, ProcessRecordingInput } from './recording-jobs.ts';

export { DEFAULT_MAX_UPLOAD_BYTES } from './recording-routes.ts';

/** What the interviews router needs. */
export interface InterviewsRouterDeps {
  repository: InterviewRepository;
  /** Turns an upload into stored turns; without it `POST .../recording` answers 501. */
  processRecording?: ProcessRecording;
  logger?: ApiLogger;
  /** Where uploads wait while processed (`<dataDir>/uploads`); leftovers from a dead process are removed at creation. */
  uploadDir: string;
  /** `VIVA_MAX_UPLOAD_BYTES`; default 1 GiB. */
  maxUploadBytes?: number;
  /** Uploads allowed to wait behind the one being processed (default 4); more get 503. */
  maxQueuedRecordings?: number;
  /** True while a live session writes into this interview: it cannot be deleted or given an upload then. */
  isSessionActive?: (interviewId: string) => boolean;
  /** ffprobe binary (`VIVA_FFPROBE_PATH`). */
  ffprobePath?: string;
  /** Longest recording accepted, by its declared duration (default MAX_RECORDING_MS, 4 h); longer ones get 413. */
  maxRecordingMs?: number;
  /** Re-attributes or corrects a turn and re-scores the answers that change (`PATCH .../turns/:turnId`); 501 without it. */
  correctTurn?: CorrectTurn;
  /** Defaults applied to new interviews that do not set their own retention (`VIVA_*_RETENTION_DAYS`). */
  defaultRetention?: { audioDays: number | null; transcriptDays: number | null };
  now?: () => number;
}

/** The router, plus `close()` to cancel recording jobs on shutdown and `jobs` for their counters. */
export type InterviewsRouter = Router & { close(): Promise<void>; jobs: RecordingJobs | null };

const IdParams = z.object({ id: z.string().min(1).max(200) });
const TurnParams = IdParams.extend({ turnId: z.string().min(1).max(200) });
const ReportQuery = z.object({
  format: z.enum(['html', 'md', 'json']).default('html'),
  lang: z.enum(['en', 'zh']).optional(),
  download: z.enum(['0', '1', 'true', 'false']).optional(),
});

const consoleLogger: ApiLogger = {
  info: (message, fields) => console.info(message, fields ?? ''),
  warn: (message, fields) => console.warn(message, fields ?? ''),
  error: (message, fields) => console.error(message, fields ?? ''),
};

/** Express 5 handlers may be async; this keeps their types narrow and their rejections routed to the error handler. */
type Handler = (req: Request, res: Response) => Promise<void> | void;

/**
 * REST routes for stored interviews, meant to be mounted at `/api`: list, create, detail, update, delete, upload of a
 * recorded call with its processing status, reports (HTML, Markdown, JSON), turn audio, and `GET /openapi.json`.
 * Every input is parsed with zod; errors are `{ error: { code, message, issues? } }`.
 */
export function createInterviewsRouter(deps: InterviewsRouterDeps): InterviewsRouter {
  const { repository } = deps;
  const logger = deps.logger ?? consoleLogger;
  const jobs = deps.processRecording
    ? new RecordingJobs({
        repository,
        processRecording: deps.processRecording,
        logger,
        maxQueued: deps.maxQueuedRecordings ?? 4,
        now: deps.now,
      })
    : null;
  removeLeftoverUploads(deps.uploadDir, logger);
  // Jobs of a previous process died with it: their interviews become 'failed' and lose their partial turns. The rows
  // change synchronously here; only the audio folders are removed in the background.
  repository
    .recoverInterruptedProcessing('the server restarted while processing the recording; upload it again')
    .then((ids) => {
      if (ids.length > 0) logger.warn('recordings interrupted by a restart were marked failed', { interviewIds: ids });
    })
    .catch((error: unknown) => logger.error('recovering interrupted recordings failed', { error: (error as Error).message }));

  const router = express.Router() as InterviewsRouter;
  const route =
    (handler: Handler) =>
    async (req: Request, res: Response): Promise<void> => {
      await handler(req, res);
    };

  const requireInterview = (id: string) => {
    const interview = repository.getInterview(id);
    if (!interview) throw new ApiError(404, 'not-found', `no interview with id "${id}"`);
    return interview;
  };

  const recordings = mountRecordingRoutes(router, { deps, jobs, logger, route, requireInterview });
  mountReportRoutes(router, deps, route, requireInterview);
  mountTurnRoutes(router, route, deps.correctTurn);

  router.get('/openapi.json', (_req, res) => {
    res.json(buildOpenApiDocument());
  });

  mountInterviewRoutes(router, { deps, jobs, route, requireInterview, isReceiving: recordings.isReceiving });

  // Scoped to this router's paths: other routers mounted at /api keep their own error handling.
  router.use(['/interviews', '/openapi.json'], apiErrorHandler(logger));

  router.close = async () => {
    await jobs?.close();
  };
  router.jobs = jobs;
  return router;
}

/** Reports (HTML, Markdown, JSON) and turn audio. */
function mountReportRoutes(router: Router, deps: InterviewsRouterDeps, route: Route, requireInterview: (id: string) => Interview): void {
  const { repository } = deps;
  router.get(
    '/interviews/:id/report',
    route((req, res) => {
      const { id } = parseOr400(IdParams, req.params, 'path');
      const query = parseOr400(ReportQuery, req.query, 'query');
      const detail = repository.getInterviewDetail(id);
      if (!detail) throw new ApiError(404, 'not-found', `no interview with id "${id}"`);
      const report = renderReport(detail, query.format, { language: query.lang, generatedAtMs: (deps.now ?? Date.now)() });
      res.type(report.contentType);
      if (query.format === 'html') {
        // The report is static: forbid scripts and outside requests even if some user text slipped through.
        res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
      }
      if (query.download === '1' || query.download === 'true') {
        res.attachment(`interview-${id}.${report.extension}`);
      }
      res.send(report.body);
    }),
  );

  router.get(
    '/interviews/:id/turns/:turnId/audio',
    route(async (req, res) => {
      const { id, turnId } = parseOr400(TurnParams, req.params, 'path');
      requireInterview(id);
      const audioPath = repository.getTurnAudioPath(id, turnId);
      if (!audioPath) throw new ApiError(404, 'not-found', `no audio kept for turn "${turnId}"`);
      await new Promise<void>((resolve, reject) => {
        res.sendFile(audioPath, { headers: { 'Content-Type': 'audio/wav' } }, (error) => {
          if (!error) resolve();
          else if ((error as NodeJS.ErrnoException).code === 'ENOENT') reject(new ApiError(404, 'not-found', `the audio file of turn "${turnId}" is gone`));
          else reject(error);
        });
      });
    }),
  );
}

/** List, create, read, update and delete interviews. */
function mountInterviewRoutes(
  router: Router,
  context: { deps: InterviewsRouterDeps; jobs: RecordingJobs | null; route: Route; requireInterview(id: string): Interview; isReceiving(id: string): boolean },
): void {
  const { deps, jobs, route, requireInterview } = context;
  const { repository } = deps;
  const json = express.json({ limit: '2mb' });

  router.get(
    '/interviews',
    route((req, res) => {
      const query = parseOr400(InterviewListQuery, req.query, 'query');
      // Filtered in SQL (paging and totals count only what the caller may see); admins and the caller-less see all.
      const user = callerOf(res)?.user;
      res.json(interviewPage(repository, query, user && user.role !== 'admin' ? user.id : undefined));
    }),
  );

  router.post(
    '/interviews',
    json,
    route((req, res) => {
      const body = parseOr400(CreateInterviewRequest, req.body ?? {}, 'body');
      const interview = repository.createInterview({
        title: body.title ?? null,
        role: body.role ?? null,
        jobDescription: body.jobDescription ?? null,
        resume: body.resume ?? null,
        candidateName: body.candidateName ?? null,
        language: body.language,
        mode: body.mode ?? 'recording',
        context: { rubric: body.rubric, plannedQuestions: body.plannedQuestions },
        // Created here, nothing is being captured yet: it becomes 'live' when a session starts or 'processing' on upload.
        status: 'stopped',
        audioRetentionDays: body.audioRetentionDays !== undefined ? body.audioRetentionDays : (deps.defaultRetention?.audioDays ?? null),
        transcriptRetentionDays:
          body.transcriptRetentionDays !== undefined ? body.transcriptRetentionDays : (deps.defaultRetention?.transcriptDays ?? null),
        consent: body.consent ?? null,
      });
      res.status(201).location(`${req.baseUrl}/interviews/${encodeURIComponent(interview.id)}`).json(interview);
    }),
  );

  router.get(
    '/interviews/:id',
    route((req, res) => {
      const { id } = parseOr400(IdParams, req.params, 'path');
      const detail = repository.getInterviewDetail(id);
      if (!detail) throw new ApiError(404, 'not-found', `no interview with id "${id}"`);
      res.json(detail);
    }),
  );

  router.patch(
    '/interviews/:id',
    json,
    route((req, res) => {
      const { id } = parseOr400(IdParams, req.params, 'path');
      const patch = parseOr400(UpdateInterviewRequest, req.body ?? {}, 'body');
      const updated = repository.updateInterview(id, patch);
      if (!updated) throw new ApiError(404, 'not-found', `no interview with id "${id}"`);
      res.json(updated);
    }),
  );

  router.delete(
    '/interviews/:id',
    route(async (req, res) => {
      const { id } = parseOr400(IdParams, req.params, 'path');
      requireInterview(id);
      if (deps.isSessionActive?.(id)) throw new ApiError(409, 'conflict', 'the interview is live: stop its session before deleting it');
      if (context.isReceiving(id)) throw new ApiError(409, 'conflict', 'a recording is being uploaded to this interview; try again when it has arrived');
      await jobs?.cancel(id, 'the interview was deleted');
      await repository.deleteInterview(id);
      removeUploadsOf(deps.uploadDir, id);
      res.status(204).end();
    }),
  );
}
