/**
 * Turn-taking of an automated interview as a pure state machine: no timers, no I/O, the clock arrives with every input.
 * It decides when Viva speaks, when it listens, when an answer is over (VAD end of speech plus a pause long enough for
 * "um" and thinking), whether to ask for a follow-up decision, and when the time budget ends the interview.
 * The runner (interview-runner.ts) feeds it socket and VAD events, calls `tick` at `nextDeadlineMs()`, and carries out
 * the effects it returns.
 */
import { estimateSpeakingMs, type AskedQuestion, type AutomatedEndReason, type InterviewPhase } from '../../protocol/automated.ts';

export { estimateSpeakingMs };

/** Knobs of the turn-taking, all in milliseconds. */
export interface TurnTakingConfig {
  /** Whole interview, excluding time the candidate was disconnected. */
  timeBudgetMs: number;
  /** Silence after the candidate's speech that ends an answer once it has some substance. */
  answerEndPauseMs: number;
  /** Longer silence allowed while the answer is still short ("um… let me think"). */
  thinkingPauseMs: number;
  /** Answer speech below this counts as "still short" and gets `thinkingPauseMs`. */
  shortAnswerSpeechMs: number;
  /** Listening with no speech at all for this long: the question gets an empty answer and Viva moves on. */
  noAnswerTimeoutMs: number;
  /** An answer is cut after this long even if the candidate is still talking. */
  maxAnswerMs: number;
  /** After this many empty answers in a row the interview ends ('no-response'). */
  maxSilentAnswers: number;
  /** Follow-ups per planned question (the issue asks for one). */
  maxFollowUpsPerQuestion: number;
  /** No follow-up is considered when less than this remains. */
  minFollowUpRemainingMs: number;
  /** No new planned question is asked when less than this remains. */
  minQuestionRemainingMs: number;
  /** Past the budget, an answer in progress may run this much longer before the interview ends. */
  overrunGraceMs: number;
  /** The follow-up decision (LLM) gets this long; then Viva moves on. */
  decisionTimeoutMs: number;
  /** Decided while the candidate is still talking: Viva waits this long for them to stop before it asks anyway. */
  maxHoldForSpeechMs: number;
  /** Extra time on top of twice the estimated speaking time before a missing `speaking-end` is assumed. */
  speakingSlackMs: number;
  /** A candidate away longer than this ends the interview ('disconnected'). */
  reconnectGraceMs: number;
}

/** Defaults for a real interview (docs/automated.md explains each). */
export const DEFAULT_TURN_TAKING: Readonly<Omit<TurnTakingConfig, 'timeBudgetMs'>> = Object.freeze({
  answerEndPauseMs: 2_500,
  thinkingPauseMs: 6_000,
  shortAnswerSpeechMs: 3_000,
  noAnswerTimeoutMs: 20_000,
  maxAnswerMs: 240_000,
  maxSilentAnswers: 3,
  maxFollowUpsPerQuestion: 1,
  minFollowUpRemainingMs: 60_000,
  minQuestionRemainingMs: 30_000,
  overrunGraceMs: 30_000,
  decisionTimeoutMs: 12_000,
  maxHoldForSpeechMs: 8_000,
  speakingSlackMs: 5_000,
  reconnectGraceMs: 60_000,
});

/** Thrown for a config value that cannot work. */
export class TurnTakingConfigError extends RangeError {
  override name = 'TurnTakingConfigError';
}

/** Checks and completes a config; bad values throw instead of being clamped silently. */
export function resolveTurnTakingConfig(config: Partial<TurnTakingConfig> & { timeBudgetMs: number }): TurnTakingConfig {
  const resolved: TurnTakingConfig = { ...DEFAULT_TURN_TAKING, ...config };
  for (const [key, value] of Object.entries(resolved)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TurnTakingConfigError(`${key} must be a finite number >= 0 (got ${String(value)})`);
  }
  if (resolved.timeBudgetMs <= 0) throw new TurnTakingConfigError('timeBudgetMs must be > 0');
  if (resolved.answerEndPauseMs > resolved.thinkingPauseMs) {
    throw new TurnTakingConfigError(`answerEndPauseMs (${resolved.answerEndPauseMs}) must not exceed thinkingPauseMs (${resolved.thinkingPauseMs})`);
  }
  if (resolved.maxSilentAnswers < 1) throw new TurnTakingConfigError('maxSilentAnswers must be >= 1');
  return resolved;
}


