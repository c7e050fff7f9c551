import type { AskedQuestion, InterviewEndEvent, InterviewJoinResult, InterviewPhase } from '../../../protocol/automated.ts';

/** Which screen the candidate sees. */
export type CandidateScreen = 'loading' | 'error' | 'consent' | 'mic' | 'live' | 'ended';

/** A problem shown to the candidate; `code` picks the text. */
export interface CandidateProblem {
  code: string;
  message: string;
}

/** Everything the candidate page renders. */
export interface CandidateState {
  screen: CandidateScreen;
  error: CandidateProblem | null;
  info: InterviewJoinResult | null;
  mic: 'closed' | 'opening' | 'open';
  /** A frame above the speech level was seen during the mic check. */
  heardVoice: boolean;
  starting: boolean;
  phase: InterviewPhase;
  question: AskedQuestion | null;
  /** Interview time used at `elapsedAtMs` (wall clock), for the countdown. */
  elapsedMs: number;
  elapsedAtMs: number;
  online: boolean;
  /** Viva's voice is audible right now. */
  vivaSpeaking: boolean;
  end: InterviewEndEvent | null;
  /** Last audio is being flushed and the session stopped. */
  saving: boolean;
}

/** What happens to the page. */
export type CandidateAction =
  | { type: 'joined'; info: InterviewJoinResult }
  | { type: 'failed'; error: CandidateProblem }
  | { type: 'consented'; consentAtMs: number }
  | { type: 'mic'; mic: CandidateState['mic'] }
  | { type: 'voice-heard' }
  | { type: 'starting' }
  | { type: 'started'; phase: InterviewPhase; question: AskedQuestion | null; elapsedMs: number; atMs: number }
  | { type: 'question'; question: AskedQuestion; elapsedMs: number; atMs: number }
  | { type: 'viva-speaking'; speaking: boolean }
  | { type: 'listening'; questionId: string }
  | { type: 'thinking'; questionId: string }
  | { type: 'online'; online: boolean }
  | { type: 'ended'; end: InterviewEndEvent }
  | { type: 'saved' };

/** The first state: joining. */
export const initialCandidateState: CandidateState = {
  screen: 'loading',
  error: null,
  info: null,
  mic: 'closed',
  heardVoice: false,
  starting: false,
  phase: 'waiting',
  question: null,
  elapsedMs: 0,
  elapsedAtMs: 0,
  online: true,
  vivaSpeaking: false,
  end: null,
  saving: false,
};

/** Pure state transitions of the candidate page. */
export function candidateReducer(state: CandidateState, action: CandidateAction): CandidateState {
  switch (action.type) {
    case 'joined': {
      const screen = state.screen === 'live' ? 'live' : action.info.state === 'invited' ? 'consent' : 'mic';
      return { ...state, info: action.info, screen, error: null, online: true };
    }
    case 'failed':
      return { ...state, screen: state.screen === 'live' && action.error.code === 'device-failed' ? 'live' : 'error', error: action.error, starting: false };
    case 'consented':
      return state.info ? { ...state, info: { ...state.info, state: 'consented', consentAtMs: action.consentAtMs }, screen: 'mic' } : state;
    case 'mic':
      return { ...state, mic: action.mic };
    case 'voice-heard':
      return state.heardVoice ? state : { ...state, heardVoice: true };
    case 'starting':
      return { ...state, starting: true, error: null };
    case 'started':
      return { ...state, screen: 'live', starting: false, phase: action.phase, question: action.question ?? state.question, elapsedMs: action.elapsedMs, elapsedAtMs: action.atMs };
    case 'question':
      return { ...state, screen: state.screen === 'ended' ? 'ended' : 'live', phase: 'speaking', question: action.question, elapsedMs: action.elapsedMs, elapsedAtMs: action.atMs };
    case 'viva-speaking':
      return { ...state, vivaSpeaking: action.speaking };
    case 'listening':
      return state.phase === 'ended' ? state : { ...state, phase: 'listening', vivaSpeaking: false };
    case 'thinking':
      return state.phase === 'ended' ? state : { ...state, phase: 'thinking' };
    case 'online':
      return { ...state, online: action.online };
    case 'ended':
      return { ...state, screen: 'ended', phase: 'ended', end: action.end, vivaSpeaking: false, saving: true };
    case 'saved':
      return { ...state, saving: false };
  }
}
