/**
 * Runs one automated interview on a live session: feeds the turn-taking machine with VAD events, the browser's speaking
 * reports and the candidate's presence; carries out its effects (questions, listening, follow-up decisions, the end);
 * marks candidate speech heard while Viva was speaking; and records Viva's questions as interviewer turns.
 */
import type {
  AskedQuestion,
  AutomatedEndReason,
  AutomatedLanguage,
  InterviewEndEvent,
  InterviewListeningEvent,
  InterviewQuestionEvent,
  InterviewReadyResult,
  InterviewThinkingEvent,
} from '../../protocol/automated.ts';
import type { TranscriptEvent } from '../../protocol/schemas.ts';
import type { Logger } from '../logger.ts';
import type { FollowUpDecider } from './follow-up-decider.ts';
import { TurnTaking, type TurnEffect, type TurnInput, type TurnTakingConfig } from './turn-taking.ts';
import { classifySegment, type SpeakingInterval } from './echo-marking.ts';

/** Where the runner's outputs go (socket emits, storage); the feature wires them. */
export interface RunnerSink {
  question(event: InterviewQuestionEvent): void;
  listening(event: InterviewListeningEvent): void;
  thinking(event: InterviewThinkingEvent): void;
  end(event: InterviewEndEvent): void;
  /** A timeline event to keep. */
  record(type: string, data: Record<string, unknown>): void;
  /** Viva's question as an interviewer turn on the candidate channel's audio timeline. */
  saveQuestionTurn(turn: { turnId: string; text: string; startMs: number; endMs: number }): void;
  /** The interview is over (after the end event): stop the session once the browser had a chance to flush. */
  finished(reason: AutomatedEndReason): void;
}

/** What a runner needs. */
export interface RunnerOptions {
  sessionId: string;
  language: AutomatedLanguage;
  questions: readonly { id: string; text: string }[];
  config: TurnTakingConfig;
  role?: string | null;
  jobDescription?: string | null;
  decider: FollowUpDecider;
  sink: RunnerSink;
  logger: Logger;
  /** Aborted when the session stops: cancels a decision in flight. */
  signal: AbortSignal;
  /** Longest wait for the finals of an answer's last segments before deciding (default 4000 ms). */
  finalWaitMs?: number;
  /** Audio received so far on the candidate channel (ms), ahead of what the VAD has processed when it lags. */
  receivedMs?: () => number;
  now?: () => number;
}

interface Segment {
  startMs: number;
  questionId: string;
  endMs?: number;
  echo?: boolean;
  bargeIn: boolean;
  final?: TranscriptEvent;
}

/** One automated interview's live driver. */
export class InterviewRunner {
  private readonly machine: TurnTaking;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private ended = false;
  /** Audio position of the candidate channel (ms), from the session's progress. */
  private audioPositionMs = 0;
  private readonly speaking: (SpeakingInterval & { questionId: string })[] = [];
  /** Candidate segments by their start (ms), which is also their final's `startMs`. */
  private readonly segments = new Map<number, Segment>();
  private readonly questionTurns = new Map<string, { turnId: string; text: string; startMs: number; endMs: number }>();
  private readonly waiters = new Set<() => void>();
  private openSegmentStartMs: number | null = null;
  /** The follow-up decision in flight: aborted once the interview moved on without it (its answer would be ignored). */
  private decision: AbortController | null = null;

  constructor(private readonly options: RunnerOptions) {
    this.machine = new TurnTaking(options.questions, options.config);
    this.now = options.now ?? Date.now;
    options.signal.addEventListener('abort', () => this.dispose(), { once: true });
  }

  /** True once the interview ended. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** The candidate is ready (first time: start; later: a reconnect, so resend where things stand). */
  ready(): InterviewReadyResult {
    const nowMs = this.now();
    if (!this.ended) {
      if (!this.started) {
        this.started = true;
        this.options.sink.record('started', {});
        this.apply({ type: 'start', nowMs });
      } else {
        const phase = this.machine.snapshot(nowMs).phase;
        // A new connection may arrive before the old one's disconnect is noticed: treat it as a zero-length absence.
        if (phase !== 'paused') this.apply({ type: 'disconnect', nowMs });
        this.options.sink.record('reconnected', {});
        this.apply({ type: 'reconnect', nowMs });
      }
    }
    const snapshot = this.machine.snapshot(this.now());
    return { phase: snapshot.phase, question: snapshot.question, elapsedMs: snapshot.elapsedMs, timeBudgetMs: this.options.config.timeBudgetMs };
  }