/** What the machine is told. Times: `nowMs` is wall clock; speech durations are audio milliseconds. */
export type TurnInput =
  | { type: 'start'; nowMs: number }
  | { type: 'speaking-end'; nowMs: number; questionId: string; reason: 'finished' | 'barge-in' | 'no-voice' | 'error' }
  | { type: 'speech-start'; nowMs: number }
  /** `speechMs` of the closed segment; `echo` when it lay mostly inside Viva's own speech (not counted as answer). */
  | { type: 'speech-end'; nowMs: number; speechMs: number; echo?: boolean }
  | { type: 'tick'; nowMs: number }
  /** The follow-up decision for the answer-end effect with the same `decisionId`; null moves on. */
  | { type: 'decision'; nowMs: number; decisionId: number; followUp: string | null }
  | { type: 'disconnect'; nowMs: number }
  | { type: 'reconnect'; nowMs: number }
  | { type: 'stop'; nowMs: number };

/** One finished answer as the machine saw it. */
export interface AnswerSummary {
  questionId: string;
  /** Audio ms of speech counted as answer (echo excluded). */
  speechMs: number;
  empty: boolean;
  /** Why it ended. */
  endedBy: 'pause' | 'no-answer' | 'max-answer' | 'time-up';
}

/** What the runner must do. */
export type TurnEffect =
  /** Send `interview:question` (a repeat after a reconnect carries the same id). */
  | { type: 'ask'; question: AskedQuestion; repeat: boolean }
  /** Send `interview:listening`; with 'barge-in' the browser must stop speaking; 'continued': talking on while Viva decides. */
  | { type: 'listen'; questionId: string; reason: 'spoken' | 'barge-in' | 'resumed' | 'continued' }
  /** Send `interview:thinking` again: the candidate stopped talking and Viva is still deciding. */
  | { type: 'thinking'; questionId: string }
  /** The answer is over; with `decisionId` the runner asks the LLM and feeds back a `decision` with that id. */
  | { type: 'answer-end'; answer: AnswerSummary; decisionId: number | null; question: AskedQuestion }
  | { type: 'end'; reason: AutomatedEndReason };

interface Current {
  question: AskedQuestion;
  /** 0-based planned question this belongs to. */
  plannedIndex: number;
  followUpsAsked: number;
}

type ActivePhase = Exclude<InterviewPhase, 'paused'>;

/** Everything the machine holds; exposed read-only for the runner and tests. */
export interface TurnTakingSnapshot {
  phase: InterviewPhase;
  question: AskedQuestion | null;
  elapsedMs: number;
  questionsAsked: number;
  answered: number;
  silentInARow: number;
  endReason: AutomatedEndReason | null;
}

/**
 * The turn-taking state machine. `handle` returns the effects of one input, in order. Inputs that do not apply to the
 * current phase (a late `speaking-end`, a stale decision) are ignored, so replays and races are harmless.
 */
export class TurnTaking {
  private phase: InterviewPhase = 'waiting';
  private pausedPhase: ActivePhase = 'waiting';
  private current: Current | null = null;
  private startedAtMs: number | null = null;
  private pausedAtMs: number | null = null;
  private pausedTotalMs = 0;
  private phaseSinceMs = 0;
  private speakingDeadlineMs = 0;
  private decisionDeadlineMs = 0;
  /** A decision that arrived while the candidate was away, applied on reconnect. */
  private pendingDecision: { decisionId: number; followUp: string | null } | null = null;
  /** The decision is made but the candidate is still talking: Viva asks when they stop, at the latest at `untilMs`. */
  private heldDecision: { followUp: string | null; untilMs: number } | null = null;
  private candidateSpeaking = false;
  private answerStartedAtMs = 0;
  private answerSpeechMs = 0;
  private lastSpeechEndAtMs: number | null = null;
  private questionsAsked = 0;
  private answered = 0;
  private silentInARow = 0;
  /** Id of the decision awaited in 'thinking'; bumped when it goes stale. */
  private decisionId = 0;
  private endReason: AutomatedEndReason | null = null;

  constructor(
    private readonly questions: readonly { id: string; text: string }[],
    readonly config: TurnTakingConfig,
  ) {}

  /** Current state for acks, logs and tests. */
  snapshot(nowMs: number): TurnTakingSnapshot {
    return {
      phase: this.phase,
      question: this.current?.question ?? null,
      elapsedMs: this.elapsed(nowMs),
      questionsAsked: this.questionsAsked,
      answered: this.answered,
      silentInARow: this.silentInARow,
      endReason: this.endReason,
    };
  }

  /** Interview time used so far (disconnected time excluded). */
  elapsed(nowMs: number): number {
    if (this.startedAtMs === null) return 0;
    const pausedNow = this.pausedAtMs === null ? 0 : nowMs - this.pausedAtMs;
    return Math.max(0, nowMs - this.startedAtMs - this.pausedTotalMs - pausedNow);
  }

