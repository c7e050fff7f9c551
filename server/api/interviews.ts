import { readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { Language } from '../../protocol/schemas.ts';
import {
  CreateInterviewRequest,
  InterviewListQuery,
  UpdateInterviewRequest,
  type RecordingAccepted,
  type RecordingStatus,
} from '../../protocol/interviews.ts';
import { DecodeError, MAX_RECORDING_MS, probeAudioFile, type AudioProbe } from '../media/decode.ts';
import { renderReport } from '../reports/index.ts';
import type { InterviewRepository } from '../store/repository.ts';
import { ApiError, apiErrorHandler, parseOr400, type ApiLogger } from './errors.ts';
import { interviewPage } from './interview-page.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { QueueFullError, RecordingJobs, type ProcessRecording } from './recording-jobs.ts';
import { safeFileName } from '../store/paths.ts';
import { UPLOAD_SUFFIX, saveUpload } from './upload.ts';

export type { ProcessRecording, ProcessRecordingInput } from './recording-jobs.ts';

/** Default cap on one upload: 1 GiB (an hour of 44.1 kHz stereo WAV is ~635 MB). */
export const DEFAULT_MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

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
  /** Defaults applied to new interviews that do not set their own retention (`VIVA_*_RETENTION_DAYS`). */
  defaultRetention?: { audioDays: number | null; transcriptDays: number | null };
  now?: () => number;
}

/** The router, plus `close()` to cancel recording jobs on shutdown and `jobs` for their counters. */
export type InterviewsRouter = Router & { close(): Promise<void>; jobs: RecordingJobs | null };

const IdParams = z.object({ id: z.string().min(1).max(200) });
const TurnParams = IdParams.extend({ turnId: z.string().min(1).max(200) });
const RecordingQuery = z.object({ language: Language.optional() });
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
  const maxUploadBytes = deps.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const jobs = deps.processRecording
    ? new RecordingJobs({
        repository,
        processRecording: deps.processRecording,
        logger,
        maxQueued: deps.maxQueuedRecordings ?? 4,
        now: deps.now,
      })
    : null;
  // Interviews whose upload is being received right now (before its job exists), so two uploads cannot race.
  const receiving = new Set<string>();

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
  const json = express.json({ limit: '2mb' });
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

  router.get('/openapi.json', (_req, res) => {
    res.json(buildOpenApiDocument());
  });

  router.get(
    '/interviews',
    route((req, res) => {
      const query = parseOr400(InterviewListQuery, req.query, 'query');
      res.json(interviewPage(repository, query));
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
      if (receiving.has(id)) throw new ApiError(409, 'conflict', 'a recording is being uploaded to this interview; try again when it has arrived');
      await jobs?.cancel(id, 'the interview was deleted');
      await repository.deleteInterview(id);
      removeUploadsOf(deps.uploadDir, id);
      res.status(204).end();
    }),
  );

  const receiveRecording = async (req: Request, res: Response): Promise<void> => {
    const { id } = parseOr400(IdParams, req.params, 'path');
    const query = parseOr400(RecordingQuery, req.query, 'query');
    const interview = requireInterview(id);
    if (!jobs) throw new ApiError(501, 'not-configured', 'this server cannot process recordings (no pipeline configured)');
    const contentType = (req.headers['content-type'] ?? 'application/octet-stream').toLowerCase();
    if (/^(multipart\/|application\/json|application\/x-www-form-urlencoded|text\/)/.test(contentType)) {
      throw new ApiError(
        415,
        'unsupported-media-type',
        `send the recording as the raw request body (Content-Type: application/octet-stream or audio/*), not ${contentType.split(';')[0]}`,
      );
    }
    if (deps.isSessionActive?.(id) || interview.status === 'live') {
      throw new ApiError(409, 'conflict', 'the interview is live: a recording can only be uploaded to an interview that is not running');
    }
    if (jobs.isActive(id) || receiving.has(id) || interview.status === 'processing') {
      throw new ApiError(409, 'conflict', 'a recording of this interview is already being processed');
    }
    const detail = repository.getInterviewDetail(id);
    if (detail && detail.turns.length > 0) {
      throw new ApiError(409, 'conflict', 'the interview already has a transcript: create a new interview for this recording');
    }

    receiving.add(id);
    let upload: { filePath: string; bytes: number } | undefined;
    let handedOver = false;
    try {
      upload = await saveUpload(req, { uploadDir: deps.uploadDir, interviewId: id, maxBytes: maxUploadBytes });
      if (upload.bytes === 0) throw new ApiError(400, 'empty-upload', 'the upload is empty (0 bytes): send the recording as the request body');
      let probe: AudioProbe;
      try {
        probe = await probeAudioFile(upload.filePath, { ffprobePath: deps.ffprobePath });
      } catch (error) {
        throw toApiError(error);
      }
      const maxRecordingMs = deps.maxRecordingMs ?? MAX_RECORDING_MS;
      if (probe.durationMs !== null && probe.durationMs > maxRecordingMs) {
        const minutes = (ms: number): string => `${Math.round(ms / 60_000)} min`;
        throw new ApiError(413, 'recording-too-long', `the recording lasts ${minutes(probe.durationMs)}, longer than the ${minutes(maxRecordingMs)} limit`);
      }
      const status = jobs.enqueue({
        interviewId: id,
        filePath: upload.filePath,
        language: query.language ?? interview.language,
        probe,
        uploadBytes: upload.bytes,
      });
      handedOver = true;
      const accepted: RecordingAccepted = {
        jobId: status.jobId ?? '',
        interviewId: id,
        uploadBytes: upload.bytes,
        format: probe.formatName,
        durationMs: probe.durationMs,
      };
      res.status(202).location(`${req.baseUrl}/interviews/${encodeURIComponent(id)}/recording/status`).json(accepted);
    } catch (error) {
      if (error instanceof QueueFullError) throw new ApiError(503, 'queue-full', error.message);
      throw error;
    } finally {
      receiving.delete(id);
      // Anything refused leaves no file behind; the interview row was never touched.
      if (upload && !handedOver) await rm(upload.filePath, { force: true });
    }
  };

  router.post(
    '/interviews/:id/recording',
    route(async (req, res) => {
      try {
        await receiveRecording(req, res);
      } catch (error) {
        if (!req.complete) {
          // Refused before the body was read: drop the rest and close the connection, so the client gets this reply
          // instead of a stalled upload, and the socket does not linger.
          res.setHeader('Connection', 'close');
          req.resume();
        }
        throw error;
      }
    }),
  );


  router.get(
    '/interviews/:id/recording/status',
    route((req, res) => {
      const { id } = parseOr400(IdParams, req.params, 'path');
      const interview = requireInterview(id);
      const live = jobs?.status(id);
      if (live) {
        res.json(live);
        return;
      }
      // No job in this process (none yet, or the server restarted): say what the interview row knows.
      const fromRow: RecordingStatus = {
        interviewId: id,
        jobId: null,
        state: 'none',
        progress: 0,
        stage: null,
        error: null,
        uploadBytes: null,
        startedAtMs: null,
        finishedAtMs: null,
      };
      if (interview.mode === 'recording' && interview.status === 'done') Object.assign(fromRow, { state: 'done', progress: 1, finishedAtMs: interview.endedAtMs });
      if (interview.mode === 'recording' && interview.status === 'failed') {
        Object.assign(fromRow, { state: 'failed', error: { code: 'processing-failed', message: interview.statusMessage ?? 'processing failed' }, finishedAtMs: interview.endedAtMs });
      }
      res.json(fromRow);
    }),
  );

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

  // Scoped to this router's paths: other routers mounted at /api keep their own error handling.
  router.use(['/interviews', '/openapi.json'], apiErrorHandler(logger));

  router.close = async () => {
    await jobs?.close();
  };
  router.jobs = jobs;
  return router;
}

