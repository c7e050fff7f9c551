/**
 * The one composition root: `createApp(deps)` builds the HTTP server, the REST routes, the Socket.IO handlers, the session
 * hub and every session subscriber from injected parts. `index.ts` (and `viva review`) inject the real parts through
 * `core.ts`; tests inject theirs into this same function. Nothing is patched after it returns.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import express, { type Express, type Router } from 'express';
import { Server } from 'socket.io';
import type { Channel, StorageErrorEvent } from '../protocol/schemas.ts';
import { createAnalysisJobs, type AnalysisJobs } from './analysis/analysis-jobs.ts';
import type { AnswerAnalyzerOptions } from './analysis/answer-analyzer.ts';
import { createInterviewsRouter, type InterviewsRouter, type ProcessRecording } from './api/interviews.ts';
import { createPrepRouter } from './api/prep.ts';
import type { TurnDecoder } from './asr/turn-decoder.ts';
import { buildAuth, type AppAuth, type AuthOptions } from './auth/index.ts';
import { buildAutomatedInterviews, type AutomatedParts, type BuildAutomatedOptions } from './automated/index.ts';
import { createHttpGuard, type SecurityOptions } from './http/http-guard.ts';
import { createAnalysisSubscriber } from './features/analysis-subscriber.ts';
import { createAnswerCorrections, type AnswerCorrections } from './features/answer-corrections.ts';
import { createCopilotAnswers } from './features/copilot-answers.ts';
import { createStoreSubscriber } from './features/store-subscriber.ts';
import { storedAnalysisTarget } from './features/stored-analysis-target.ts';
import type { LlmProvider } from './llm/provider.ts';
import type { Logger } from './logger.ts';
import { createPrepLlm } from './prep/llm.ts';
import { createPrepPrompts } from './prep/prompts.ts';
import { createPromptLibrary, type PromptLibrary } from './prompts.ts';
import { createRecordingProcessor } from './recording/process-recording.ts';
import { createMetricsSubscriber } from './session/metrics.ts';
import { SessionHub, type SubscriberFactory } from './session/session-hub.ts';
import { createSocketEmitter, type VivaIo } from './session/socket-emitter.ts';
import { createSessionSocketHandlers } from './session/socket-handlers.ts';
import { findStoredSession } from './session/stored-sessions.ts';
import { dataPaths } from './store/paths.ts';
import type { InterviewRepository } from './store/repository.ts';
import { startRetentionTimer } from './store/retention.ts';
import type { TurnVad } from './vad/turn-vad.ts';

export type { VivaIo } from './session/socket-emitter.ts';

/** Storage and what is built on it: stored interviews, resume after a restart, the REST API, recordings. */
export interface AppStorage {
  repository: InterviewRepository;
  /** `VIVA_DATA_DIR`: uploads, screening runs and the automated link secret live under it. */
  dataDir: string;
  /** Keep each turn's audio as a WAV (default true). */
  keepTurnAudio?: boolean;
  ffmpegPath?: string;
  ffprobePath?: string;
  maxUploadBytes?: number;
  defaultRetention?: { audioDays: number | null; transcriptDays: number | null };
  /** Apply retention once at start and then periodically (default true). */
  retentionTimer?: boolean;
  /** Queue again, at start, the analysis jobs a stopped or crashed process left unfinished (default true). */
  resumeAnalysis?: boolean;
}

