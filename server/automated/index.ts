/** Automated interviews wired from their real parts: the one call the server makes. */
import type { LlmProvider } from '../llm/provider.ts';
import type { Logger } from '../logger.ts';
import type { PromptLibrary } from '../prompts.ts';
import type { InterviewRepository } from '../store/repository.ts';
import { createAutomatedInterviews, type AutomatedInterviews } from './automated-interviews.ts';
import { openAutomatedStore, type AutomatedStore } from './automated-store.ts';
import { createLlmFollowUpDecider, type FollowUpDecider } from './follow-up-decider.ts';
import { createLinkSigner, loadLinkSecret } from './link-tokens.ts';
import type { TurnTakingConfig } from './turn-taking.ts';

export { createAutomatedInterviews, type AutomatedInterviews } from './automated-interviews.ts';

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
  /** `VIVA_PUBLIC_URL`. */
  publicUrl?: string;
  /** `VIVA_AUTOMATED_*` turn-taking defaults. */
  turnTaking?: Partial<Omit<TurnTakingConfig, 'timeBudgetMs'>>;
  /** `VIVA_AUTOMATED_DECISION_TIMEOUT_MS` (default 8000). */
  decisionTimeoutMs?: number;
  /** Replaces the LLM decider (tests). */
  decider?: FollowUpDecider;
}

/** Opens the automated tables and builds the feature, router and socket handlers; `close` also closes the tables. */
export function buildAutomatedInterviews(options: BuildAutomatedOptions): AutomatedInterviews & { store: AutomatedStore } {
  const store = openAutomatedStore(options.dbPath);
  const automated = createAutomatedInterviews({
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
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
    ...(options.turnTaking === undefined ? {} : { turnTaking: options.turnTaking }),
  });
  return {
    ...automated,
    store,
    close() {
      automated.close();
      store.close();
    },
  };
}