  /** When the runner must call `tick` next (wall clock), or null when nothing is pending. */
  nextDeadlineMs(): number | null {
    const deadlines: number[] = [];
    const budgetAt = (extra: number) => (this.startedAtMs ?? 0) + this.pausedTotalMs + this.config.timeBudgetMs + extra;
    switch (this.phase) {
      case 'speaking':
        deadlines.push(this.speakingDeadlineMs, budgetAt(0));
        break;
      case 'listening':
        deadlines.push(this.phaseSinceMs + this.config.noAnswerTimeoutMs, budgetAt(0));
        break;
      case 'answering':
        deadlines.push(this.answerStartedAtMs + this.config.maxAnswerMs, budgetAt(this.config.overrunGraceMs));
        if (!this.candidateSpeaking && this.lastSpeechEndAtMs !== null) deadlines.push(this.lastSpeechEndAtMs + this.pauseNeeded());
        if (!this.candidateSpeaking) deadlines.push(budgetAt(0));
        if (!this.candidateSpeaking && this.lastSpeechEndAtMs === null) deadlines.push(this.answerStartedAtMs + this.config.noAnswerTimeoutMs);
        break;
      case 'thinking':
        deadlines.push(this.heldDecision ? this.heldDecision.untilMs : this.decisionDeadlineMs);
        break;
      case 'paused':
        if (this.pausedAtMs !== null) deadlines.push(this.pausedAtMs + this.config.reconnectGraceMs);
        break;
      default:
        return null;
    }
    return Math.min(...deadlines);
  }

  /** Applies one input and returns what to do. */
  handle(input: TurnInput): TurnEffect[] {
    if (this.phase === 'ended') return [];
    const now = input.nowMs;
    switch (input.type) {
      case 'start':
        if (this.phase !== 'waiting' || this.startedAtMs !== null) return [];
        this.startedAtMs = now;
        return this.askPlanned(0, now);
      case 'stop':
        return this.end('stopped');
      case 'disconnect':
        return this.onDisconnect(now);
      case 'reconnect':
        return this.onReconnect(now);
      case 'speaking-end':
        return this.onSpeakingEnd(input.questionId, input.reason, now);
      case 'speech-start':
        return this.onSpeechStart(now);
      case 'speech-end':
        return this.onSpeechEnd(input.speechMs, input.echo === true, now);
      case 'decision':
        return this.onDecision(input.decisionId, input.followUp, now);
      case 'tick':
        return this.onTick(now);
    }
  }

  private remaining(nowMs: number): number {
    return this.config.timeBudgetMs - this.elapsed(nowMs);
  }

  private pauseNeeded(): number {
    return this.answerSpeechMs < this.config.shortAnswerSpeechMs ? this.config.thinkingPauseMs : this.config.answerEndPauseMs;
  }

  private setPhase(phase: InterviewPhase, nowMs: number): void {
    this.phase = phase;
    this.phaseSinceMs = nowMs;
  }

  private askPlanned(plannedIndex: number, nowMs: number): TurnEffect[] {
    const planned = this.questions[plannedIndex];
    if (!planned) return this.end('completed');
    if (plannedIndex > 0 && this.remaining(nowMs) < this.config.minQuestionRemainingMs) return this.end('time-up');
    const question: AskedQuestion = {
      questionId: planned.id,
      text: planned.text,
      kind: 'planned',
      index: plannedIndex + 1,
      total: this.questions.length,
    };
    this.current = { question, plannedIndex, followUpsAsked: 0 };
    return this.ask(question, false, nowMs);
  }

  private ask(question: AskedQuestion, repeat: boolean, nowMs: number): TurnEffect[] {
    if (!repeat) this.questionsAsked++;
    this.heldDecision = null;
    this.resetAnswer(nowMs);
    this.setPhase('speaking', nowMs);
    this.speakingDeadlineMs = nowMs + 2 * estimateSpeakingMs(question.text) + this.config.speakingSlackMs;
    return [{ type: 'ask', question, repeat }];
  }

  private resetAnswer(nowMs: number): void {
    this.answerStartedAtMs = nowMs;
    this.answerSpeechMs = 0;
    this.lastSpeechEndAtMs = null;
  }

  private onSpeakingEnd(questionId: string, reason: 'finished' | 'barge-in' | 'no-voice' | 'error', nowMs: number): TurnEffect[] {
    if (this.phase !== 'speaking' || this.current?.question.questionId !== questionId) return [];
    if (reason === 'barge-in' || this.candidateSpeaking) return this.startAnswer(nowMs, 'barge-in');
    this.setPhase('listening', nowMs);
    return [{ type: 'listen', questionId, reason: 'spoken' }];
  }