  /** No candidate connection is left. */
  disconnected(): void {
    if (!this.started || this.ended) return;
    this.options.sink.record('disconnected', {});
    this.apply({ type: 'disconnect', nowMs: this.now() });
  }

  /** The recruiter or server stops the interview. */
  stop(): void {
    this.apply({ type: 'stop', nowMs: this.now() });
  }

  /** Candidate channel progress (samples processed, as ms). */
  progress(audioMs: number): void {
    this.audioPositionMs = audioMs;
  }

  /** Where the candidate's audio stands now: what arrived, even if the VAD has not processed it yet. */
  private position(): number {
    return Math.max(this.audioPositionMs, this.options.receivedMs?.() ?? 0);
  }

  /** The browser started speaking a question. */
  speakingStart(questionId: string, audioMs: number): void {
    if (this.ended) return;
    this.speaking.push({ questionId, startMs: audioMs, endMs: null });
    this.options.sink.record('speaking-start', { questionId, audioMs });
    const turn = this.questionTurns.get(questionId);
    if (turn && turn.endMs === turn.startMs) this.updateQuestionTurn(questionId, { startMs: audioMs, endMs: audioMs });
  }

  /** The browser stopped speaking (finished, barge-in, or could not speak). */
  speakingEnd(questionId: string, audioMs: number, reason: 'finished' | 'barge-in' | 'no-voice' | 'error'): void {
    if (this.ended) return;
    const open = this.speaking.findLast((interval) => interval.questionId === questionId && interval.endMs === null);
    if (open) open.endMs = Math.max(open.startMs, audioMs);
    this.options.sink.record('speaking-end', { questionId, audioMs, reason });
    const turn = this.questionTurns.get(questionId);
    if (turn) this.updateQuestionTurn(questionId, { startMs: turn.startMs, endMs: Math.max(turn.startMs, audioMs) });
    this.apply({ type: 'speaking-end', nowMs: this.now(), questionId, reason });
  }

  /** VAD: candidate speech confirmed (atMs = the segment's start on the audio timeline). */
  speechStart(atMs: number): void {
    if (this.ended) return;
    const snapshot = this.machine.snapshot(this.now());
    const questionId = snapshot.question?.questionId ?? 'none';
    const bargeIn = snapshot.phase === 'speaking';
    this.segments.set(atMs, { startMs: atMs, questionId, bargeIn });
    this.openSegmentStartMs = atMs;
    if (bargeIn) this.options.sink.record('barge-in', { questionId, audioMs: atMs });
    this.apply({ type: 'speech-start', nowMs: this.now() });
  }

  /** VAD: candidate speech ended (atMs = the segment's end). */
  speechEnd(atMs: number): void {
    if (this.ended) return;
    const startMs = this.openSegmentStartMs;
    this.openSegmentStartMs = null;
    const segment = startMs === null ? undefined : this.segments.get(startMs);
    let echo = false;
    let speechMs = 0;
    if (segment && startMs !== null) {
      segment.endMs = atMs;
      echo = classifySegment({ startMs, endMs: atMs }, this.speaking, this.position()).echo;
      segment.echo = echo;
      speechMs = atMs - startMs;
      this.options.sink.record('segment', { questionId: segment.questionId, startMs, endMs: atMs, echo, bargeIn: segment.bargeIn });
    }
    this.apply({ type: 'speech-end', nowMs: this.now(), speechMs, echo });
  }

  /** A final candidate transcript (matched to its segment by start time). */
  final(turn: TranscriptEvent): void {
    const segment = this.segments.get(turn.startMs);
    if (segment) segment.final = turn;
    for (const resolve of this.waiters) resolve();
  }

  /** The question a candidate turn answers (for analysis), by the segment's start. */
  questionFor(startMs: number): string | undefined {
    const segment = this.segments.get(startMs);
    if (!segment) return this.machine.snapshot(this.now()).question?.text;
    return this.questionTurns.get(segment.questionId)?.text;
  }

  /** True when the turn starting at `startMs` was judged to be Viva's own voice (not scored as an answer). */
  isEcho(startMs: number): boolean {
    return this.segments.get(startMs)?.echo === true;
  }