function toApiError(error: unknown): unknown {
  if (!(error instanceof DecodeError)) return error;
  switch (error.code) {
    case 'empty-file':
      return new ApiError(400, 'empty-upload', 'the upload is empty (0 bytes)');
    case 'ffmpeg-missing':
      return new ApiError(503, 'ffmpeg-missing', error.message);
    case 'no-audio-stream':
      return new ApiError(422, 'no-audio-stream', error.message);
    case 'file-not-found':
      return error;
    default:
      return new ApiError(422, 'not-audio', error.message);
  }
}

/** Removes every upload of one interview (a cancelled job normally removes its own; this catches any other). */
function removeUploadsOf(uploadDir: string, interviewId: string): void {
  const prefix = `${safeFileName(interviewId)}-`;
  // `<interview>-<12 hex>.upload` (saveUpload): the exact shape, so interview "a" never takes the uploads of "a-b".
  const ours = (name: string): boolean => name.startsWith(prefix) && /^[0-9a-f]{12}$/.test(name.slice(prefix.length, -UPLOAD_SUFFIX.length));
  let names: string[];
  try {
    names = readdirSync(uploadDir);
  } catch {
    return;
  }
  for (const name of names) if (name.endsWith(UPLOAD_SUFFIX) && ours(name)) rmSync(path.join(uploadDir, name), { force: true });
}

/** Uploads of a previous process have no job any more: their interviews were marked failed by the repository. */
function removeLeftoverUploads(uploadDir: string, logger: ApiLogger): void {
  let names: string[];
  try {
    names = readdirSync(uploadDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.endsWith(UPLOAD_SUFFIX)) continue;
    rmSync(path.join(uploadDir, name), { force: true });
    logger.info('removed an upload left by a previous run', { file: name });
  }
}
