import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { io } from 'socket.io-client';
import type { OpenCapture } from '../audio/audio-capture.ts';
import { effectiveChannel, initialInterviewState, interviewReducer, type InterviewState } from '../state/interview-reducer.ts';
import { InterviewController, type StartRequest, type VivaSocket } from './interview-controller.ts';
import { LevelStore } from './level-store.ts';

/** Socket.IO on the page's own origin (the server serves the client), default path /socket.io. */
export function createBrowserSocket(): VivaSocket {
  return io({ autoConnect: false, reconnectionDelay: 500, reconnectionDelayMax: 4_000 });
}

/** What the screens get: the state to render and the few things a person can do. */
export interface InterviewSession {
  state: InterviewState;
  levels: LevelStore;
  start: (request: StartRequest) => Promise<void>;
  stop: () => Promise<void>;
  retryAnalysis: (turnId: string) => Promise<void>;
  flipRole: (turnId: string) => void;
  setQuestionCovered: (questionId: string, covered: boolean) => void;
  reset: () => Promise<void>;
}

/** Parts the hook needs from the outside (real ones in the app, fakes in tests). */
export interface InterviewSessionDeps {
  openCapture: OpenCapture;
  createSocket?: () => VivaSocket;
}

/**
 * The one owner of microphones, AudioContext and socket for the interviewer's screen. Components render
 * `state` and call the actions; nothing else touches audio or the network.
 */
export function useInterviewSession(deps: InterviewSessionDeps): InterviewSession {
  const [state, dispatch] = useReducer(interviewReducer, undefined, initialInterviewState);
  const [levels] = useState(() => new LevelStore());
  const [controller] = useState(
    () => new InterviewController({ dispatch, levels, openCapture: deps.openCapture, createSocket: deps.createSocket ?? createBrowserSocket }),
  );
  // The flip action reads the turn's current speaker without being rebuilt on every state change.
  const stateRef = useRef(state);
  stateRef.current = state;
  // Release the microphone and socket when the screen goes away.
  useEffect(() => () => controller.dispose(), [controller]);
  // Closing or reloading the tab mid-interview would end the capture: ask first.
  const capturing = state.phase === 'live' || state.phase === 'stopping';
  useEffect(() => {
    if (!capturing) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [capturing]);
  const actions = useMemo(
    () => ({
      start: controller.start,
      stop: controller.stop,
      retryAnalysis: controller.retryAnalysis,
      reset: controller.reset,
      flipRole: (turnId: string) => {
        const turn = stateRef.current.turns[turnId];
        if (!turn) return;
        const next = effectiveChannel(stateRef.current, turn) === 'candidate' ? 'interviewer' : 'candidate';
        // Shown at once; the server regroups the answers and re-scores what changed (its turn:role confirms it).
        dispatch({ type: 'turn/flip-role', turnId });
        void controller.relabelTurn(turnId, next);
      },
      setQuestionCovered: (questionId: string, covered: boolean) => dispatch({ type: 'question/set-covered', questionId, covered }),
    }),
    [controller],
  );
  return { state, levels, ...actions };
}
