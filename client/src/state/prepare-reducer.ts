import type { InterviewPlan, JobMatch, PrepLanguage } from '../../../protocol/prep.ts';
import { IDLE_JOB, jobReducer, type Job, type JobEvent } from './job.ts';

/** Fields the Prepare screen edits. */
export interface PrepareDraft {
  role: string;
  jobDescription: string;
  resume: string;
  count: number;
  language: PrepLanguage;
  blind: boolean;
}

/** The two text fields a file can fill. */
export type PrepareFileField = 'jobDescription' | 'resume';

/** A file being turned into text for one field: its name and the upload job (the value is the text). */
export interface FieldUpload {
  fileName: string | null;
  job: Job<string>;
}

/** Everything the Prepare screen renders. */
export interface PrepareState {
  draft: PrepareDraft;
  uploads: Record<PrepareFileField, FieldUpload>;
  match: Job<JobMatch>;
  plan: Job<InterviewPlan>;
}

/** What happens on the Prepare screen. */
export type PrepareAction =
  | { type: 'draft/changed'; patch: Partial<PrepareDraft> }
  | { type: 'upload'; field: PrepareFileField; fileName: string; event: JobEvent<string> }
  | { type: 'match'; event: JobEvent<JobMatch> }
  | { type: 'plan'; event: JobEvent<InterviewPlan> };

/** An empty draft in the interface language. */
export function emptyPrepareDraft(language: PrepLanguage): PrepareDraft {
  return { role: '', jobDescription: '', resume: '', count: 8, language, blind: false };
}

/** The screen before anything ran. */
export function initialPrepareState(draft: PrepareDraft): PrepareState {
  const idle: FieldUpload = { fileName: null, job: IDLE_JOB };
  return { draft, uploads: { jobDescription: idle, resume: idle }, match: IDLE_JOB, plan: IDLE_JOB };
}

/** True when both texts a match or plan needs are there. */
export const prepareReady = (draft: PrepareDraft) => draft.jobDescription.trim() !== '' && draft.resume.trim() !== '';

/** Pure reducer of the Prepare screen; a finished upload fills its field (typing meanwhile in the other field is kept). */
export function prepareReducer(state: PrepareState, action: PrepareAction): PrepareState {
  switch (action.type) {
    case 'draft/changed':
      return { ...state, draft: { ...state.draft, ...action.patch } };
    case 'upload': {
      const upload: FieldUpload = { fileName: action.fileName, job: jobReducer(state.uploads[action.field].job, action.event) };
      const draft = action.event.type === 'done' ? { ...state.draft, [action.field]: action.event.value } : state.draft;
      return { ...state, draft, uploads: { ...state.uploads, [action.field]: upload } };
    }
    case 'match':
      return { ...state, match: jobReducer(state.match, action.event) };
    case 'plan':
      return { ...state, plan: jobReducer(state.plan, action.event) };
  }
}