/** Everything the app is built from; `index.ts` wires the real parts, tests inject what they need. */
export interface AppDeps {
  createVad(channel: Channel): TurnVad;
  decoder: TurnDecoder;
  logger: Logger;
  partialIntervalMs: number;
  /** Frames held per channel between a source and the VAD. */
  queueCapacity?: number;
  /** A socket-less session is stopped after this long without a client (default 10 minutes). */
  idleStopMs?: number;
  /** Built client to serve at / (client/dist), when present. */
  clientDir?: string;
  /** The LLM of answer analysis, preparation and automated decisions; without it turns are transcribed only. */
  llm?: LlmProvider;
  prompts?: PromptLibrary;
  analyzerOptions?: Partial<AnswerAnalyzerOptions>;
  /**
   * LLM calls of answer analysis in flight at most, over every interview (`VIVA_LLM_MAX_CONCURRENT_CALLS`); default 1
   * for the embedded model (it serves one call at a time), 4 for an endpoint.
   */
  maxConcurrentAnalysisCalls?: number;
  /** Without storage nothing is stored or resumable, and only /healthz and the sockets are served. */
  storage?: AppStorage;
  /** Settings of automated interviews (served when there is storage and an LLM). */
  automated?: Partial<Pick<BuildAutomatedOptions, 'linkSecret' | 'publicUrl' | 'turnTaking' | 'decisionTimeoutMs' | 'stopGraceMs' | 'decider'>>;
  /** Host/Origin allow-list and rate limits (`VIVA_PUBLIC_URL`, `VIVA_ALLOWED_HOSTS`, `VIVA_RATE_*`); defaults when absent. */
  security?: SecurityOptions;
  /** Settings of batch screening (served with the other preparation routes when there is storage and an LLM). */
  screening?: { roots?: string[]; concurrency?: number };
  /** Accounts: deny by default (see server/auth/index.ts); users live in the storage's database, else in memory. */
  auth?: AuthOptions;
}

/** The running app. */
export interface VivaApp {
  http: HttpServer;
  io: VivaIo;
  express: Express;
  /** The running sessions (socket and file sources alike). */
  sessions: SessionHub;
  /** Turns a recording into stored turns, suggestions and scores (with storage). */
  processRecording?: ProcessRecording;
  /** Automated interviews (with storage and an LLM). */
  automated?: AutomatedParts;
  /** Users, sign-in sessions, API tokens and ownership. */
  auth: AppAuth;
  /**
   * Answer analysis as durable jobs (with an LLM): `enqueue` (re)analyses an answer of any interview, live or stored (the
   * relabel entry point), `remove` forgets one that no longer exists, `retry`, `progress`.
   */
  analysisJobs?: AnalysisJobs;
  /** Listens on host:port (port 0 picks a free one) and resolves the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** Stops every session (waiting for finals), cancels recording jobs and closes the servers. */
  close(): Promise<void>;
}

