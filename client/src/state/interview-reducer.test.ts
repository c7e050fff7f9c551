import { describe, expect, it } from 'vitest';
import type { AnswerScore, TranscriptEvent } from '../../../protocol/index.ts';
import { initialInterviewState, interviewReducer, orderedTurns, type InterviewAction, type InterviewState } from './interview-reducer.ts';

const live = (): InterviewState =>
  [
    { type: 'session/starting', context: {}, language: 'en', captureMode: 'mic-and-tab', channels: ['interviewer', 'candidate'] },
    { type: 'session/started', sessionId: 's1', startedAt: '2026-11-23T10:00:00.000Z' },
  ].reduce<InterviewState>((state, action) => interviewReducer(state, action as InterviewAction), initialInterviewState());

const apply = (state: InterviewState, ...actions: InterviewAction[]) => actions.reduce(interviewReducer, state);

const transcript = (turnId: string, text: string, extra: Partial<TranscriptEvent> = {}): TranscriptEvent => ({
  sessionId: 's1',
  turnId,
  channel: 'candidate',
  text,
  startMs: 1000,
  endMs: 2000,
  ...extra,
});

const score: AnswerScore = {
  label: 'answer',
  dimensions: [{ id: 'clarity', name: 'Clarity', score: 7, reason: 'clear', evidence: [{ quote: 'I built', startMs: 0, endMs: 500 }] }],
  overall: 7,
  remark: 'ok',
  model: 'm',
  promptVersion: 'p',
  rubricVersion: 'r',
};

