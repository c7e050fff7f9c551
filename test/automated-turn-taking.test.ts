import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TURN_TAKING,
  TurnTaking,
  TurnTakingConfigError,
  estimateSpeakingMs,
  resolveTurnTakingConfig,
  type TurnEffect,
  type TurnInput,
  type TurnTakingConfig,
} from '../server/automated/turn-taking.ts';

const QUESTIONS = [
  { id: 'q1', text: 'Tell me about a system you designed.' },
  { id: 'q2', text: 'How do you test concurrent code?' },
  { id: 'q3', text: 'Why this role?' },
];

/** Drives a machine with a manual clock, running ticks at its deadlines like the runner does. */
class Driver {
  readonly machine: TurnTaking;
  nowMs = 1_000_000;
  readonly log: TurnEffect[] = [];

  constructor(config: Partial<TurnTakingConfig> = {}, questions = QUESTIONS) {
    this.machine = new TurnTaking(questions, resolveTurnTakingConfig({ timeBudgetMs: 20 * 60_000, ...config }));
  }

  send(input: Omit<TurnInput, 'nowMs'> & { type: TurnInput['type'] }): TurnEffect[] {
    const effects = this.machine.handle({ ...input, nowMs: this.nowMs } as TurnInput);
    this.log.push(...effects);
    return effects;
  }

  /** Advances the clock by `ms`, ticking at every deadline on the way (as the runner's timer would). */
  advance(ms: number): TurnEffect[] {
    const until = this.nowMs + ms;
    const out: TurnEffect[] = [];
    for (let guard = 0; guard < 1000; guard++) {
      const deadline = this.machine.nextDeadlineMs();
      if (deadline === null || deadline > until) break;
      this.nowMs = Math.max(this.nowMs, deadline);
      out.push(...this.send({ type: 'tick' }));
    }
    this.nowMs = until;
    out.push(...this.send({ type: 'tick' }));
    return out;
  }

  /** Candidate speaks for `speechMs` (VAD start, then end `speechMs` later). */
  speak(speechMs: number, echo = false): TurnEffect[] {
    const out = this.send({ type: 'speech-start' });
    out.push(...this.advance(speechMs));
    out.push(...this.send({ type: 'speech-end', speechMs, echo } as never));
    return out;
  }

  lastAsk() {
    const asks = this.log.filter((effect) => effect.type === 'ask');
    const last = asks.at(-1);
    if (!last || last.type !== 'ask') throw new Error('nothing asked');
    return last.question;
  }

  /** Viva finishes speaking the current question. */
  spoken(): TurnEffect[] {
    return this.send({ type: 'speaking-end', questionId: this.lastAsk().questionId, reason: 'finished' } as never);
  }
}

const types = (effects: TurnEffect[]) => effects.map((effect) => effect.type);