/** Builds the app from injected parts. */
export function createApp(deps: AppDeps): VivaApp {
  const { logger, storage, llm } = deps;
  const app = express();
  const http = createServer(app);
  const guard = createHttpGuard(deps.security);
  guard.install(app);
  const io: VivaIo = new Server(http, { maxHttpBufferSize: 1e6, serveClient: false, allowRequest: guard.allowRequest });
  const prompts = deps.prompts ?? createPromptLibrary();
  const repository = storage?.repository;
  const paths = storage ? dataPaths(storage.dataDir) : undefined;
  const auth = buildAuth({
    ...(paths ? { dbPath: paths.dbPath } : {}),
    hosts: guard.hosts,
    logger,
    llmCallsPerUserPerMinute: guard.limits.llmCallsPerUserPerMinute,
    secureCookies: deps.security?.publicUrl?.startsWith('https:') ?? false,
    ...(deps.auth ? { options: deps.auth } : {}),
  });
  auth.installSockets(io);

  const automated =
    storage && paths && llm
      ? buildAutomatedInterviews({ repository: storage.repository, dbPath: paths.dbPath, dataDir: storage.dataDir, llm, prompts, logger, io, linkOrigin: () => guard.linkOrigin(http), ...deps.automated })
      : undefined;

  const analysisJobs = llm
    ? createAnalysisJobs({
        llm,
        prompts,
        logger,
        store: repository?.analysisJobs,
        storedTarget: repository ? storedAnalysisTarget(repository, io, logger) : undefined,
        maxConcurrentCalls: deps.maxConcurrentAnalysisCalls ?? (llm.kind === 'embedded' ? 1 : 4),
        options: deps.analyzerOptions,
      })
    : undefined;
  const subscribers = sessionSubscribers(deps, prompts, io, automated, analysisJobs);
  const sessions = new SessionHub({
    createVad: deps.createVad,
    decoder: deps.decoder,
    partialIntervalMs: deps.partialIntervalMs,
    ...(deps.queueCapacity === undefined ? {} : { queueCapacity: deps.queueCapacity }),
    logger,
    subscribers,
    findStored: (sessionId) => (repository ? findStoredSession(repository, sessionId, (id) => automated?.mayCapture(id) ?? false) : undefined),
  });

  const processRecording = repository
    ? createRecordingProcessor({ hub: sessions, repository, logger, ...(storage.ffmpegPath ? { ffmpegPath: storage.ffmpegPath } : {}) })
    : undefined;
  const corrections = repository ? createAnswerCorrections({ repository, hub: sessions, jobs: analysisJobs }) : undefined;
  const interviews = storage && paths ? interviewsRouter(storage, paths.uploadDir, logger, sessions, processRecording, corrections) : undefined;
  const apiRouters: Router[] = [...(interviews ? [interviews] : []), ...prepRouters(deps, prompts), ...(automated ? [automated.router] : [])];
  mountRoutes(app, auth, apiRouters, sessions, deps.clientDir, repository);

  if (repository) tellScreensAboutStorage(repository, sessions);
  const sessionSockets = createSessionSocketHandlers({
    io,
    hub: sessions,
    logger,
    sessionLimiter: guard.sessionLimiter,
    userSessionLimiter: guard.userSessionLimiter,
    ...(analysisJobs ? { analysisJobs } : {}),
    ...(repository ? { storageProblemOf: (id: string) => storageProblemOf(repository, id) } : {}),
    ...(deps.idleStopMs === undefined ? {} : { idleStopMs: deps.idleStopMs }),
  });
  io.on('connection', (socket) => {
    sessionSockets.onConnection(socket);
    automated?.onConnection(socket);
  });

  // Answers a stopped or crashed process left unscored are scored now (their results go to storage and their room).
  if (storage?.resumeAnalysis ?? true) analysisJobs?.resumeStored();

  const retention = new AbortController();
  // Sessions in memory are never mistaken for ones a crash left 'live'.
  if (repository && (storage.retentionTimer ?? true)) {
    void startRetentionTimer(repository, { signal: retention.signal, logger, isActive: (id) => sessions.get(id) !== undefined });
  }

  return {
    http,
    io,
    express: app,
    sessions,
    ...(processRecording ? { processRecording } : {}),
    ...(automated ? { automated } : {}),
    auth,
    ...(analysisJobs ? { analysisJobs } : {}),
    listen(port, host = '127.0.0.1') {
      guard.hosts.allowListeningAddress(host);
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          const address = http.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    async close() {
      retention.abort();
      sessionSockets.close();
      await interviews?.close();
      await sessions.stopAll();
      // Calls still running are cancelled; their jobs stay stored as queued/running for the next start.
      await analysisJobs?.close();
      automated?.close();
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      auth.close();
    },
  };
}

/** A failed write of a running session becomes its `storage-error` event: the interviewer sees "not recording". */
function tellScreensAboutStorage(repository: InterviewRepository, sessions: SessionHub): void {
  repository.onWriteFailure((failure) => {
    const session = failure.interviewId === null ? undefined : sessions.get(failure.interviewId);
    if (!session) return;
    const { operation, code, message, atMs } = failure;
    session.events.publish({ type: 'storage-error', sessionId: session.id, operation, code, message, atMs });
  });
}

/** Why `interviewId` is not being recorded (its last write failed), or undefined. */
function storageProblemOf(repository: InterviewRepository, interviewId: string): StorageErrorEvent | undefined {
  const health = repository.storageHealth();
  if (!health.notRecording.includes(interviewId) || !health.lastFailure) return undefined;
  const { operation, code, message, atMs } = health.lastFailure;
  return { sessionId: interviewId, operation, code, message, atMs };
}

/** Every session's subscribers, in dispatch order: storage first (a client never sees what is not stored), the socket emitter last. */
function sessionSubscribers(
  deps: AppDeps,
  prompts: PromptLibrary,
  io: VivaIo,
  automated: AutomatedParts | undefined,
  analysisJobs: AnalysisJobs | undefined,
): SubscriberFactory[] {
  const { logger, llm } = deps;
  const repository = deps.storage?.repository;
  const subscribers: SubscriberFactory[] = [];
  if (repository) {
    subscribers.push(
      createStoreSubscriber({
        repository,
        logger,
        suggestionsModel: llm?.model ?? 'none',
        suggestionsPromptVersion: prompts.version('answer-followups', 'en'),
        ...(deps.storage?.keepTurnAudio === undefined ? {} : { keepTurnAudio: deps.storage.keepTurnAudio }),
      }),
    );
  }
  // An answer a relabel merged away (or made the interviewer's) is nobody's analysis job any more.
  // A resumed session goes on with the answers stored before the restart.
  subscribers.push(
    createCopilotAnswers({
      forgetAnswer: (interviewId, answerId) => analysisJobs?.remove(interviewId, answerId),
      ...(repository ? { storedTurns: (interviewId: string) => repository.getInterviewDetail(interviewId)?.turns } : {}),
    }),
  );
  if (automated) subscribers.push(automated.subscriber);
  if (analysisJobs) subscribers.push(createAnalysisSubscriber(analysisJobs));
  subscribers.push(createMetricsSubscriber(logger), createSocketEmitter(io));
  return subscribers;
}

/** Preparation routes (match, plans, feedback, screening): served when there is storage and an LLM. */
function prepRouters(deps: AppDeps, prompts: PromptLibrary): Router[] {
  const { storage, llm, logger } = deps;
  if (!storage || !llm) return [];
  return [
    createPrepRouter({
      prep: { llm: createPrepLlm(llm, { prompts }), prompts: createPrepPrompts(prompts) },
      screeningsDir: path.join(storage.dataDir, 'screenings'),
      ...(deps.screening?.roots ? { screeningRoots: deps.screening.roots } : {}),
      ...(deps.screening?.concurrency === undefined ? {} : { screeningConcurrency: deps.screening.concurrency }),
      // Screenings hold résumés and what the model said about them: they expire like transcripts.
      retentionDays: storage.defaultRetention?.transcriptDays ?? null,
      logger,
    }),
  ];
}

function interviewsRouter(
  storage: AppStorage,
  uploadDir: string,
  logger: Logger,
  sessions: SessionHub,
  processRecording: ProcessRecording | undefined,
  corrections: AnswerCorrections | undefined,
): InterviewsRouter {
  return createInterviewsRouter({
    repository: storage.repository,
    uploadDir,
    logger,
    // A recording being processed is a job the router cancels itself; only a client's session blocks deletes and uploads.
    isSessionActive: (id) => sessions.forClient(id) !== undefined,
    ...(processRecording ? { processRecording } : {}),
    ...(corrections ? { correctTurn: corrections.correctTurn } : {}),
    ...(storage.ffprobePath ? { ffprobePath: storage.ffprobePath } : {}),
    ...(storage.maxUploadBytes === undefined ? {} : { maxUploadBytes: storage.maxUploadBytes }),
    ...(storage.defaultRetention ? { defaultRetention: storage.defaultRetention } : {}),
  });
}

function mountRoutes(
  app: Express,
  auth: AppAuth,
  apiRouters: Router[],
  sessions: SessionHub,
  clientDir: string | undefined,
  repository: InterviewRepository | undefined,
): void {
  app.disable('x-powered-by');
  app.get('/healthz', (_request, response) => {
    // `storage` says whether writes are stored and which interviews stopped being recorded (see InterviewRepository).
    response.json({ ok: true, sessions: sessions.size, ...(repository ? { storage: repository.storageHealth() } : {}) });
  });
  // Deny by default: the gate stands before every /api router, so a route added to any of them needs a caller.
  auth.install(app);
  for (const router of apiRouters) app.use('/api', router);
  if (clientDir && existsSync(path.join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir));
    // The build's asset URLs are relative (it also runs under a sub-path): at `/interviews/<id>` they resolve below
    // `/interviews/`, so the same files are served there too.
    app.use('/interviews', express.static(clientDir, { index: false }));
    app.get(/^\/(?!api\/|socket\.io\/).*/, (_request, response) => response.sendFile(path.join(clientDir, 'index.html')));
  }
}