  /** Stops the timer (session stopped). */
  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const resolve of this.waiters) resolve();
  }

  private apply(input: TurnInput): void {
    if (this.ended) return;
    const effects = this.machine.handle(input);
    for (const effect of effects) this.carryOut(effect);
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.ended || this.options.signal.aborted) return;
    const deadline = this.machine.nextDeadlineMs();
    if (deadline === null) return;
    this.timer = setTimeout(() => this.apply({ type: 'tick', nowMs: this.now() }), Math.max(0, deadline - this.now()) + 5);
    this.timer.unref();
  }

  private carryOut(effect: TurnEffect): void {
    const { sink, sessionId } = this.options;
    const nowMs = this.now();
    switch (effect.type) {
      case 'ask': {
        this.abandonDecision();
        const snapshot = this.machine.snapshot(nowMs);
        if (!effect.repeat) this.saveQuestion(effect.question);
        sink.record('question', { ...effect.question, repeat: effect.repeat, audioMs: this.position() });
        sink.question({
          sessionId,
          ...effect.question,
          language: this.options.language,
          elapsedMs: snapshot.elapsedMs,
          timeBudgetMs: this.options.config.timeBudgetMs,
        });
        return;
      }
      case 'listen':
        sink.record('status', { status: 'listening', questionId: effect.questionId, reason: effect.reason });
        sink.listening({ sessionId, questionId: effect.questionId, reason: effect.reason });
        return;
      case 'thinking':
        sink.record('status', { status: 'thinking', questionId: effect.questionId });
        sink.thinking({ sessionId, questionId: effect.questionId, maxWaitMs: this.options.config.decisionTimeoutMs });
        return;
      case 'answer-end':
        sink.record('answer-end', { ...effect.answer, decide: effect.decisionId !== null });
        if (effect.decisionId !== null) {
          sink.record('status', { status: 'thinking', questionId: effect.question.questionId });
          sink.thinking({ sessionId, questionId: effect.question.questionId, maxWaitMs: this.options.config.decisionTimeoutMs });
          void this.decide(effect.question, effect.decisionId);
        }
        return;
      case 'end': {
        this.abandonDecision();
        this.ended = true;
        clearTimeout(this.timer);
        const snapshot = this.machine.snapshot(nowMs);
        sink.record('ended', { reason: effect.reason, questionsAsked: snapshot.questionsAsked, answered: snapshot.answered, elapsedMs: snapshot.elapsedMs });
        sink.end({ sessionId, reason: effect.reason, questionsAsked: snapshot.questionsAsked, answered: snapshot.answered });
        sink.finished(effect.reason);
        return;
      }
    }
  }

  /** A decision still running when Viva asks the next question (it timed out) would only hold the LLM up: cancel it. */
  private abandonDecision(): void {
    this.decision?.abort();
    this.decision = null;
  }

  private saveQuestion(question: AskedQuestion): void {
    const turnId = `viva-${question.questionId.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    const atMs = this.position();
    const turn = { turnId, text: question.text, startMs: atMs, endMs: atMs };
    this.questionTurns.set(question.questionId, turn);
    this.options.sink.saveQuestionTurn(turn);
  }

  private updateQuestionTurn(questionId: string, times: { startMs: number; endMs: number }): void {
    const turn = this.questionTurns.get(questionId);
    if (!turn) return;
    const next = { ...turn, ...times };
    this.questionTurns.set(questionId, next);
    this.options.sink.saveQuestionTurn(next);
  }

  /** Waits (bounded) for the finals of the question's segments, then asks the decider and feeds the machine. */
  private async decide(question: AskedQuestion, decisionId: number): Promise<void> {
    const controller = new AbortController();
    this.decision = controller;
    const signal = AbortSignal.any([this.options.signal, controller.signal]);
    const deadline = this.now() + (this.options.finalWaitMs ?? 4_000);
    const mine = () => [...this.segments.values()].filter((segment) => segment.questionId === question.questionId && segment.echo !== true);
    while (mine().some((segment) => segment.endMs !== undefined && !segment.final) && this.now() < deadline && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(1, deadline - this.now()));
        timer.unref();
        const waiters = this.waiters;
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
    if (signal.aborted || this.ended) return;
    const answer = mine()
      .sort((a, b) => a.startMs - b.startMs)
      .map((segment) => segment.final?.text.trim() ?? '')
      .filter((text) => text !== '')
      .join(' ');
    const decision = await this.options.decider.decide({
      language: this.options.language,
      question: question.text,
      answer,
      role: this.options.role ?? null,
      jobDescription: this.options.jobDescription ?? null,
      signal,
    });
    if (this.decision === controller) this.decision = null;
    this.options.sink.record('decision', {
      questionId: question.questionId,
      followUp: decision.followUp,
      gap: decision.gap,
      source: decision.source,
      ...(decision.error ? { error: controller.signal.aborted ? 'too late: the interview had moved on' : decision.error } : {}),
    });
    if (decision.source === 'fallback' && decision.error) this.options.logger.warn(`automated ${this.options.sessionId}: follow-up decision fell back to moving on: ${decision.error}`);
    this.apply({ type: 'decision', nowMs: this.now(), decisionId, followUp: decision.followUp });
  }
}
