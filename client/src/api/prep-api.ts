import { z } from 'zod';
import { ApiErrorBody } from '../../../protocol/interviews.ts';
import { AutomatedInterviewStatus, IssuedCandidateLink, type CreateAutomatedInterviewRequest } from '../../../protocol/automated.ts';
import {
  FeedbackReply,
  MatchReply,
  PlanReply,
  RankedResume,
  ResumeParseReply,
  ScreeningProgress,
  ScreeningResult as FullScreeningResult,
  ScreeningStartReply,
  ScreeningStatus as FullScreeningStatus,
  type FeedbackLetter,
  type FeedbackRequest,
  type InterviewPlan,
  type JobMatch,
  type PrepLanguage,
  type UploadedFile,
} from '../../../protocol/prep.ts';

// The client validates every reply with the preparation API's schemas in protocol/prep.ts, so a reply that drifts from
// the server's shape fails here with a clear message instead of rendering undefined fields.

// Each reply is checked for the fields the screens read (picked from the protocol schema, so a renamed field fails).
export type { UploadedFile };

/** Progress of a screening as the screening screen reads it (`GET /api/screenings/:id`). */
export const ScreeningStatus = FullScreeningStatus.pick({ id: true, status: true }).extend({
  progress: ScreeningProgress.pick({ total: true, done: true, ranked: true, failed: true }),
  error: FullScreeningStatus.shape.error.optional(),
});
export type ScreeningStatus = z.infer<typeof ScreeningStatus>;

/** The JSON screening report as the screening screen reads it (`?format=json`). */
export const ScreeningResult = FullScreeningResult.pick({ status: true, total: true, failed: true, pending: true }).extend({
  ranked: z.array(RankedResume.pick({ rank: true, file: true, candidateName: true, match: true })),
});
export type ScreeningResult = z.infer<typeof ScreeningResult>;

const ParseReply = ResumeParseReply.pick({ text: true });
const StartReply = ScreeningStartReply.pick({ id: true });

/** A failed API call: the server's `{ error: { code, message } }`, or `server-unreachable` / `invalid-reply`. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const CreateReply = z.object({ interview: z.object({ id: z.string() }), link: IssuedCandidateLink });

/** The REST calls the preparation and recruiter screens make. */
export interface PrepApi {
  /** Text of a resume or JD file (`POST /api/resumes/parse?llm=false`). */
  parseFile(file: File, signal: AbortSignal): Promise<string>;
  match(input: { jd: string; resume: string; blind?: boolean; language?: PrepLanguage }, signal: AbortSignal): Promise<JobMatch>;
  plan(input: { jd: string; resume: string; count: number; language: PrepLanguage }, signal: AbortSignal): Promise<InterviewPlan>;
  feedback(input: FeedbackRequest, signal: AbortSignal): Promise<FeedbackLetter>;
  startScreening(input: { jd: string; files: UploadedFile[]; blind: boolean }, signal: AbortSignal): Promise<string>;
  screeningStatus(id: string, signal: AbortSignal): Promise<ScreeningStatus>;
  screeningResult(id: string, signal: AbortSignal): Promise<ScreeningResult>;
  /** Download address of a finished screening's report. */
  screeningResultUrl(id: string, format: 'csv' | 'json' | 'html'): string;
  createAutomated(input: CreateAutomatedInterviewRequest, signal: AbortSignal): Promise<{ interviewId: string; link: IssuedCandidateLink }>;
  automatedStatus(id: string, signal: AbortSignal): Promise<AutomatedInterviewStatus>;
  revokeLink(interviewId: string, linkId: string, signal: AbortSignal): Promise<void>;
}

/** The real API over `fetch` (injectable for tests), relative to `baseUrl` (same origin by default). */
export function createPrepApi({ baseUrl = '', fetch: fetchImpl = globalThis.fetch.bind(globalThis) }: { baseUrl?: string; fetch?: typeof fetch } = {}): PrepApi {
  const call = async (path: string, init: RequestInit & { signal: AbortSignal }): Promise<Response> => {
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${path}`, init);
    } catch (error) {
      if (init.signal.aborted) throw error;
      throw new ApiRequestError(0, 'server-unreachable', error instanceof Error ? error.message : String(error));
    }
    if (response.ok) return response;
    const payload: unknown = await response.json().catch(() => null);
    const parsed = ApiErrorBody.safeParse(payload);
    if (parsed.success) throw new ApiRequestError(response.status, parsed.data.error.code, parsed.data.error.message);
    throw new ApiRequestError(response.status, response.status === 404 ? 'not-found' : 'http-error', `HTTP ${response.status}`);
  };
  const json = async <T extends z.ZodType>(schema: T, path: string, init: RequestInit & { signal: AbortSignal }): Promise<z.output<T>> => {
    const response = await call(path, init);
    const parsed = schema.safeParse(await response.json().catch(() => null));
    if (!parsed.success) throw new ApiRequestError(response.status, 'invalid-reply', `unexpected reply from ${path.split('?')[0]}: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data;
  };
  const post = (body: unknown, signal: AbortSignal) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
  const id = encodeURIComponent;

  return {
    parseFile: async (file, signal) =>
      (
        await json(ParseReply, '/api/resumes/parse?llm=false', {
          method: 'POST',
          headers: { 'content-type': file.type || 'application/octet-stream' },
          body: file,
          signal,
        })
      ).text,
    match: async (input, signal) => (await json(MatchReply, '/api/match', post(input, signal))).match,
    plan: async (input, signal) => (await json(PlanReply, '/api/plans', post(input, signal))).plan,
    feedback: async (input, signal) => (await json(FeedbackReply, '/api/feedback', post(input, signal))).letter,
    startScreening: async (input, signal) => (await json(StartReply, '/api/screenings', post(input, signal))).id,
    screeningStatus: (screeningId, signal) => json(ScreeningStatus, `/api/screenings/${id(screeningId)}`, { signal }),
    screeningResult: (screeningId, signal) => json(ScreeningResult, `/api/screenings/${id(screeningId)}/result?format=json`, { signal }),
    screeningResultUrl: (screeningId, format) => `${baseUrl}/api/screenings/${id(screeningId)}/result?format=${format}`,
    createAutomated: async (input, signal) => {
      const reply = await json(CreateReply, '/api/automated-interviews', post(input, signal));
      return { interviewId: reply.interview.id, link: reply.link };
    },
    automatedStatus: (interviewId, signal) => json(AutomatedInterviewStatus, `/api/automated-interviews/${id(interviewId)}`, { signal }),
    revokeLink: async (interviewId, linkId, signal) => {
      await call(`/api/automated-interviews/${id(interviewId)}/links/${id(linkId)}`, { method: 'DELETE', signal });
    },
  };
}

/** Base64 of a file's bytes (for the screening upload, which carries files inside JSON). */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  // Chunks keep String.fromCharCode's argument count below engine limits on multi-megabyte files.
  for (let offset = 0; offset < bytes.length; offset += 0x8000) binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  return btoa(binary);
}