describe('turn-taking state machine', () => {
  it('runs consent-free core sequence: question 1 → answer → follow-up → answer → question 2 → … → end', () => {
    const d = new Driver();
    expect(d.send({ type: 'start' })).toEqual([
      { type: 'ask', repeat: false, question: { questionId: 'q1', text: QUESTIONS[0]!.text, kind: 'planned', index: 1, total: 3 } },
    ]);
    expect(d.machine.snapshot(d.nowMs).phase).toBe('speaking');
    expect(d.spoken()).toEqual([{ type: 'listen', questionId: 'q1', reason: 'spoken' }]);
    d.advance(1500);
    d.speak(8000);
    // 2.5 s pause after a substantial answer ends it and asks for a follow-up decision.
    const afterPause = d.advance(DEFAULT_TURN_TAKING.answerEndPauseMs);
    expect(afterPause).toHaveLength(1);
    const end = afterPause[0];
    expect(end?.type).toBe('answer-end');
    if (end?.type !== 'answer-end') return;
    expect(end.answer).toMatchObject({ questionId: 'q1', speechMs: 8000, empty: false, endedBy: 'pause' });
    expect(end.decisionId).not.toBeNull();
    expect(d.machine.snapshot(d.nowMs).phase).toBe('thinking');

    const followUp = d.send({ type: 'decision', decisionId: end.decisionId, followUp: 'What did you measure?' } as never);
    expect(followUp).toEqual([
      { type: 'ask', repeat: false, question: { questionId: 'q1~f1', text: 'What did you measure?', kind: 'follow-up', index: 1, total: 3 } },
    ]);
    d.spoken();
    d.speak(5000);
    // A follow-up's answer never gets another follow-up: straight on to question 2.
    const next = d.advance(DEFAULT_TURN_TAKING.answerEndPauseMs);
    expect(types(next)).toEqual(['answer-end', 'ask']);
    expect(d.lastAsk()).toMatchObject({ questionId: 'q2', kind: 'planned', index: 2 });

    d.spoken();
    d.speak(6000);
    const q2End = d.advance(DEFAULT_TURN_TAKING.answerEndPauseMs);
    const decision = q2End[0];
    if (decision?.type !== 'answer-end' || decision.decisionId === null) throw new Error('expected a decision');
    // No gap found: move on.
    expect(types(d.send({ type: 'decision', decisionId: decision.decisionId, followUp: null } as never))).toEqual(['ask']);
    expect(d.lastAsk().questionId).toBe('q3');
    d.spoken();
    d.speak(4000);
    const q3End = d.advance(DEFAULT_TURN_TAKING.answerEndPauseMs);
    const last = q3End[0];
    if (last?.type !== 'answer-end' || last.decisionId === null) throw new Error('expected a decision');
    expect(d.send({ type: 'decision', decisionId: last.decisionId, followUp: '  ' } as never)).toEqual([{ type: 'end', reason: 'completed' }]);
    expect(d.machine.snapshot(d.nowMs)).toMatchObject({ phase: 'ended', questionsAsked: 4, answered: 4, endReason: 'completed' });
    // Nothing happens after the end.
    expect(d.send({ type: 'speech-start' })).toEqual([]);
    expect(d.machine.nextDeadlineMs()).toBeNull();
  });

  it('tolerates "um" and thinking: a short start gets the long pause, a substantial answer the short one', () => {
    const d = new Driver();
    d.send({ type: 'start' });
    d.spoken();
    d.speak(700); // "Um…"
    expect(d.advance(DEFAULT_TURN_TAKING.answerEndPauseMs + 1000)).toEqual([]); // 3.5 s of thinking is fine
    d.speak(1500); // "well, I think…" — still short (2.2 s in total)
    expect(d.advance(5000)).toEqual([]);
    d.speak(6000); // the real answer
    expect(d.advance(DEFAULT_TURN_TAKING.answerEndPauseMs - 100)).toEqual([]);
    const done = d.advance(100);
    expect(done[0]).toMatchObject({ type: 'answer-end', answer: { speechMs: 8200, empty: false, endedBy: 'pause' } });
  });

  it('a pause configured longer waits longer (configurable end-of-answer pause)', () => {
    const d = new Driver({ answerEndPauseMs: 4000 });
    d.send({ type: 'start' });
    d.spoken();
    d.speak(5000);
    expect(d.advance(3900)).toEqual([]);
    expect(types(d.advance(100))).toEqual(['answer-end']);
  });

  it('the candidate who says nothing: each question times out empty, then the interview ends as no-response', () => {
    const d = new Driver({ noAnswerTimeoutMs: 10_000, maxSilentAnswers: 2 });
    d.send({ type: 'start' });
    d.spoken();
    expect(d.advance(9_999)).toEqual([]);
    const first = d.advance(1);
    expect(first[0]).toMatchObject({ type: 'answer-end', decisionId: null, answer: { questionId: 'q1', empty: true, endedBy: 'no-answer' } });
    expect(first[1]).toMatchObject({ type: 'ask', question: { questionId: 'q2' } });
    d.spoken();
    const second = d.advance(10_000);
    expect(types(second)).toEqual(['answer-end', 'end']);
    expect(second[1]).toEqual({ type: 'end', reason: 'no-response' });
    expect(d.machine.snapshot(d.nowMs)).toMatchObject({ answered: 0, questionsAsked: 2 });
  });

  it('an answer after silent ones resets the silence count', () => {
    const d = new Driver({ noAnswerTimeoutMs: 5_000, maxSilentAnswers: 2 });
    d.send({ type: 'start' });
    d.spoken();
    d.advance(5_000); // q1 silent
    d.spoken();
    d.speak(4000); // q2 answered
    const end = d.advance(DEFAULT_TURN_TAKING.answerEndPauseMs)[0];
    if (end?.type !== 'answer-end' || end.decisionId === null) throw new Error('expected decision');
    d.send({ type: 'decision', decisionId: end.decisionId, followUp: null } as never);
    d.spoken();
    expect(types(d.advance(5_000))).toEqual(['answer-end', 'end']); // q3 silent: one in a row, but no question left
    expect(d.log.at(-1)).toEqual({ type: 'end', reason: 'completed' });
  });

  it('the candidate who talks over the question: Viva stops (barge-in) and listens to that answer', () => {
    const d = new Driver();
    d.send({ type: 'start' });
    d.advance(800);
    expect(d.send({ type: 'speech-start' })).toEqual([{ type: 'listen', questionId: 'q1', reason: 'barge-in' }]);
    expect(d.machine.snapshot(d.nowMs).phase).toBe('answering');
    // The browser confirms it stopped speaking: nothing more happens.
    expect(d.send({ type: 'speaking-end', questionId: 'q1', reason: 'barge-in' } as never)).toEqual([]);
    d.advance(5000);
    d.send({ type: 'speech-end', speechMs: 5000 } as never);
    expect(d.advance(DEFAULT_TURN_TAKING.answerEndPauseMs)[0]).toMatchObject({ type: 'answer-end', answer: { speechMs: 5000 } });
  });

  it('a browser-detected barge-in without VAD speech ends as no answer, not as a stuck state', () => {
    const d = new Driver({ noAnswerTimeoutMs: 8_000 });
    d.send({ type: 'start' });
    expect(d.send({ type: 'speaking-end', questionId: 'q1', reason: 'barge-in' } as never)).toEqual([
      { type: 'listen', questionId: 'q1', reason: 'barge-in' },
    ]);
    expect(d.advance(7_999)).toEqual([]);
    expect(d.advance(1)[0]).toMatchObject({ type: 'answer-end', answer: { empty: true, endedBy: 'no-answer' } });
  });

  it('speech marked as echo of Viva does not count as an answer', () => {
    const d = new Driver({ noAnswerTimeoutMs: 10_000 });
    d.send({ type: 'start' });
    d.send({ type: 'speech-start' }); // echo leaked past the canceller: Viva stops, to be safe
    d.advance(1000);
    d.send({ type: 'speech-end', speechMs: 1000, echo: true } as never);
    // No real speech follows: the long pause for a short answer, then an empty answer.
    const effects = d.advance(DEFAULT_TURN_TAKING.thinkingPauseMs);
    expect(effects[0]).toMatchObject({ type: 'answer-end', answer: { empty: true, speechMs: 0 } });
  });

  it('the candidate who disconnects and comes back within a minute continues the same answer; time away is not counted', () => {
    const d = new Driver({ timeBudgetMs: 10 * 60_000 });
    d.send({ type: 'start' });
    d.spoken();
    d.speak(3000);
    const elapsedBefore = d.machine.elapsed(d.nowMs);
    d.send({ type: 'disconnect' });
    expect(d.machine.snapshot(d.nowMs).phase).toBe('paused');
    expect(d.advance(45_000)).toEqual([]); // well past the answer-end pause: nothing ends while away
    expect(d.machine.elapsed(d.nowMs)).toBe(elapsedBefore);
    expect(d.send({ type: 'reconnect' })).toEqual([{ type: 'listen', questionId: 'q1', reason: 'resumed' }]);
    d.speak(4000);
    const end = d.advance(DEFAULT_TURN_TAKING.answerEndPauseMs);
    expect(end[0]).toMatchObject({ type: 'answer-end', answer: { questionId: 'q1', speechMs: 7000 } });
    expect(d.machine.elapsed(d.nowMs)).toBe(elapsedBefore + 4000 + DEFAULT_TURN_TAKING.answerEndPauseMs);
  });

  it('a disconnect while Viva speaks re-asks the same question on return (same id, not counted twice)', () => {
    const d = new Driver();
    d.send({ type: 'start' });
    d.advance(1000);
    d.send({ type: 'disconnect' });
    d.advance(20_000);
    expect(d.send({ type: 'reconnect' })).toEqual([{ type: 'ask', repeat: true, question: expect.objectContaining({ questionId: 'q1' }) }]);
    expect(d.machine.snapshot(d.nowMs).questionsAsked).toBe(1);
    // A late speaking-end of the first attempt is harmless: it names the same question and moves to listening once.
    expect(d.spoken()).toEqual([{ type: 'listen', questionId: 'q1', reason: 'spoken' }]);
    expect(d.spoken()).toEqual([]);
  });

  it('a decision that arrives while the candidate is away is applied on return', () => {
    const d = new Driver();
    d.send({ type: 'start' });
    d.spoken();
    d.speak(5000);
    const end = d.advance(DEFAULT_TURN_TAKING.answerEndPauseMs)[0];
    if (end?.type !== 'answer-end' || end.decisionId === null) throw new Error('expected decision');
    d.send({ type: 'disconnect' });
    expect(d.send({ type: 'decision', decisionId: end.decisionId, followUp: 'Which database?' } as never)).toEqual([]);
    d.advance(10_000);
    expect(d.send({ type: 'reconnect' })).toEqual([
      { type: 'ask', repeat: false, question: expect.objectContaining({ questionId: 'q1~f1', text: 'Which database?' }) },
    ]);
  });

  it('away longer than the grace period ends the interview as disconnected', () => {
    const d = new Driver({ reconnectGraceMs: 60_000 });
    d.send({ type: 'start' });
    d.spoken();
    d.send({ type: 'disconnect' });
    expect(d.advance(59_999)).toEqual([]);
    expect(d.advance(1)).toEqual([{ type: 'end', reason: 'disconnected' }]);
  });

  it('keeps to the time budget: no follow-up when little remains, no new question near the end, ends time-up', () => {
    const d = new Driver({ timeBudgetMs: 3 * 60_000, minFollowUpRemainingMs: 60_000, minQuestionRemainingMs: 30_000 });
    d.send({ type: 'start' });
    d.spoken();
    d.speak(60_000);
    // ~62.5 s used, ~117 s left: a follow-up may be considered.
    const first = d.advance(DEFAULT_TURN_TAKING.answerEndPauseMs)[0];
    if (first?.type !== 'answer-end' || first.decisionId === null) throw new Error('expected decision');
    d.send({ type: 'decision', decisionId: first.decisionId, followUp: null } as never);
    d.spoken();
    d.speak(70_000);
    // ~135 s used, 45 s left: no follow-up (< 60 s), question 3 still fits (>= 30 s).
    const second = d.advance(DEFAULT_TURN_TAKING.answerEndPauseMs);
    expect(second[0]).toMatchObject({ type: 'answer-end', decisionId: null });
    expect(second[1]).toMatchObject({ type: 'ask', question: { questionId: 'q3' } });
    d.spoken();
    d.send({ type: 'speech-start' });
    // The budget runs out mid-answer: the candidate may finish within the overrun grace…
    d.advance(45_000);
    expect(d.machine.snapshot(d.nowMs).phase).toBe('answering');
    // …and the interview ends when the sentence does.
    d.send({ type: 'speech-end', speechMs: 45_000 } as never);
    expect(types(d.advance(1))).toEqual(['answer-end', 'end']);
    expect(d.log.at(-1)).toEqual({ type: 'end', reason: 'time-up' });
  });

  it('an answer that never stops is cut at the overrun grace past the budget', () => {
    const d = new Driver({ timeBudgetMs: 60_000, overrunGraceMs: 10_000 });
    d.send({ type: 'start' });
    d.spoken();
    d.send({ type: 'speech-start' });
    const effects = d.advance(80_000);
    expect(types(effects)).toEqual(['answer-end', 'end']);
    expect(d.machine.elapsed(d.nowMs)).toBe(80_000);
    expect(effects[1]).toEqual({ type: 'end', reason: 'time-up' });
  });

  it('talking on after the pause never reopens the answer: listening while they talk, thinking again after, the decision stands', () => {
    const d = new Driver({ decisionTimeoutMs: 20_000 });
    d.send({ type: 'start' });
    d.spoken();
    d.speak(4000);
    const end = d.advance(DEFAULT_TURN_TAKING.answerEndPauseMs)[0];
    if (end?.type !== 'answer-end' || end.decisionId === null) throw new Error('expected decision');
    // "…and another thing": the screen says Viva listens, then that it is deciding again; nothing is reopened.
    expect(d.send({ type: 'speech-start' })).toEqual([{ type: 'listen', questionId: 'q1', reason: 'continued' }]);
    expect(d.advance(3000)).toEqual([]);
    expect(d.send({ type: 'speech-end', speechMs: 3000 } as never)).toEqual([{ type: 'thinking', questionId: 'q1' }]);
    expect(d.machine.snapshot(d.nowMs).phase).toBe('thinking');
    // The decision made for the answer is not stale: it is carried out.
    expect(d.send({ type: 'decision', decisionId: end.decisionId, followUp: 'Which part?' } as never)).toEqual([
      { type: 'ask', repeat: false, question: expect.objectContaining({ questionId: 'q1~f1', kind: 'follow-up' }) },
    ]);
    expect(d.log.filter((effect) => effect.type === 'answer-end')).toHaveLength(1);
    expect(d.machine.snapshot(d.nowMs).answered).toBe(1);
  });

  it('a slow LLM times out into the next planned question, even while the candidate keeps talking (bounded hold)', () => {
    const d = new Driver({ decisionTimeoutMs: 5_000, maxHoldForSpeechMs: 4_000 });
    d.send({ type: 'start' });
    d.spoken();
    d.speak(4000);
    const end = d.advance(DEFAULT_TURN_TAKING.answerEndPauseMs)[0];
    if (end?.type !== 'answer-end' || end.decisionId === null) throw new Error('expected decision');
    // The LLM never answers and the candidate talks on and on (a recording that keeps playing).
    expect(d.send({ type: 'speech-start' })).toEqual([{ type: 'listen', questionId: 'q1', reason: 'continued' }]);
    expect(d.advance(4_999)).toEqual([]);
    // Timed out while they talk: Viva waits for them to stop, at most the hold, then asks the next planned question.
    expect(d.advance(1)).toEqual([]);
    expect(d.advance(3_999)).toEqual([]);
    expect(d.advance(1)).toEqual([{ type: 'ask', repeat: false, question: expect.objectContaining({ questionId: 'q2', kind: 'planned' }) }]);
    // A late decision for q1 changes nothing.
    expect(d.send({ type: 'decision', decisionId: end.decisionId, followUp: 'Late?' } as never)).toEqual([]);
  });

  it('a decision made while the candidate talks is carried out the moment they stop', () => {
    const d = new Driver({ decisionTimeoutMs: 20_000 });
    d.send({ type: 'start' });
    d.spoken();
    d.speak(4000);
    const end = d.advance(DEFAULT_TURN_TAKING.answerEndPauseMs)[0];
    if (end?.type !== 'answer-end' || end.decisionId === null) throw new Error('expected decision');
    d.send({ type: 'speech-start' });
    expect(d.send({ type: 'decision', decisionId: end.decisionId, followUp: null } as never)).toEqual([]);
    d.advance(1500);
    expect(d.send({ type: 'speech-end', speechMs: 1500 } as never)).toEqual([
      { type: 'ask', repeat: false, question: expect.objectContaining({ questionId: 'q2' }) },
    ]);
  });

  it('a browser that never reports the end of speech is assumed done after twice the estimate plus slack', () => {
    const d = new Driver();
    d.send({ type: 'start' });
    const limit = 2 * estimateSpeakingMs(QUESTIONS[0]!.text) + DEFAULT_TURN_TAKING.speakingSlackMs;
    expect(d.advance(limit - 1)).toEqual([]);
    expect(d.advance(1)).toEqual([{ type: 'listen', questionId: 'q1', reason: 'spoken' }]);
  });

  it('estimates Chinese and English speaking time', () => {
    expect(estimateSpeakingMs('请介绍一下你设计过的一个系统。')).toBeGreaterThan(3500);
    expect(estimateSpeakingMs('Why this role?')).toBeLessThan(2000);
  });

  it('refuses configs that cannot work', () => {
    expect(() => resolveTurnTakingConfig({ timeBudgetMs: 0 })).toThrow(TurnTakingConfigError);
    expect(() => resolveTurnTakingConfig({ timeBudgetMs: 1000, answerEndPauseMs: 9000, thinkingPauseMs: 2000 })).toThrow(/thinkingPauseMs/);
    expect(() => resolveTurnTakingConfig({ timeBudgetMs: 1000, noAnswerTimeoutMs: Number.NaN })).toThrow(/noAnswerTimeoutMs/);
  });

  it('an empty plan ends at once', () => {
    const d = new Driver({}, []);
    expect(d.send({ type: 'start' })).toEqual([{ type: 'end', reason: 'completed' }]);
  });
});
