import type { AnalysisErrorEvent, FollowUpEndEvent, ScoreFinalEvent } from '../../protocol/schemas.ts';
import type { SessionFeature } from '../app.ts';
import { createAnswerAnalyzer, type AnswerAnalyzer, type AnswerAnalyzerOptions } from '../analysis/answer-analyzer.ts';
import type { LlmClient } from '../llm/client.ts';
import type { Logger } from '../logger.ts';
import type { PromptLibrary } from '../prompts.ts';
import type { Session } from '../session/session.ts';

/** Receives the results of analysis that must outlive the screen (storage). */
export interface AnalysisRecorder {
  followupEnd(event: FollowUpEndEvent): void;
  scoreFinal(event: ScoreFinalEvent): void;
  analysisError(event: AnalysisErrorEvent): void;
}

/** Options of the analysis feature. */
export interface AnalysisFeatureDeps {
  llm: LlmClient;
  prompts: PromptLibrary;
  logger: Logger;
  recorder?: AnalysisRecorder;
  analyzerOptions?: Partial<AnswerAnalyzerOptions>;
  /** After session:stop, answers already heard get this long to finish analysis before their calls are cancelled. */
  drainAfterStopMs?: number;
}

interface SessionAnalysis {
  analyzer: AnswerAnalyzer;
  controller: AbortController;
  /** The interviewer's latest final turn: the question the candidate is answering. */
  lastQuestion: string | undefined;
}

/**
 * Analyses every final candidate turn (follow-ups streamed, then a validated score), with the interviewer's last turn (or
 * the next planned question) as the question. Results go to the session's clients and to the recorder.
 */
/** How a feature that runs the interview itself (automated interviews) tells analysis what was asked and what to skip. */
export interface TurnPolicy {
  /** The question the candidate answered in the turn starting at `startMs`, when known. */
  questionFor?(sessionId: string, turn: { startMs: number }): string | undefined;
  /** True for turns that must not be analysed (e.g. Viva's own voice picked up by the microphone). */
  skipTurn?(sessionId: string, turn: { startMs: number }): boolean;
}

export function createAnalysisFeature(
  deps: AnalysisFeatureDeps,
): SessionFeature & { settled(sessionId: string): Promise<void>; setTurnPolicy(policy: TurnPolicy): void } {
  const bySession = new Map<string, SessionAnalysis>();
  let policy: TurnPolicy = {};
  const finished = new Map<string, Promise<void>>();

  function plannedQuestion(session: Session): string | undefined {
    const planned = session.context.plannedQuestions ?? [];
    const asked = session.finals.filter((turn) => turn.channel === 'candidate').length;
    return planned[Math.min(asked, planned.length - 1)]?.text;
  }

  return {
    attach(session, emit) {
      const controller = new AbortController();
      const recorder = deps.recorder;
      const analyzer = createAnswerAnalyzer({
        llm: deps.llm,
        prompts: deps.prompts,
        context: session.context,
        language: session.language,
        signal: controller.signal,
        options: { logger: { warn: (message: string) => deps.logger.warn(String(message)) }, ...deps.analyzerOptions },
        sink: {
          followupDelta: (event) => emit('followup:delta', event),
          followupEnd: (event) => {
            recorder?.followupEnd(event);
            emit('followup:end', event);
          },
          scoreFinal: (event) => {
            recorder?.scoreFinal(event);
            emit('score:final', event);
          },
          analysisError: (event) => {
            recorder?.analysisError(event);
            emit('analysis:error', event);
          },
        },
      });
      const state: SessionAnalysis = { analyzer, controller, lastQuestion: undefined };
      bySession.set(session.id, state);

      return {
        onFinal(current, turn) {
          if (turn.channel === 'interviewer') {
            if (turn.text.trim() !== '') state.lastQuestion = turn.text;
            return;
          }
          if (policy.skipTurn?.(current.id, turn)) return;
          const history = current.finals.filter((final) => final.turnId !== turn.turnId).map((final) => ({ channel: final.channel, text: final.text }));
          const question = policy.questionFor?.(current.id, turn) ?? state.lastQuestion ?? plannedQuestion(current);
          const submitted = analyzer.submit({
            turnId: turn.turnId,
            sessionId: current.id,
            text: turn.text,
            startMs: turn.startMs,
            endMs: turn.endMs,
            segments: turn.segments ?? [],
            history,
            ...(question === undefined ? {} : { question }),
            ...(turn.language === undefined ? {} : { language: turn.language }),
          });
          if (!submitted.ok) {
            const event: AnalysisErrorEvent = {
              sessionId: current.id,
              turnId: turn.turnId,
              code: submitted.error.code,
              message: submitted.error.message,
              retryable: false,
            };
            recorder?.analysisError(event);
            emit('analysis:error', event);
          }
        },
        async onStop(current) {
          // Let the answers already heard finish (the interviewer usually stops right after the last answer), then cancel.
          const drainMs = deps.drainAfterStopMs ?? 30_000;
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, drainMs);
            timer.unref();
          });
          const done = Promise.race([analyzer.idle(), timeout]).then(() => {
            clearTimeout(timer);
            controller.abort();
            bySession.delete(current.id);
            finished.delete(current.id);
          });
          finished.set(current.id, done);
        },
      };
    },
    /** Installs the question/skip hooks of a feature that runs the interview itself. */
    setTurnPolicy(next) {
      policy = next;
    },
    /** Resolves once a stopped session's analyses have finished (or were cancelled after the drain time). */
    settled(sessionId) {
      return finished.get(sessionId) ?? Promise.resolve();
    },
    retryAnalysis(sessionId, turnId) {
      const state = bySession.get(sessionId);
      if (!state) return false;
      return state.analyzer.retry(turnId).ok;
    },
  };
}
