import { z } from 'zod';
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
import { apiErrorFrom, parseReply } from './replies.ts';
import { createRestTransport } from './rest-transport.ts';
import type { SendUpload, UploadProgress } from './upload-client.ts';

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

export { ApiRequestError } from './replies.ts';

const CreateReply = z.object({ interview: z.object({ id: z.string() }), link: IssuedCandidateLink });

/** The REST calls the preparation and recruiter screens make. */
export interface PrepApi {
  /** Text of a resume or JD file (`POST /api/resumes/parse?llm=false`, the file as the raw body). */
  parseFile(file: File, signal: AbortSignal, onProgress?: (progress: UploadProgress) => void): Promise<string>;
  match(input: { jd: string; resume: string; blind?: boolean; language?: PrepLanguage }, signal: AbortSignal): Promise<JobMatch>;
  plan(input: { jd: string; resume: string; count: number; language: PrepLanguage }, signal: AbortSignal): Promise<InterviewPlan>;
  feedback(input: FeedbackRequest, signal: AbortSignal): Promise<FeedbackLetter>;
  startScreening(input: { jd: string; files: UploadedFile[]; blind: boolean }, signal: AbortSignal, onProgress?: (progress: UploadProgress) => void): Promise<string>;
  screeningStatus(id: string, signal: AbortSignal): Promise<ScreeningStatus>;
  screeningResult(id: string, signal: AbortSignal): Promise<ScreeningResult>;
  /** Address of a stored interview's report (HTML, in the interface language). */
  interviewReportUrl(interviewId: string, language: PrepLanguage): string;
  /** Download address of a finished screening's report. */
  screeningResultUrl(id: string, format: 'csv' | 'json' | 'html'): string;
  createAutomated(input: CreateAutomatedInterviewRequest, signal: AbortSignal): Promise<{ interviewId: string; link: IssuedCandidateLink }>;
  automatedStatus(id: string, signal: AbortSignal): Promise<AutomatedInterviewStatus>;
  revokeLink(interviewId: string, linkId: string, signal: AbortSignal): Promise<void>;
}

/**
 * The real API over `fetch` (injectable for tests), relative to `baseUrl` (same origin by default). File uploads go
 * through the one upload client (`upload-client.ts`: XMLHttpRequest with byte progress in a browser, the injected
 * `fetch` otherwise); every reply and error is read by `replies.ts`.
 */
export function createPrepApi({ baseUrl = '', fetch: givenFetch, upload: givenUpload }: { baseUrl?: string; fetch?: typeof fetch; upload?: SendUpload } = {}): PrepApi {
  const { upload, call, json } = createRestTransport({ baseUrl, ...(givenFetch ? { fetch: givenFetch } : {}), ...(givenUpload ? { upload: givenUpload } : {}) });
  const uploadJson = async <T extends z.ZodType>(
    schema: T,
    path: string,
    body: Blob | string,
    contentType: string,
    signal: AbortSignal,
    onProgress?: (progress: UploadProgress) => void,
  ): Promise<z.output<T>> => {
    const reply = await upload({ url: `${baseUrl}${path}`, body, contentType, signal, ...(onProgress ? { onProgress } : {}) });
    if (reply.status < 200 || reply.status > 299) throw apiErrorFrom(reply.status, reply.body);
    return parseReply(schema, reply.status, reply.body, path);
  };
  const post = (body: unknown, signal: AbortSignal) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
  const id = encodeURIComponent;

  return {
    parseFile: async (file, signal, onProgress) =>
      (await uploadJson(ParseReply, '/api/resumes/parse?llm=false', file, file.type || 'application/octet-stream', signal, onProgress)).text,
    match: async (input, signal) => (await json(MatchReply, '/api/match', post(input, signal))).match,
    plan: async (input, signal) => (await json(PlanReply, '/api/plans', post(input, signal))).plan,
    feedback: async (input, signal) => (await json(FeedbackReply, '/api/feedback', post(input, signal))).letter,
    startScreening: async (input, signal, onProgress) => (await uploadJson(StartReply, '/api/screenings', JSON.stringify(input), 'application/json', signal, onProgress)).id,
    screeningStatus: (screeningId, signal) => json(ScreeningStatus, `/api/screenings/${id(screeningId)}`, { signal }),
    screeningResult: (screeningId, signal) => json(ScreeningResult, `/api/screenings/${id(screeningId)}/result?format=json`, { signal }),
    interviewReportUrl: (interviewId, language) => `${baseUrl}/api/interviews/${id(interviewId)}/report?format=html&lang=${language}`,
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
