import type { ScreeningResult, ScreeningStatus } from '../api/prep-api.ts';
import { IDLE_JOB, jobReducer, type Job, type JobEvent } from './job.ts';

/** A finished screening: its id (for the download links) and the ranked result. */
export interface ScreeningOutcome {
  id: string;
  result: ScreeningResult;
}

/** Everything the Screening screen renders. */
export interface ScreeningState {
  /** Files chosen, in the order picked; listed by name before the run. */
  files: File[];
  jobDescription: string;
  blind: boolean;
  run: Job<ScreeningOutcome>;
  /** The server's last progress report of the running screening. */
  progress: ScreeningStatus['progress'] | null;
}

/** What happens on the Screening screen. */
export type ScreeningAction =
  | { type: 'files/chosen'; files: File[] }
  | { type: 'file/removed'; index: number }
  | { type: 'input/changed'; patch: Partial<Pick<ScreeningState, 'jobDescription' | 'blind'>> }
  | { type: 'run'; event: JobEvent<ScreeningOutcome> }
  | { type: 'progress'; progress: ScreeningStatus['progress'] };

/** The screen before anything ran. */
export function initialScreeningState(): ScreeningState {
  return { files: [], jobDescription: '', blind: false, run: IDLE_JOB, progress: null };
}

/** True when a screening can start: files, a JD, and nothing running. */
export const screeningReady = (state: ScreeningState) => state.files.length > 0 && state.jobDescription.trim() !== '' && state.run.state !== 'running';

/** Pure reducer of the Screening screen. */
export function screeningReducer(state: ScreeningState, action: ScreeningAction): ScreeningState {
  switch (action.type) {
    case 'files/chosen':
      return { ...state, files: action.files };
    case 'file/removed':
      return { ...state, files: state.files.filter((_, index) => index !== action.index) };
    case 'input/changed':
      return { ...state, ...action.patch };
    case 'run':
      return { ...state, run: jobReducer(state.run, action.event), progress: action.event.type === 'started' ? null : state.progress };
    case 'progress':
      return state.run.state === 'running' ? { ...state, progress: action.progress } : state;
  }
}
