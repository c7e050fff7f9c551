import type { InterviewPlan, JobMatch } from '../../../protocol/prep.ts';
import type { PrepApi } from '../api/prep-api.ts';
import { prepareReady, type PrepareAction, type PrepareDraft, type PrepareFileField, type PrepareState } from '../state/prepare-reducer.ts';
import type { Preparation } from '../state/setup-form.ts';
import { JobRunner } from './job-runner.ts';
import type { ScreenStore } from './screen-store.ts';

/** Longest wait for a match or a plan: a small model on two cores takes a minute or more. */
const LLM_TIMEOUT_MS = 300_000;
/** Longest wait for a file's text. */
const UPLOAD_TIMEOUT_MS = 60_000;

const withTimeout = (signal: AbortSignal, timeoutMs: number) => AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);

/**
 * Owns the Prepare screen's requests: file → text for the JD or resume, job match, question plan. One of each at a
 * time (a second click while one runs does nothing); results and failures go to the reducer as job events.
 */
export class PrepareController {
  private readonly jobs: JobRunner<'match' | 'plan' | PrepareFileField>;

  constructor(
    private readonly store: ScreenStore<PrepareState, PrepareAction>,
    private readonly api: PrepApi,
    now: () => number = Date.now,
  ) {
    this.jobs = new JobRunner(now);
  }

  /** Changes fields of the draft. */
  edit = (patch: Partial<PrepareDraft>): void => this.store.dispatch({ type: 'draft/changed', patch });

  /** Sends a file and fills the field with its text. */
  upload = async (field: PrepareFileField, file: File): Promise<void> => {
    await this.jobs.run<string>(field, (event) => this.store.dispatch({ type: 'upload', field, fileName: file.name, event }), 'sending', (signal, progress) =>
      this.api.parseFile(file, withTimeout(signal, UPLOAD_TIMEOUT_MS), progress.upload),
    );
  };

  /** Scores the resume against the JD. */
  match = async (): Promise<void> => {
    const { draft } = this.store.state;
    if (!prepareReady(draft)) return;
    await this.jobs.run<JobMatch>('match', (event) => this.store.dispatch({ type: 'match', event }), 'waiting', (signal) =>
      this.api.match({ jd: draft.jobDescription, resume: draft.resume, blind: draft.blind, language: draft.language }, withTimeout(signal, LLM_TIMEOUT_MS)),
    );
  };

  /** Plans interview questions from the JD and resume. */
  plan = async (): Promise<void> => {
    const { draft } = this.store.state;
    if (!prepareReady(draft)) return;
    await this.jobs.run<InterviewPlan>('plan', (event) => this.store.dispatch({ type: 'plan', event }), 'waiting', (signal) =>
      this.api.plan({ jd: draft.jobDescription, resume: draft.resume, count: draft.count, language: draft.language }, withTimeout(signal, LLM_TIMEOUT_MS)),
    );
  };

  /** What "Use in interview setup" hands to the setup form: the draft, and the plan's questions and language when there is a plan. */
  preparation = (): Preparation => {
    const { draft, plan } = this.store.state;
    return {
      role: draft.role,
      jobDescription: draft.jobDescription,
      resume: draft.resume,
      questions: plan.state === 'done' ? plan.value.questions.map((question) => question.text) : [],
      ...(plan.state === 'done' ? { language: plan.value.language } : {}),
    };
  };

  /** Aborts whatever runs (the screen went away). */
  dispose = (): void => this.jobs.dispose();
}
