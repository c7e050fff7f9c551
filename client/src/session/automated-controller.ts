import type { PrepApi } from '../api/prep-api.ts';
import { problemOf } from '../api/replies.ts';
import { automatedQuestions, automatedReady, type AutomatedAction, type AutomatedForm, type AutomatedState, type CreatedInterview } from '../state/automated-reducer.ts';
import { newRowKey, type QuestionRow } from '../state/setup-form.ts';
import { JobRunner } from './job-runner.ts';
import type { ScreenStore } from './screen-store.ts';

/** What the recruiter may copy over from the interview setup form. */
export interface AutomatedSeed {
  title: string;
  role: string;
  candidateName: string;
  jobDescription: string;
  questions: QuestionRow[];
}

const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Owns the recruiter's AI interviews: creates one (one request at a time), polls the status of every interview
 * created here until it has ended, revokes links, copies a link. The poller runs only while some interview is not
 * over, and `dispose` stops it.
 */
export class AutomatedController {
  private readonly jobs: JobRunner<'create'>;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly abort = new Set<AbortController>();

  constructor(
    private readonly store: ScreenStore<AutomatedState, AutomatedAction>,
    private readonly api: PrepApi,
    private readonly pollIntervalMs = 5000,
    now: () => number = Date.now,
  ) {
    this.jobs = new JobRunner(now);
  }

  /** Changes fields of the form. */
  edit = (patch: Partial<AutomatedForm>): void => this.store.dispatch({ type: 'form/changed', patch });

  /** Takes title, role, candidate, JD and the non-empty questions from the setup form (empty ones keep what is here). */
  copyFrom = (seed: AutomatedSeed): void => {
    const { form } = this.store.state;
    const texts = seed.questions.filter((row) => row.text.trim() !== '');
    this.edit({
      title: seed.title.trim() || form.title,
      role: seed.role.trim() || form.role,
      candidateName: seed.candidateName.trim() || form.candidateName,
      jobDescription: seed.jobDescription.trim() || form.jobDescription,
      questions: texts.length > 0 ? texts.map((row) => ({ key: newRowKey(), text: row.text })) : form.questions,
    });
  };

  /** Creates the interview and its first link, then starts watching its status. */
  create = async (): Promise<void> => {
    const { form } = this.store.state;
    if (!automatedReady(form)) return;
    await this.jobs.run<CreatedInterview>('create', (event) => this.store.dispatch({ type: 'create', event }), 'sending', async (signal) => {
      const result = await this.api.createAutomated(
        {
          ...(form.title.trim() ? { title: form.title.trim() } : {}),
          role: form.role.trim(),
          ...(form.jobDescription.trim() ? { jobDescription: form.jobDescription.trim() } : {}),
          ...(form.candidateName.trim() ? { candidateName: form.candidateName.trim() } : {}),
          language: form.language,
          plannedQuestions: automatedQuestions(form),
          timeBudgetMinutes: Number(form.minutes),
          linkValidHours: Number(form.validHours),
        },
        AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
      );
      return { interviewId: result.interviewId, title: form.title.trim(), role: form.role.trim(), candidateName: form.candidateName.trim(), link: result.link };
    });
    const created = this.store.state.create;
    if (created.state === 'done') {
      await this.refresh(created.value.interviewId);
      this.ensurePolling();
    }
  };

  /** Revokes a link and reads the interview's status again. */
  revoke = async (interviewId: string, linkId: string): Promise<void> => {
    try {
      await this.request((signal) => this.api.revokeLink(interviewId, linkId, signal));
      await this.refresh(interviewId);
    } catch (error) {
      this.store.dispatch({ type: 'status/failed', interviewId, kind: 'revoke', problem: problemOf(error) });
    }
  };

  /** Puts a link on the clipboard; a refusal clears the "copied" note. */
  copyLink = async (linkId: string, url: string): Promise<void> => {
    let ok = true;
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      ok = false;
    }
    this.store.dispatch({ type: 'link/copied', linkId: ok ? linkId : null });
  };

  /** Reads the status of one interview, or of every one not over yet. */
  refresh = async (only?: string): Promise<void> => {
    const { created, watches } = this.store.state;
    const targets = created.filter((entry) => (only ? entry.interviewId === only : watches[entry.interviewId]?.status?.state !== 'ended'));
    await Promise.all(
      targets.map(async ({ interviewId }) => {
        try {
          const status = await this.request((signal) => this.api.automatedStatus(interviewId, signal));
          this.store.dispatch({ type: 'status/read', interviewId, status });
        } catch (error) {
          this.store.dispatch({ type: 'status/failed', interviewId, kind: 'status', problem: problemOf(error) });
        }
      }),
    );
    if (!only && this.everyEnded()) this.stopPolling();
  };

  /** Stops polling and drops requests in flight. */
  dispose = (): void => {
    this.stopPolling();
    this.jobs.dispose();
    for (const abort of this.abort) abort.abort();
    this.abort.clear();
  };

  private async request<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const abort = new AbortController();
    this.abort.add(abort);
    try {
      return await call(AbortSignal.any([abort.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]));
    } finally {
      this.abort.delete(abort);
    }
  }

  private everyEnded(): boolean {
    const { created, watches } = this.store.state;
    return created.every((entry) => watches[entry.interviewId]?.status?.state === 'ended');
  }

  private ensurePolling(): void {
    if (this.timer || this.everyEnded()) return;
    this.timer = setInterval(() => void this.refresh(), this.pollIntervalMs);
  }

  private stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
