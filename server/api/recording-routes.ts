import { readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Interview, RecordingAccepted, RecordingStatus } from '../../protocol/interviews.ts';
import { Language } from '../../protocol/schemas.ts';
import { DecodeError, MAX_RECORDING_MS, probeAudioFile, type AudioProbe } from '../media/decode.ts';
import { safeFileName } from '../store/paths.ts';
import { ApiError, parseOr400, type ApiLogger } from './errors.ts';
import type { InterviewsRouterDeps } from './interviews.ts';
import { QueueFullError, type RecordingJobs } from './recording-jobs.ts';
import { UPLOAD_SUFFIX, saveUpload } from './upload.ts';

/** Default cap on one upload: 1 GiB (an hour of 44.1 kHz stereo WAV is ~635 MB). */
export const DEFAULT_MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;

const IdParams = z.object({ id: z.string().min(1).max(200) });
const RecordingQuery = z.object({
  language: Language.optional(),
  /** A stereo call recording with a speaker per channel: which channel is the interviewer's (default the first). */
  interviewerChannel: z.enum(['first', 'second']).optional(),
});

/** A route handler wrapped so its rejections reach the error handler. */
export type Route = (handler: (req: Request, res: Response) => Promise<void> | void) => (req: Request, res: Response) => Promise<void>;

/** What the recording routes share with the rest of the interviews router. */
export interface RecordingRouteContext {
  deps: InterviewsRouterDeps;
  jobs: RecordingJobs | null;
  logger: ApiLogger;
  route: Route;
  requireInterview(id: string): Interview;
}

/** Throws the 415/409 an upload gets when its body type is wrong or the interview cannot take a recording now. */
function refuseUnlessUploadable(req: Request, interview: Interview, state: { live: boolean; busy: boolean; hasTranscript: boolean }): void {
  const contentType = (req.headers['content-type'] ?? 'application/octet-stream').toLowerCase();
  if (/^(multipart\/|application\/json|application\/x-www-form-urlencoded|text\/)/.test(contentType)) {
    throw new ApiError(
      415,
      'unsupported-media-type',
      `send the recording as the raw request body (Content-Type: application/octet-stream or audio/*), not ${contentType.split(';')[0]}`,
    );
  }
  if (state.live || interview.status === 'live') {
    throw new ApiError(409, 'conflict', 'the interview is live: a recording can only be uploaded to an interview that is not running');
  }
  if (state.busy || interview.status === 'processing') throw new ApiError(409, 'conflict', 'a recording of this interview is already being processed');
  if (state.hasTranscript) throw new ApiError(409, 'conflict', 'the interview already has a transcript: create a new interview for this recording');
}

/** What the interview row says of its recording when no job of this process knows it (none yet, or a restart). */
function statusFromRow(interview: Interview): RecordingStatus {
  const status: RecordingStatus = {
    interviewId: interview.id,
    jobId: null,
    state: 'none',
    progress: 0,
    stage: null,
    error: null,
    uploadBytes: null,
    startedAtMs: null,
    finishedAtMs: null,
  };
  if (interview.mode === 'recording' && interview.status === 'done') Object.assign(status, { state: 'done', progress: 1, finishedAtMs: interview.endedAtMs });
  if (interview.mode === 'recording' && interview.status === 'failed') {
    Object.assign(status, { state: 'failed', error: { code: 'processing-failed', message: interview.statusMessage ?? 'processing failed' }, finishedAtMs: interview.endedAtMs });
  }
  return status;
}

/** Streams an upload to disk, probes it and queues its job; replies 202 with what was accepted. */
async function receiveRecording(req: Request, res: Response, context: RecordingRouteContext, receiving: Set<string>): Promise<void> {
  const { deps, jobs, requireInterview } = context;
  const { repository } = deps;
  const maxUploadBytes = deps.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const { id } = parseOr400(IdParams, req.params, 'path');
  const query = parseOr400(RecordingQuery, req.query, 'query');
  const interview = requireInterview(id);
  if (!jobs) throw new ApiError(501, 'not-configured', 'this server cannot process recordings (no pipeline configured)');
  refuseUnlessUploadable(req, interview, {
    live: deps.isSessionActive?.(id) ?? false,
    busy: jobs.isActive(id) || receiving.has(id),
    hasTranscript: (repository.getInterviewDetail(id)?.turns.length ?? 0) > 0,
  });

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
      ...(query.interviewerChannel ? { interviewerChannel: query.interviewerChannel } : {}),
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
}

/**
 * Upload of a recorded call (`POST /interviews/:id/recording`, streamed to disk, probed, queued) and its processing
 * status. Returns whether an interview's upload is arriving right now (it cannot be deleted then).
 */
export function mountRecordingRoutes(router: Router, context: RecordingRouteContext): { isReceiving(id: string): boolean } {
  const { jobs, route, requireInterview } = context;
  // Interviews whose upload is being received right now (before its job exists), so two uploads cannot race.
  const receiving = new Set<string>();

  router.post(
    '/interviews/:id/recording',
    route(async (req, res) => {
      try {
        await receiveRecording(req, res, context, receiving);
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
      res.json(statusFromRow(interview));
    }),
  );

  return { isReceiving: (id) => receiving.has(id) };
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
export function removeUploadsOf(uploadDir: string, interviewId: string): void {
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
export function removeLeftoverUploads(uploadDir: string, logger: ApiLogger): void {
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
