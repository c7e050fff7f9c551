import type { SessionContext } from '../../../protocol/index.ts';
import type { PrepApi } from '../api/prep-api.ts';
import type { Locale } from '../i18n/dictionary.ts';
import { applyPreparation, toSessionContext, type Preparation, type SetupForm } from '../state/setup-form.ts';
import type { SetupAction, SetupState } from '../state/setup-reducer.ts';
import { JobRunner } from './job-runner.ts';
import type { ScreenStore } from './screen-store.ts';

/** Owns the setup form: edits, the resume upload (one at a time), Prepare's hand-over, and the check before a start. */
export class SetupController {
  private readonly jobs: JobRunner<'resume'>;

  constructor(
    private readonly store: ScreenStore<SetupState, SetupAction>,
    private readonly api: PrepApi,
    now: () => number = Date.now,
  ) {
    this.jobs = new JobRunner(now);
  }

  /** Replaces the form (the screen edits a copy). */
  change = (form: SetupForm): void => this.store.dispatch({ type: 'form/changed', form });

  /** Current form (for "copy from setup" on the AI interview screen). */
  form = (): SetupForm => this.store.state.form;

  /** Sends a resume file and fills the resume with its text. */
  uploadResume = async (file: File): Promise<void> => {
    await this.jobs.run<string>('resume', (event) => this.store.dispatch({ type: 'upload', fileName: file.name, event }), 'sending', (signal, progress) =>
      this.api.parseFile(file, AbortSignal.any([signal, AbortSignal.timeout(60_000)]), progress.upload),
    );
  };

  /** Fills the form from the Prepare screen. */
  applyPreparation = (preparation: Preparation): void => this.change(applyPreparation(this.store.state.form, preparation));

  /** The session context to start with (default rubric names in `locale`), or null after listing what is missing. */
  validate = (locale: Locale): SessionContext | null => {
    const result = toSessionContext(this.store.state.form, locale);
    this.store.dispatch({ type: 'issues', issues: result.ok ? [] : result.issues });
    return result.ok ? result.context : null;
  };

  /** Drops an upload in flight. */
  dispose = (): void => this.jobs.dispose();
}
