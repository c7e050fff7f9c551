/** Automated interviews wired from their real parts: the one call `createApp` makes. */
import type { Router } from 'express';
import type { LlmProvider } from '../llm/provider.ts';
import type { Logger } from '../logger.ts';
import type { PromptLibrary } from '../prompts.ts';
import type { SubscriberFactory } from '../session/session-hub.ts';
import type { VivaIo } from '../session/socket-emitter.ts';
import type { InterviewRepository } from '../store/repository.ts';
import { candidateRoomOf, createAutomatedInterviews, type AutomatedInterviews } from './automated-interviews.ts';
import { createAutomatedRouter } from './automated-router.ts';
import { createAutomatedSubscriber } from './automated-subscriber.ts';
import { openAutomatedStore, type AutomatedStore } from './automated-store.ts';
import { createCandidateSocketHandler, type CandidateSocket } from './candidate-socket.ts';
import { createLlmFollowUpDecider, type FollowUpDecider } from './follow-up-decider.ts';
import { createLinkSigner, loadLinkSecret } from './link-tokens.ts';
import type { TurnTakingConfig } from './turn-taking.ts';

/** What `buildAutomatedInterviews` needs. */
export interface BuildAutomatedOptions {
  repository: InterviewRepository;
  /** The repository's SQLite file (`dataPaths(dataDir).dbPath`). */
  dbPath: string;
  /** Where the link secret is generated when `linkSecret` is not set. */
  dataDir: string;
  /** `VIVA_LINK_SECRET` (at least 32 characters). */
  linkSecret?: string;
  llm: LlmProvider;
  prompts: PromptLibrary;
  logger: Logger;
  /** The app's Socket.IO server: the candidate page's events go to its room. */
  io: VivaIo;
  /** `VIVA_PUBLIC_URL`. */
  publicUrl?: string;
  /** Origin of candidate links when there is no public URL (the listening address). */
  linkOrigin?: () => string;
  /** Turn-taking defaults of every interview. */
  turnTaking?: Partial<Omit<TurnTakingConfig, 'timeBudgetMs'>>;
  /** Follow-up decision timeout (default 8000 ms). */
  decisionTimeoutMs?: number;
  /** After the end, the browser gets this long to stop its session itself (default 15 s). */
  stopGraceMs?: number;
  /** Replaces the LLM decider (tests). */
  decider?: FollowUpDecider;
}

/** The automated interviews as the app mounts them. */
export interface AutomatedParts {
  /** The shared state (tests read the store through it). */
  interviews: AutomatedInterviews;
  store: AutomatedStore;
  /** Mounted under `/api`. */
  router: Router;
  /** The candidate's socket events, registered on every connection. */
  onConnection(socket: CandidateSocket): void;
  /** The automated interviewer of each consented interview's session. */
  subscriber: SubscriberFactory;
  /** Whether a stored automated interview may be reopened by `session:resume`. */
  mayCapture(interviewId: string): boolean;
  /** Stops the runners' timers and closes the tables. */
  close(): void;
}

/** Opens the automated tables and builds the routes, socket handlers and session subscriber. */
export function buildAutomatedInterviews(options: BuildAutomatedOptions): AutomatedParts {
  const store = openAutomatedStore(options.dbPath);
  const { io } = options;
  const interviews = createAutomatedInterviews({
    repository: options.repository,
    store,
    signer: createLinkSigner(loadLinkSecret(options.dataDir, options.linkSecret)),
    decider:
      options.decider ??
      createLlmFollowUpDecider({
        llm: options.llm,
        prompts: options.prompts,
        ...(options.decisionTimeoutMs === undefined ? {} : { timeoutMs: options.decisionTimeoutMs }),
      }),
    logger: options.logger,
    emitToCandidate:
      (interviewId) =>
      (event, ...args) => {
        io.to(candidateRoomOf(interviewId)).emit(event, ...args);
      },
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
    ...(options.linkOrigin === undefined ? {} : { linkOrigin: options.linkOrigin }),
    ...(options.turnTaking === undefined ? {} : { turnTaking: options.turnTaking }),
    ...(options.stopGraceMs === undefined ? {} : { stopGraceMs: options.stopGraceMs }),
  });
  return {
    interviews,
    store,
    router: createAutomatedRouter(interviews),
    onConnection: createCandidateSocketHandler(interviews),
    subscriber: createAutomatedSubscriber(interviews),
    mayCapture: interviews.mayCapture,
    close() {
      interviews.close();
      store.close();
    },
  };
}