describe('interviewReducer', () => {
  it('moves setup → starting → live, keeping the chosen context', () => {
    const state = live();
    expect(state.phase).toBe('live');
    expect(state.sessionId).toBe('s1');
    expect(state.connection).toBe('connected');
    expect(state.channels).toEqual(['interviewer', 'candidate']);
  });

  it('a failed start returns to setup with the error', () => {
    const state = apply(initialInterviewState(), { type: 'session/starting', context: {}, language: 'zh', captureMode: 'single-mic', channels: ['candidate'] }, {
      type: 'session/start-failed',
      error: { code: 'permission-denied', message: 'no' },
    });
    expect(state.phase).toBe('setup');
    expect(state.startError?.code).toBe('permission-denied');
  });

  it('merges partials into the final of the same turn, and a late partial never overwrites the final', () => {
    let state = apply(
      live(),
      { type: 'transcript:partial', event: transcript('t1', 'I built') },
      { type: 'transcript:partial', event: transcript('t1', 'I built a queue') },
    );
    expect(Object.keys(state.turns)).toEqual(['t1']);
    expect(state.turns.t1).toMatchObject({ text: 'I built a queue', isFinal: false });
    state = apply(
      state,
      { type: 'transcript:final', event: transcript('t1', 'I built a queue in Go.', { endMs: 2600 }) },
      { type: 'transcript:partial', event: transcript('t1', 'I built a que') },
    );
    expect(state.turns.t1).toMatchObject({ text: 'I built a queue in Go.', isFinal: true, endMs: 2600 });
  });

  it('orders turns by start time across channels, whatever order they arrive in', () => {
    const state = apply(
      live(),
      { type: 'transcript:final', event: transcript('b', 'answer', { startMs: 5000 }) },
      { type: 'transcript:final', event: transcript('a', 'question', { channel: 'interviewer', startMs: 1000 }) },
    );
    expect(orderedTurns(state.turns).map((t) => t.turnId)).toEqual(['a', 'b']);
  });

  it('ignores events of another session', () => {
    const state = apply(live(), { type: 'transcript:final', event: transcript('x', 'stale', { sessionId: 'old' }) });
    expect(state.turns).toEqual({});
  });

  it('accumulates follow-up deltas per turn, then the validated list replaces the streamed text', () => {
    let state = apply(
      live(),
      { type: 'followup:delta', event: { sessionId: 's1', turnId: 't1', text: '{"sugg' } },
      { type: 'followup:delta', event: { sessionId: 's1', turnId: 't2', text: 'other' } },
      { type: 'followup:delta', event: { sessionId: 's1', turnId: 't1', text: 'estions"' } },
    );
    expect(state.followUps.t1).toEqual({ streamText: '{"suggestions"', suggestions: null });
    expect(state.followUps.t2?.streamText).toBe('other');
    const suggestions = [{ question: 'Why Go?', buildsOn: 'in Go', probes: 'language choice' }];
    state = apply(
      state,
      { type: 'followup:end', event: { sessionId: 's1', turnId: 't1', suggestions } },
      { type: 'followup:delta', event: { sessionId: 's1', turnId: 't1', text: 'late' } },
    );
    expect(state.followUps.t1).toEqual({ streamText: '', suggestions });
  });

  it('keeps scores per turn', () => {
    const state = apply(live(), { type: 'score:final', event: { sessionId: 's1', turnId: 't1', score } });
    expect(state.scores.t1).toEqual(score);
    expect(state.scores.t2).toBeUndefined();
  });

  it('records analysis errors per turn, raises the LLM banner, and clears both when a retry succeeds', () => {
    let state = apply(live(), {
      type: 'analysis:error',
      event: { sessionId: 's1', turnId: 't1', code: 'llm-unreachable', message: 'connection refused', retryable: true },
    });
    expect(state.analysisErrors.t1).toEqual({ code: 'llm-unreachable', message: 'connection refused', retryable: true, retrying: false });
    expect(state.llmError?.code).toBe('llm-unreachable');
    state = apply(state, { type: 'followup:delta', event: { sessionId: 's1', turnId: 't1', text: 'partial' } }, { type: 'analysis/retry-requested', turnId: 't1' });
    expect(state.analysisErrors.t1?.retrying).toBe(true);
    expect(state.followUps.t1).toBeUndefined(); // the retry streams again from scratch
    state = apply(state, { type: 'score:final', event: { sessionId: 's1', turnId: 't1', score } });
    expect(state.analysisErrors.t1).toBeUndefined();
    expect(state.llmError).toBeNull();
  });

  it('a success that does not answer a retry leaves the other failure visible', () => {
    const state = apply(
      live(),
      { type: 'analysis:error', event: { sessionId: 's1', turnId: 't1', code: 'llm-invalid-output', message: 'bad JSON', retryable: true } },
      { type: 'followup:end', event: { sessionId: 's1', turnId: 't1', suggestions: [{ question: 'q', buildsOn: '', probes: 'p' }] } },
    );
    expect(state.analysisErrors.t1?.code).toBe('llm-invalid-output');
  });

  it('a failed retry request shows its error again and re-enables Retry', () => {
    const state = apply(
      live(),
      { type: 'analysis:error', event: { sessionId: 's1', turnId: 't1', code: 'llm-timeout', message: 'slow', retryable: true } },
      { type: 'analysis/retry-requested', turnId: 't1' },
      { type: 'analysis/retry-failed', turnId: 't1', error: { code: 'not-found', message: 'no such turn' } },
    );
    expect(state.analysisErrors.t1).toEqual({ code: 'not-found', message: 'no such turn', retryable: true, retrying: false });
  });

  it('tracks speech activity per channel; a final ends it', () => {
    let state = apply(live(), { type: 'speech:start', event: { sessionId: 's1', channel: 'candidate', atMs: 100 } });
    expect(state.speaking).toEqual({ interviewer: false, candidate: true });
    state = apply(state, { type: 'speech:start', event: { sessionId: 's1', channel: 'interviewer', atMs: 200 } }, {
      type: 'speech:end',
      event: { sessionId: 's1', channel: 'interviewer', atMs: 900 },
    });
    expect(state.speaking).toEqual({ interviewer: false, candidate: true });
    state = apply(state, { type: 'transcript:final', event: transcript('t1', 'done') });
    expect(state.speaking.candidate).toBe(false);
  });

  it('flips a turn role client-side and back', () => {
    let state = apply(live(), { type: 'transcript:final', event: transcript('t1', 'What is a mutex?') }, { type: 'turn/flip-role', turnId: 't1' });
    expect(state.roleOverrides).toEqual({ t1: 'interviewer' });
    expect(state.turns.t1?.channel).toBe('candidate');
    state = apply(state, { type: 'turn/flip-role', turnId: 't1' });
    expect(state.roleOverrides).toEqual({});
  });

  it('keeps the last server errors bounded and flags llm ones', () => {
    let state = live();
    for (let i = 0; i < 30; i++) state = apply(state, { type: 'error', event: { code: 'invalid-frame', message: `frame ${i}` } });
    expect(state.serverErrors).toHaveLength(20);
    expect(state.serverErrors.at(-1)?.message).toBe('frame 29');
    expect(state.llmError).toBeNull();
    state = apply(state, { type: 'error', event: { code: 'llm-error', message: 'HTTP 500' } });
    expect(state.llmError).toEqual({ code: 'llm-error', message: 'HTTP 500' });
  });

  it('stop moves to review with the server stats; reset keeps the setup choices', () => {
    let state = apply(live(), { type: 'session/stopping' }, { type: 'session/stopped', result: { sessionId: 's1', stats: {} }, error: null, stoppedAt: 'x' });
    expect(state.phase).toBe('review');
    expect(state.stopResult?.sessionId).toBe('s1');
    state = apply(state, { type: 'session/reset' });
    expect(state.phase).toBe('setup');
    expect(state.turns).toEqual({});
    expect(state.language).toBe('en');
  });

  it('after a stop answered at once: finishing turns count down as finals land, session:end brings the final figures, scoring progress follows', () => {
    const stats = (turns: number) => ({ candidate: { framesReceived: 10, framesRejected: 0, framesDropped: 0, framesDuplicate: 0, gaps: 0, missingFrames: 0, audioMs: 1000, turns, partialsPublished: 0, partialsSkipped: 0 } });
    let state = apply(
      live(),
      { type: 'session/stopping' },
      { type: 'session/stopped', result: { sessionId: 's1', stats: stats(1), finishing: { turns: 2, audioMs: 3000 }, analysis: { total: 1, done: 0, pending: 1, failed: 0 } }, error: null, stoppedAt: 'x' },
    );
    expect(state).toMatchObject({ phase: 'review', finishing: { turns: 2 }, analysisProgress: { done: 0, total: 1 } });
    state = apply(state, { type: 'transcript:final', event: transcript('t2', 'late words') });
    expect(state.finishing?.turns).toBe(1);
    state = apply(state, { type: 'session:end', event: { sessionId: 's1', stats: stats(3) } }, { type: 'analysis:progress', event: { sessionId: 's1', total: 3, done: 2, pending: 1, failed: 0 } });
    expect(state.finishing).toBeNull();
    expect(state.stopResult?.stats.candidate?.turns).toBe(3);
    expect(state.analysisProgress).toEqual({ total: 3, done: 2, pending: 1, failed: 0 });

    // session:end handled before the reply (both in one packet): the final figures stay.
    state = apply(live(), { type: 'session/stopping' }, { type: 'session:end', event: { sessionId: 's1', stats: stats(3) } });
    state = apply(state, { type: 'session/stopped', result: { sessionId: 's1', stats: stats(1), finishing: { turns: 2, audioMs: 0 } }, error: null, stoppedAt: 'x' });
    expect(state.finishing).toBeNull();
    expect(state.stopResult?.stats.candidate?.turns).toBe(3);
  });

  it('keeps the LLM banner while an answer is left with an LLM failure, even when another answer’s follow-ups succeed', () => {
    let state = apply(live(), { type: 'analysis:error', event: { sessionId: 's1', turnId: 't1', code: 'llm-error', message: 'HTTP 500', retryable: true } });
    expect(state.llmError?.code).toBe('llm-error');
    state = apply(state, { type: 'followup:end', event: { sessionId: 's1', turnId: 't2', suggestions: [{ question: 'Why?', buildsOn: '', probes: 'depth' }] } });
    expect(state.llmError?.code).toBe('llm-error');
    // Retry on the failed answer succeeds: nothing is left failing, the banner goes.
    state = apply(state, { type: 'analysis/retry-requested', turnId: 't1' });
    state = apply(state, { type: 'score:final', event: { sessionId: 's1', turnId: 't1', score } });
    expect(state.analysisErrors).toEqual({});
    expect(state.llmError).toBeNull();
  });

  it('says it is finishing until session:end even when the stop reply counted nothing pending, and stops saying so when the socket drops', () => {
    const stats = { candidate: { framesReceived: 10, framesRejected: 0, framesDropped: 0, framesDuplicate: 0, gaps: 0, missingFrames: 0, audioMs: 1000, turns: 1, partialsPublished: 0, partialsSkipped: 0 } };
    const stopped = apply(live(), { type: 'session/stopping' }, { type: 'session/stopped', result: { sessionId: 's1', stats, finishing: { turns: 0, audioMs: 0 } }, error: null, stoppedAt: 'x' });
    expect(stopped.finishing).toEqual({ turns: 0, audioMs: 0 });
    // The speech the stop flushed arrives after the reply; only session:end says every final is out.
    let state = apply(stopped, { type: 'transcript:final', event: transcript('t9', 'the last words') });
    expect(state.finishing).not.toBeNull();
    state = apply(state, { type: 'session:end', event: { sessionId: 's1', stats } });
    expect(state.finishing).toBeNull();
    expect(apply(stopped, { type: 'connection/changed', status: 'reconnecting' }).finishing).toBeNull();
  });

  it('a follow-up run that restarts for an answer that grew replaces the text shown', () => {
    const state = apply(
      live(),
      { type: 'followup:delta', event: { sessionId: 's1', turnId: 't1', text: 'old draft' } },
      { type: 'followup:delta', event: { sessionId: 's1', turnId: 't1', text: 'new', restart: true } },
      { type: 'followup:delta', event: { sessionId: 's1', turnId: 't1', text: ' draft' } },
    );
    expect(state.followUps.t1?.streamText).toBe('new draft');
  });
});
