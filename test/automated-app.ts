/**
 * The real server as the automated-interview tests use it, built by the production composition root (`createApp` with
 * storage, an LLM and automated settings): real Socket.IO on 127.0.0.1:0, real Silero VAD, whisper test model (or a
 * scripted transcriber where a test needs words), real SQLite, and the fake vLLM answering follow-up decisions and
 * answer analysis over real HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { DecodeScheduler } from '../server/asr/scheduler.ts';
import type { Transcriber } from '../server/asr/transcriber.ts';
import type { AutomatedParts } from '../server/automated/index.ts';
import type { AuthOptions } from '../server/auth/index.ts';
import type { SecurityOptions } from '../server/http/http-guard.ts';
import type { TurnTakingConfig } from '../server/automated/turn-taking.ts';
import { FOLLOW_UP_DECISION_SCHEMA_NAME } from '../server/automated/follow-up-decider.ts';
import { createLlmClient } from '../server/llm/client.ts';
import { silentLogger } from '../server/logger.ts';
import { createPromptLibrary } from '../server/prompts.ts';
import { dataPaths } from '../server/store/paths.ts';
import { createRepository, type InterviewRepository } from '../server/store/repository.ts';
import type {
  AutomatedAck,
  CandidateClientToServerEvents,
  CreateAutomatedInterviewRequest,
  IssuedCandidateLink,
} from '../protocol/automated.ts';
import type { CandidateClientEvents, CandidateServerEvents } from '../protocol/events.ts';
import type { Interview } from '../protocol/interviews.ts';
import { FAKE_DEFAULT_MODEL, fakeScripts, startFakeLlmServer, type FakeLlmServer, type RecordedLlmRequest } from './fakes/fake-llm-server.ts';
import { analysisAnswerOf, analysisResponder, defaultRubricScore, followUpsReply, jsonScript, openingWordsOf } from './fakes/fake-analysis-answers.ts';
import type { TestCaller } from './helpers/auth.ts';
import { startSpeechApp, type SpeechApp } from './helpers/speech-app.ts';

/** A candidate's socket: the shared protocol plus the candidate events. */
export type CandidateClient = Socket<CandidateServerEvents, CandidateClientEvents>;

/** Options of the test app. */
export interface AutomatedAppOptions {
  /** Replaces whisper (a scripted transcriber gives the decider words to work with). */
  transcriber?: Transcriber;
  turnTaking?: Partial<Omit<TurnTakingConfig, 'timeBudgetMs'>>;
  /** Follow-up the fake model proposes for each decision call, in order (the last repeats); null moves on. */
  followUps?: (string | null)[];
  clientDir?: string;
  stopGraceMs?: number;
  /** Host allow-list and rate limits (the app's defaults when absent). */
  security?: SecurityOptions;
  /** Account settings (the app's defaults when absent). */
  auth?: AuthOptions;
  /** Every fake LLM answer starts this late (a slow local model); default 0. */
  llmDelayMs?: number;
  /** The LLM client's per-call timeout (default 10 s). */
  llmTimeoutMs?: number;
}

/** The running test app. */
export interface AutomatedApp {
  speech: SpeechApp;
  port: number;
  origin: string;
  repository: InterviewRepository;
  automated: AutomatedParts;
  llm: FakeLlmServer;
  dataDir: string;
  /** Replaces the fake model's follow-up script (in order, the last repeats; null moves on). */
  setFollowUps(next: (string | null)[]): void;
  /** Chat requests that were follow-up decisions. */
  decisionRequests(): RecordedLlmRequest[];
  /** The recruiter the helpers act as: an admin signed in with a token (test/helpers/auth.ts). */
  admin: TestCaller;
  /** Creates an interview through the recruiter's REST route, as `admin`. */
  createInterview(body: CreateAutomatedInterviewRequest): Promise<{ interview: Interview; link: IssuedCandidateLink }>;
  close(): Promise<void>;
}

