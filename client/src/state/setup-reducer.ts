import { IDLE_JOB, jobReducer, type Job, type JobEvent } from './job.ts';
import type { SetupForm, SetupIssue } from './setup-form.ts';

/** Everything the setup screen renders besides the interview's own state. */
export interface SetupState {
  form: SetupForm;
  /** What the last start attempt found missing or wrong. */
  issues: SetupIssue[];
  /** The resume file being turned into text. */
  upload: { fileName: string | null; job: Job<string> };
}

/** What happens on the setup screen. */
export type SetupAction =
  | { type: 'form/changed'; form: SetupForm }
  | { type: 'issues'; issues: SetupIssue[] }
  | { type: 'upload'; fileName: string; event: JobEvent<string> };

/** The setup screen with a fresh form. */
export function initialSetupState(form: SetupForm): SetupState {
  return { form, issues: [], upload: { fileName: null, job: IDLE_JOB } };
}

/** Pure reducer of the setup screen; a finished upload fills the resume, and fixing the form clears old issues only on the next start. */
export function setupReducer(state: SetupState, action: SetupAction): SetupState {
  switch (action.type) {
    case 'form/changed':
      return { ...state, form: action.form };
    case 'issues':
      return { ...state, issues: action.issues };
    case 'upload': {
      const form = action.event.type === 'done' ? { ...state.form, resume: action.event.value } : state.form;
      return { ...state, form, upload: { fileName: action.fileName, job: jobReducer(state.upload.job, action.event) } };
    }
  }
}
