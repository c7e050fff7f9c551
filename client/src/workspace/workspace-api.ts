import { z } from 'zod';
import {
  Interview,
  InterviewDetail,
  InterviewPage,
  CorrectTurnResult,
  RecordingAccepted,
  RecordingStatus,
  type CorrectTurnRequest,
  type CreateInterviewRequest,
  type InterviewListQuery,
} from '../../../protocol/interviews.ts';
import { apiErrorFrom, parseReply } from '../api/replies.ts';
import { createRestTransport } from '../api/rest-transport.ts';
import type { SendUpload, UploadProgress } from '../api/upload-client.ts';

/** Filters of the list as the client sends them (every field optional; `limit`/`offset` default on the server). */
export type ListQuery = Partial<InterviewListQuery>;

/** What the report's JSON gives the detail view (the server's `InterviewReport`, the fields read here). */
export const ReportSummary = z.object({
  summary: z.object({
    recommendation: z.string(),
    weightedOverall: z.number().nullable(),
    dimensions: z.array(z.object({ id: z.string(), name: z.string(), weight: z.number(), average: z.number().nullable(), count: z.number() })),
    counts: z.object({ answers: z.number(), scored: z.number(), failed: z.number(), pending: z.number() }),
  }),
  questions: z.array(
    z.object({
      index: z.number(),
      source: z.string(),
      text: z.string().nullable(),
      /** The planned question this is, matched by what was asked (or by rank when no interviewer was heard). */
      planned: z.object({ index: z.number(), text: z.string() }).nullable().default(null),
      answers: z.array(
        z.object({
          turnId: z.string(),
          text: z.string(),
          status: z.string(),
          score: z
            .object({
              overall: z.number().nullable(),
              dimensions: z.array(z.object({ id: z.string(), score: z.number().nullable(), evidence: z.array(z.object({ quote: z.string() })) })).default([]),
            })
            .nullable(),
        }),
      ),
    }),
  ),
});
export type ReportSummary = z.infer<typeof ReportSummary>;

/** Report formats the server renders. */
export type ReportFormat = 'html' | 'md' | 'json';

/** The REST calls of the recruiter's workspace (`/api/interviews…`). */
export interface WorkspaceApi {
  list(query: ListQuery, signal: AbortSignal): Promise<InterviewPage>;
  detail(id: string, signal: AbortSignal): Promise<InterviewDetail>;
  report(id: string, language: 'en' | 'zh', signal: AbortSignal): Promise<ReportSummary>;
  remove(id: string, signal: AbortSignal): Promise<void>;
  create(body: CreateInterviewRequest, signal: AbortSignal): Promise<Interview>;
  uploadRecording(id: string, file: Blob, language: string, signal: AbortSignal, onProgress?: (progress: UploadProgress) => void): Promise<RecordingAccepted>;
  recordingStatus(id: string, signal: AbortSignal): Promise<RecordingStatus>;
  /** Address of a report (a download when `download`). */
  reportUrl(id: string, format: ReportFormat, language: 'en' | 'zh', download?: boolean): string;
  /** Address of one turn's WAV. */
  turnAudioUrl(id: string, turnId: string): string;
  /** Corrects who spoke a turn and/or its text; the answers that change are scored again (listed in the reply). */
  correctTurn(id: string, turnId: string, correction: CorrectTurnRequest, signal: AbortSignal): Promise<CorrectTurnResult>;
}

/** The query string of a list request; empty filters are left out. */
export function listQueryString(query: ListQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The real API over `fetch` (injectable for tests); uploads through the shared upload client, with byte progress. */
export function createWorkspaceApi({ baseUrl = '', fetch: givenFetch, upload: givenUpload }: { baseUrl?: string; fetch?: typeof fetch; upload?: SendUpload } = {}): WorkspaceApi {
  const { upload, call, json } = createRestTransport({ baseUrl, ...(givenFetch ? { fetch: givenFetch } : {}), ...(givenUpload ? { upload: givenUpload } : {}) });
  const id = encodeURIComponent;

  return {
    list: (query, signal) => json(InterviewPage, `/api/interviews${listQueryString(query)}`, { signal }),
    detail: (interviewId, signal) => json(InterviewDetail, `/api/interviews/${id(interviewId)}`, { signal }),
    report: (interviewId, language, signal) => json(ReportSummary, `/api/interviews/${id(interviewId)}/report?format=json&lang=${language}`, { signal }),
    remove: async (interviewId, signal) => {
      await call(`/api/interviews/${id(interviewId)}`, { method: 'DELETE', signal });
    },
    create: (body, signal) =>
      json(Interview, '/api/interviews', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal }),
    uploadRecording: async (interviewId, file, language, signal, onProgress) => {
      const path = `/api/interviews/${id(interviewId)}/recording?language=${id(language)}`;
      const reply = await upload({ url: `${baseUrl}${path}`, body: file, contentType: file.type || 'application/octet-stream', signal, ...(onProgress ? { onProgress } : {}) });
      if (reply.status < 200 || reply.status > 299) throw apiErrorFrom(reply.status, reply.body);
      return parseReply(RecordingAccepted, reply.status, reply.body, path);
    },
    recordingStatus: (interviewId, signal) => json(RecordingStatus, `/api/interviews/${id(interviewId)}/recording/status`, { signal }),
    reportUrl: (interviewId, format, language, download = false) =>
      `${baseUrl}/api/interviews/${id(interviewId)}/report?format=${format}&lang=${language}${download ? '&download=1' : ''}`,
    turnAudioUrl: (interviewId, turnId) => `${baseUrl}/api/interviews/${id(interviewId)}/turns/${id(turnId)}/audio`,
    correctTurn: (interviewId, turnId, correction, signal) =>
      json(CorrectTurnResult, `/api/interviews/${id(interviewId)}/turns/${id(turnId)}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(correction),
        signal,
      }),
  };
}