/** Starts the app; call `close()` in afterAll. */
export async function startAutomatedApp(options: AutomatedAppOptions = {}): Promise<AutomatedApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'viva-automated-'));
  const paths = dataPaths(dataDir);
  const repository = createRepository(paths.dbPath, { audioDir: paths.audioDir });
  const llm = await startFakeLlmServer();
  let followUps = [...(options.followUps ?? [null])];
  const analysis = analysisResponder({
    followups: jsonScript(followUpsReply({ question: 'Which part was hardest?', buildsOn: '', probes: 'depth' })),
    // Quotes the answer's first words, so the evidence verifies and the dimensions keep their scores.
    score: (request) => jsonScript(defaultRubricScore({ technical_skill: 7, clarity: 6, problem_solving: 8 }, [openingWordsOf(analysisAnswerOf(request))])),
  });
  const slow = <T extends object>(script: T): T => (options.llmDelayMs ? { ...script, timeToFirstTokenMs: options.llmDelayMs } : script);
  llm.setResponder(async (request) => {
    if (request.schemaName === FOLLOW_UP_DECISION_SCHEMA_NAME) {
      const next = followUps.length > 1 ? followUps.shift() : followUps[0];
      return slow(fakeScripts.json(next ? { gap: 'no concrete example', followUp: next } : { gap: 'none', followUp: null }));
    }
    const script = await analysis(request);
    return script.kind === 'content' ? slow(script) : script;
  });
  const llmClient = createLlmClient({ baseUrl: llm.baseUrl, model: FAKE_DEFAULT_MODEL, timeoutMs: options.llmTimeoutMs ?? 10_000, maxRetries: 1, structuredOutput: 'auto', retryBaseDelayMs: 5 });
  const speech = await startSpeechApp(undefined, {
    partialIntervalMs: 5_000,
    llm: llmClient,
    prompts: createPromptLibrary(),
    storage: { repository, dataDir, keepTurnAudio: false, retentionTimer: false },
    automated: {
      ...(options.turnTaking ? { turnTaking: options.turnTaking } : {}),
      ...(options.stopGraceMs === undefined ? {} : { stopGraceMs: options.stopGraceMs }),
    },
    ...(options.transcriber ? { decoder: new DecodeScheduler(options.transcriber) } : {}),
    ...(options.clientDir ? { clientDir: options.clientDir } : {}),
    ...(options.security ? { security: options.security } : {}),
    ...(options.auth ? { auth: options.auth } : {}),
  });
  const { admin } = speech;
  const automated = speech.app.automated;
  if (!automated) throw new Error('createApp built no automated interviews');
  const origin = `http://127.0.0.1:${speech.port}`;
  return {
    speech,
    port: speech.port,
    origin,
    repository,
    automated,
    llm,
    dataDir,
    admin,
    setFollowUps(next) {
      followUps = [...next];
    },
    decisionRequests: () => llm.chatRequests().filter((request) => request.schemaName === FOLLOW_UP_DECISION_SCHEMA_NAME),
    async createInterview(body) {
      const response = await admin.fetch(`${origin}/api/automated-interviews`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
      return (await response.json()) as { interview: Interview; link: IssuedCandidateLink };
    },
    async close() {
      await speech.close();
      repository.close();
      await llm.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A connected candidate socket (websocket, no automatic reconnection: tests reconnect by hand). Anonymous, as a
 * candidate's browser is, unless `auth` signs it in (a recruiter opening the link in their own browser).
 */
export async function connectCandidate(port: number, auth?: { token: string }): Promise<CandidateClient> {
  const socket: CandidateClient = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false, forceNew: true, ...(auth ? { auth } : {}) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Sends a candidate event and returns its ack (throws on an ack timeout). */
export async function ask<E extends 'interview:join' | 'interview:consent' | 'interview:ready'>(
  socket: CandidateClient,
  event: E,
  payload: Parameters<CandidateClientToServerEvents[E]>[0],
): Promise<AutomatedAck<Record<string, unknown>>> {
  return (await (socket.timeout(10_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> }).emitWithAck(event, payload)) as AutomatedAck<
    Record<string, unknown>
  >;
}
