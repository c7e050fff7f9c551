import type { AutomatedInterviewStatus, AutomatedLanguage, IssuedCandidateLink } from '../../../protocol/automated.ts';
import type { PlannedQuestion } from '../../../protocol/index.ts';
import type { Problem } from '../api/replies.ts';
import { IDLE_JOB, jobReducer, type Job, type JobEvent } from './job.ts';
import { newRowKey, type QuestionRow } from './setup-form.ts';

/** What the recruiter fills in to create an AI interview. */
export interface AutomatedForm {
  title: string;
  role: string;
  candidateName: string;
  jobDescription: string;
  language: AutomatedLanguage;
  questions: QuestionRow[];
  /** Kept as typed; checked when creating. */
  minutes: string;
  validHours: string;
}

/** An interview created from this screen, with its first link (the only time the token is shown). */
export interface CreatedInterview {
  interviewId: string;
  title: string;
  role: string;
  candidateName: string;
  link: IssuedCandidateLink;
}

/** The last status read of an interview, and the last problem reading or changing it. */
export interface InterviewWatch {
  status: AutomatedInterviewStatus | null;
  problem: { kind: 'status' | 'revoke'; problem: Problem } | null;
}

/** Everything the AI interview screen renders. */
export interface AutomatedState {
  form: AutomatedForm;
  create: Job<CreatedInterview>;
  /** Newest first. */
  created: CreatedInterview[];
  watches: Record<string, InterviewWatch>;
  /** Link id whose URL was just copied. */
  copiedLinkId: string | null;
}

/** What happens on the AI interview screen. */
export type AutomatedAction =
  | { type: 'form/changed'; patch: Partial<AutomatedForm> }
  | { type: 'create'; event: JobEvent<CreatedInterview> }
  | { type: 'status/read'; interviewId: string; status: AutomatedInterviewStatus }
  | { type: 'status/failed'; interviewId: string; kind: 'status' | 'revoke'; problem: Problem }
  | { type: 'link/copied'; linkId: string | null };

/** An empty form in the interface language. */
export function initialAutomatedState(language: AutomatedLanguage): AutomatedState {
  return {
    form: { title: '', role: '', candidateName: '', jobDescription: '', language, questions: [{ key: newRowKey(), text: '' }], minutes: '20', validHours: '72' },
    create: IDLE_JOB,
    created: [],
    watches: {},
    copiedLinkId: null,
  };
}

/** The non-empty planned questions with ids `q1…`. */
export function automatedQuestions(form: AutomatedForm): PlannedQuestion[] {
  return form.questions
    .map((row) => row.text.trim())
    .filter((text) => text !== '')
    .map((text, index) => ({ id: `q${index + 1}`, text }));
}

/** True when an interview can be created: a role and at least one question. */
export const automatedReady = (form: AutomatedForm) => form.role.trim() !== '' && automatedQuestions(form).length > 0;

/** Pure reducer of the AI interview screen. */
export function automatedReducer(state: AutomatedState, action: AutomatedAction): AutomatedState {
  switch (action.type) {
    case 'form/changed':
      return { ...state, form: { ...state.form, ...action.patch } };
    case 'create': {
      const create = jobReducer(state.create, action.event);
      if (action.event.type !== 'done') return { ...state, create };
      const entry = action.event.value;
      return { ...state, create, created: [entry, ...state.created], watches: { ...state.watches, [entry.interviewId]: { status: null, problem: null } } };
    }
    case 'status/read':
      return { ...state, watches: { ...state.watches, [action.interviewId]: { status: action.status, problem: null } } };
    case 'status/failed': {
      const previous = state.watches[action.interviewId]?.status ?? null;
      return { ...state, watches: { ...state.watches, [action.interviewId]: { status: previous, problem: { kind: action.kind, problem: action.problem } } } };
    }
    case 'link/copied':
      return { ...state, copiedLinkId: action.linkId };
  }
}
