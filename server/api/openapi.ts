import { z } from 'zod';
import {
  ApiErrorBody,
  CorrectTurnRequest,
  CorrectTurnResult,
  CreateInterviewRequest,
  Interview,
  InterviewDetail,
  InterviewPage,
  RecordingAccepted,
  RecordingStatus,
  UpdateInterviewRequest,
} from '../../protocol/interviews.ts';

type JsonObject = Record<string, unknown>;

/** JSON Schemas of the named zod schemas as OpenAPI components; nested named schemas become `$ref`s. */
function componentSchemas(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'any' });
  const out: Record<string, JsonObject> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) {
    // Component schemas live inside the document: drop the stand-alone $schema / $id headers.
    const { $schema: _schema, $id: _id, ...rest } = schema as JsonObject;
    out[id] = rest;
  }
  return out;
}

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
const jsonBody = (name: string, description: string): JsonObject => ({ description, content: { 'application/json': { schema: ref(name) } } });
const errorReply = (description: string): JsonObject => jsonBody('ApiErrorBody', description);
const idParameter: JsonObject = { name: 'id', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 200 } };

let cached: JsonObject | undefined;

/** The OpenAPI 3.1 document of every route of `createInterviewsRouter`, as served at `GET /api/openapi.json`. */
export function buildOpenApiDocument(): JsonObject {
  if (cached) return cached;
  const schemas = {
    ...componentSchemas({ Interview, InterviewDetail, InterviewPage, RecordingStatus, RecordingAccepted, CorrectTurnResult, ApiErrorBody }, 'output'),
    ...componentSchemas({ CreateInterviewRequest, UpdateInterviewRequest, CorrectTurnRequest }, 'input'),
  };
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Viva interviews API',
      version: '1.0.0',
      description:
        'Stored interviews: list, detail with transcripts and analyses, upload of a recorded call, reports. ' +
        'Every error reply is `{ error: { code, message, issues? } }`; times are ms (`...AtMs` since the epoch, `startMs`/`endMs` since the audio start). ' +
        'Any route: 421 host-not-allowed (a Host Viva does not answer to), 403 origin-not-allowed (a change from a foreign page); ' +
        'LLM-backed routes: 429 rate-limited with Retry-After (docs/protocol.md, Connections and HTTP).',
    },
    servers: [{ url: '/' }],
    paths: {
      '/api/openapi.json': {
        get: { operationId: 'getOpenApi', summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } } },
      },
      '/api/interviews': {
        get: {
          operationId: 'listInterviews',
          summary: 'List interviews, newest first, with counts, overall and recommendation; search, filter and page',
          description:
            'Indexed: newest-first order and the role/status filters use SQLite indexes; `q` uses FTS5 trigram tables over ' +
            'candidate, role, title and transcript (words of 3+ characters through the index, shorter ones by a LIKE scan).',
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 } },
            { name: 'status', in: 'query', description: 'Stored status', schema: { type: 'string', enum: ['live', 'stopped', 'processing', 'done', 'failed'] } },
            {
              name: 'state',
              in: 'query',
              description: 'Where it stands: scoring = ended with answers not analysed yet; done = every answer scored or failed',
              schema: { type: 'string', enum: ['live', 'processing', 'scoring', 'done', 'failed'] },
            },
            { name: 'q', in: 'query', description: 'Words (all must appear, any case, substrings) in candidate, role, title or transcript; "quoted phrase" allowed', schema: { type: 'string', maxLength: 200 } },
            { name: 'role', in: 'query', description: 'Exact role (the reply lists every stored role)', schema: { type: 'string', maxLength: 200 } },
            { name: 'from', in: 'query', description: 'Created at or after, ms since the epoch', schema: { type: 'integer', minimum: 0 } },
            { name: 'to', in: 'query', description: 'Created before, ms since the epoch', schema: { type: 'integer', minimum: 0 } },
          ],
          responses: { 200: jsonBody('InterviewPage', 'A page of interviews and every stored role'), 400: errorReply('Invalid query') },
        },
        post: {
          operationId: 'createInterview',
          summary: 'Create an interview (e.g. before uploading a recording); unknown keys are refused',
          requestBody: { required: true, content: { 'application/json': { schema: ref('CreateInterviewRequest') } } },
          responses: { 201: jsonBody('Interview', 'Created; Location names it'), 400: errorReply('Invalid body') },
        },
      },
      '/api/interviews/{id}': {
        parameters: [idParameter],
        get: {
          operationId: 'getInterview',
          summary: 'An interview with its turns in time order, each with transcript, suggestions, score and analysis failure',
          responses: { 200: jsonBody('InterviewDetail', 'The interview'), 404: errorReply('Unknown id') },
        },
        patch: {
          operationId: 'updateInterview',
          summary: 'Change retention settings, consent, title, role or candidate name',
          requestBody: { required: true, content: { 'application/json': { schema: ref('UpdateInterviewRequest') } } },
          responses: { 200: jsonBody('Interview', 'Updated'), 400: errorReply('Invalid body'), 404: errorReply('Unknown id') },
        },
        delete: {
          operationId: 'deleteInterview',
          summary: 'Delete an interview, its transcript, analyses and audio (cancels its recording job)',
          responses: { 204: { description: 'Deleted' }, 404: errorReply('Unknown id'), 409: errorReply('The interview is live or receiving an upload') },
        },
      },
      '/api/interviews/{id}/recording': {
        parameters: [idParameter],
        post: {
          operationId: 'uploadRecording',
          summary: 'Upload a recorded call as the raw request body (WAV, MP3, M4A/AAC, WebM/Opus, FLAC, OGG...) to be transcribed and analysed',
          parameters: [
            { name: 'language', in: 'query', schema: { type: 'string', enum: ['en', 'zh', 'auto'] }, description: "Defaults to the interview's language" },
            {
              name: 'interviewerChannel',
              in: 'query',
              schema: { type: 'string', enum: ['first', 'second'], default: 'first' },
              description: 'A stereo recording with a speaker per channel is split; this says which channel is the interviewer (mono and dual-mono recordings get speakers from their words)',
            },
          ],
          requestBody: {
            required: true,
            content: {
              'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
              'audio/*': { schema: { type: 'string', contentMediaType: 'audio/*' } },
              'video/*': { schema: { type: 'string', contentMediaType: 'video/*' } },
            },
          },
          responses: {
            202: jsonBody('RecordingAccepted', 'Accepted; poll the status URL given in Location'),
            400: errorReply('Empty or interrupted upload, or invalid query'),
            404: errorReply('Unknown id'),
            409: errorReply('The interview is live, already processing, or already has a transcript'),
            413: errorReply('Larger than VIVA_MAX_UPLOAD_BYTES, or longer than 4 hours (recording-too-long)'),
            415: errorReply('Multipart, JSON, form or text body'),
            422: errorReply('Not audio ffmpeg can read, or no audio stream'),
            501: errorReply('No processing pipeline configured'),
            503: errorReply('Too many recordings waiting, ffmpeg missing, or storage refusing writes (storage-unavailable)'),
          },
        },
      },
      '/api/interviews/{id}/recording/status': {
        parameters: [idParameter],
        get: {
          operationId: 'getRecordingStatus',
          summary: 'Progress (0..1), state and error of the recording processing',
          responses: { 200: jsonBody('RecordingStatus', 'Status'), 404: errorReply('Unknown id') },
        },
      },
      '/api/interviews/{id}/report': {
        parameters: [idParameter],
        get: {
          operationId: 'getReport',
          summary: 'The interview report: printable self-contained HTML, Markdown, or JSON',
          parameters: [
            { name: 'format', in: 'query', schema: { type: 'string', enum: ['html', 'md', 'json'], default: 'html' } },
            { name: 'lang', in: 'query', schema: { type: 'string', enum: ['en', 'zh'] }, description: "Report language; defaults to the interview's" },
            { name: 'download', in: 'query', schema: { type: 'string', enum: ['0', '1', 'true', 'false'] }, description: 'Send as an attachment' },
          ],
          responses: {
            200: {
              description: 'The report',
              content: {
                'text/html': { schema: { type: 'string' } },
                'text/markdown': { schema: { type: 'string' } },
                'application/json': {
                  schema: {
                    type: 'object',
                    description: 'InterviewReport (server/reports/build-report.ts): interview, summary (recommendation, weightedOverall, dimensions, counts, thresholds), questions with answers',
                    required: ['reportVersion', 'language', 'interview', 'summary', 'questions'],
                  },
                },
              },
            },
            400: errorReply('Invalid query'),
            404: errorReply('Unknown id'),
          },
        },
      },
      '/api/interviews/{id}/turns/{turnId}': {
        parameters: [idParameter, { name: 'turnId', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 200 } }],
        patch: {
          operationId: 'correctTurn',
          summary: "Correct who said a turn and/or its text; the answers that change are regrouped and scored again",
          requestBody: { required: true, content: { 'application/json': { schema: ref('CorrectTurnRequest') } } },
          responses: {
            200: jsonBody('CorrectTurnResult', 'The turn as stored now and the answers being scored again'),
            400: errorReply('Invalid body'),
            404: errorReply('Unknown interview or turn'),
            409: errorReply('The interview cannot be corrected now (e.g. a recording is being processed)'),
          },
        },
      },
      '/api/interviews/{id}/turns/{turnId}/audio': {
        parameters: [idParameter, { name: 'turnId', in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 200 } }],
        get: {
          operationId: 'getTurnAudio',
          summary: "A turn's audio as 16 kHz mono PCM16 WAV (while retention keeps it)",
          responses: {
            200: { description: 'WAV audio', content: { 'audio/wav': { schema: { type: 'string', contentMediaType: 'audio/wav' } } } },
            404: errorReply('Unknown interview or turn, or no audio kept'),
          },
        },
      },
    },
    // Every operation needs a caller (server/http/auth-gate.ts): an API token, or the browser's session cookie with
    // X-CSRF-Token on changes. Without one: 401; an interview the caller may not access: 404.
    security: [{ bearerToken: [] }, { sessionCookie: [] }],
    components: {
      schemas,
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token from `npx viva token create`' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'viva_session', description: 'Set by POST /api/auth/login' },
      },
    },
  };
  return cached;
}