  private startAnswer(nowMs: number, reason: 'barge-in' | null): TurnEffect[] {
    this.setPhase('answering', nowMs);
    this.answerStartedAtMs = nowMs;
    return reason && this.current ? [{ type: 'listen', questionId: this.current.question.questionId, reason }] : [];
  }

  private onSpeechStart(nowMs: number): TurnEffect[] {
    this.candidateSpeaking = true;
    switch (this.phase) {
      case 'speaking':
        // Barge-in: the candidate talks over Viva. Viva stops and listens; the question text stays on screen.
        return this.startAnswer(nowMs, 'barge-in');
      case 'listening':
        return this.startAnswer(nowMs, null);
      case 'thinking':
        // The candidate goes on after the pause. The answer stays closed — reopening it let every slow decision go stale
        // and one question ran to the longest answer — but the words are kept with this question, and the screen says
        // that Viva listens (never "one moment" over the candidate's voice). The decision goes on.
        return this.current ? [{ type: 'listen', questionId: this.current.question.questionId, reason: 'continued' }] : [];
      default:
        return [];
    }
  }

  private onSpeechEnd(speechMs: number, echo: boolean, nowMs: number): TurnEffect[] {
    this.candidateSpeaking = false;
    if (this.phase === 'thinking' && this.current) {
      const held = this.heldDecision;
      if (held) return this.afterDecision(held.followUp, nowMs);
      return [{ type: 'thinking', questionId: this.current.question.questionId }];
    }
    // A segment may close after the connection dropped (its frames were resent): it still belongs to the answer.
    const answering = this.phase === 'answering' || (this.phase === 'paused' && this.pausedPhase === 'answering');
    if (!answering) return [];
    if (!echo) this.answerSpeechMs += Math.max(0, speechMs);
    this.lastSpeechEndAtMs = nowMs;
    return [];
  }

  private onTick(nowMs: number): TurnEffect[] {
    const overBudget = this.remaining(nowMs) <= 0;
    switch (this.phase) {
      case 'speaking':
        if (overBudget) return this.end('time-up');
        if (nowMs >= this.speakingDeadlineMs && this.current) return this.onSpeakingEnd(this.current.question.questionId, 'no-voice', nowMs);
        return [];
      case 'listening':
        if (overBudget) return this.finishAnswer('time-up', nowMs);
        if (nowMs >= this.phaseSinceMs + this.config.noAnswerTimeoutMs) return this.finishAnswer('no-answer', nowMs);
        return [];
      case 'answering': {
        if (this.remaining(nowMs) <= -this.config.overrunGraceMs) return this.finishAnswer('time-up', nowMs);
        if (nowMs >= this.answerStartedAtMs + this.config.maxAnswerMs) return this.finishAnswer('max-answer', nowMs);
        if (this.candidateSpeaking) return [];
        if (overBudget) return this.finishAnswer('time-up', nowMs);
        if (this.lastSpeechEndAtMs !== null && nowMs >= this.lastSpeechEndAtMs + this.pauseNeeded()) return this.finishAnswer('pause', nowMs);
        // Speech that started but was all echo and then nothing: treat like listening with no answer.
        if (this.lastSpeechEndAtMs === null && nowMs >= this.answerStartedAtMs + this.config.noAnswerTimeoutMs) return this.finishAnswer('no-answer', nowMs);
        return [];
      }
      case 'thinking':
        if (this.heldDecision) return nowMs >= this.heldDecision.untilMs ? this.afterDecision(this.heldDecision.followUp, nowMs) : [];
        if (nowMs >= this.decisionDeadlineMs) return this.onDecision(this.decisionId, null, nowMs, true);
        return [];
      case 'paused':
        if (this.pausedAtMs !== null && nowMs >= this.pausedAtMs + this.config.reconnectGraceMs) return this.end('disconnected');
        return [];
      default:
        return [];
    }
  }

  private finishAnswer(endedBy: AnswerSummary['endedBy'], nowMs: number): TurnEffect[] {
    const current = this.current;
    if (!current) return this.end('completed');
    const empty = this.answerSpeechMs <= 0;
    const answer: AnswerSummary = { questionId: current.question.questionId, speechMs: this.answerSpeechMs, empty, endedBy };
    this.candidateSpeaking = false;
    if (empty) this.silentInARow++;
    else {
      this.silentInARow = 0;
      this.answered++;
    }
    if (endedBy === 'time-up') return [{ type: 'answer-end', answer, decisionId: null, question: current.question }, ...this.end('time-up')];
    if (this.silentInARow >= this.config.maxSilentAnswers) {
      return [{ type: 'answer-end', answer, decisionId: null, question: current.question }, ...this.end('no-response')];
    }
    const canFollowUp =
      !empty &&
      current.question.kind === 'planned' &&
      current.followUpsAsked < this.config.maxFollowUpsPerQuestion &&
      this.remaining(nowMs) >= this.config.minFollowUpRemainingMs;
    if (canFollowUp) {
      this.setPhase('thinking', nowMs);
      this.decisionDeadlineMs = nowMs + this.config.decisionTimeoutMs;
      this.decisionId++;
      return [{ type: 'answer-end', answer, decisionId: this.decisionId, question: current.question }];
    }
    return [{ type: 'answer-end', answer, decisionId: null, question: current.question }, ...this.askPlanned(current.plannedIndex + 1, nowMs)];
  }

  private onDecision(decisionId: number, followUp: string | null, nowMs: number, timedOut = false): TurnEffect[] {
    if (decisionId !== this.decisionId) return [];
    if (this.phase === 'paused' && this.pausedPhase === 'thinking') {
      this.pendingDecision = { decisionId, followUp };
      return [];
    }
    if (this.phase !== 'thinking' || !this.current || this.heldDecision) return [];
    const text = timedOut ? null : followUp?.trim() || null;
    if (this.candidateSpeaking) {
      // Do not talk over the candidate: ask when they stop, but not later than the hold allows.
      this.heldDecision = { followUp: text, untilMs: nowMs + this.config.maxHoldForSpeechMs };
      return [];
    }
    return this.afterDecision(text, nowMs);
  }

  /** Carries out a decision: the follow-up when there is one and time for it, else the next planned question. */
  private afterDecision(text: string | null, nowMs: number): TurnEffect[] {
    this.heldDecision = null;
    const current = this.current;
    if (!current) return this.end('completed');
    if (text && this.remaining(nowMs) >= this.config.minFollowUpRemainingMs) {
      current.followUpsAsked++;
      const question: AskedQuestion = {
        questionId: `${current.question.questionId}~f${current.followUpsAsked}`,
        text: text.slice(0, 2000),
        kind: 'follow-up',
        index: current.plannedIndex + 1,
        total: this.questions.length,
      };
      this.current = { question, plannedIndex: current.plannedIndex, followUpsAsked: current.followUpsAsked };
      return this.ask(question, false, nowMs);
    }
    return this.askPlanned(current.plannedIndex + 1, nowMs);
  }

  private onDisconnect(nowMs: number): TurnEffect[] {
    if (this.phase === 'paused') return [];
    this.pausedPhase = this.phase as ActivePhase;
    this.pausedAtMs = nowMs;
    this.candidateSpeaking = false;
    this.setPhase('paused', nowMs);
    return [];
  }

  private onReconnect(nowMs: number): TurnEffect[] {
    if (this.phase !== 'paused' || this.pausedAtMs === null) return [];
    const awayMs = nowMs - this.pausedAtMs;
    this.pausedTotalMs += awayMs;
    this.pausedAtMs = null;
    const previous = this.pausedPhase;
    const current = this.current;
    switch (previous) {
      case 'waiting':
        this.setPhase('waiting', nowMs);
        return [];
      case 'speaking':
      case 'listening':
        // The candidate may not have heard the question whole (or reloaded the page): ask it again, same id.
        if (!current) return this.end('completed');
        return this.ask(current.question, true, nowMs);
      case 'thinking': {
        this.setPhase('thinking', nowMs);
        this.decisionDeadlineMs += awayMs;
        const pending = this.pendingDecision;
        this.pendingDecision = null;
        if (this.heldDecision) return this.afterDecision(this.heldDecision.followUp, nowMs);
        return pending ? this.onDecision(pending.decisionId, pending.followUp, nowMs) : [];
      }
      default:
        break;
    }
    // Answering: the answer goes on; the silence while away does not end it.
    this.setPhase('answering', nowMs);
    this.answerStartedAtMs += awayMs;
    if (this.lastSpeechEndAtMs !== null) this.lastSpeechEndAtMs = nowMs;
    return current ? [{ type: 'listen', questionId: current.question.questionId, reason: 'resumed' }] : [];
  }

  private end(reason: AutomatedEndReason): TurnEffect[] {
    this.heldDecision = null;
    this.phase = 'ended';
    this.endReason = reason;
    this.candidateSpeaking = false;
    return [{ type: 'end', reason }];
  }
}
