import type { AnalysisErrorEvent, Channel } from '../../protocol/schemas.ts';
import { createAnswerAnalyzer, type AnswerAnalyzerOptions } from '../analysis/answer-analyzer.ts';
import type { LlmProvider } from '../llm/provider.ts';
import type { Logger } from '../logger.ts';
import type { PromptLibrary } from '../prompts.ts';
import type { SessionEvent, SessionSubscriber } from '../session/events.ts';
import type { Session } from '../session/session.ts';

/** Options of the analysis subscriber. */
export interface AnalysisSubscriberDeps {
  llm: LlmProvider;
  prompts: PromptLibrary;
  logger: Logger;
  analyzerOptions?: Partial<AnswerAnalyzerOptions>;
}

/**
 * Analyses every `answer-final` (follow-ups streamed, then a validated score) and publishes the results as events. Keeps
 * its own conversation history from `transcript-final` and `question-asked`. After `session-end`, answers already heard
 * get the source's drain time (`session.source.analysisDrainMs`) to finish before their calls are cancelled.
 */
export function createAnalysisSubscriber(deps: AnalysisSubscriberDeps): (session: Session) => SessionSubscriber {
  return (session) => {
    const controller = new AbortController();
    const publish = (event: SessionEvent): void => session.events.publish(event);
    const analyzer = createAnswerAnalyzer({
      llm: deps.llm,
      prompts: deps.prompts,
      context: session.context,
      language: session.language,
      signal: controller.signal,
      options: { logger: { warn: (message: string) => deps.logger.warn(String(message)) }, ...deps.analyzerOptions },
      sink: {
        followupDelta: (event) => publish({ type: 'followup-delta', ...event }),
        followupEnd: (event) => publish({ type: 'followup-end', ...event }),
        scoreFinal: (event) => publish({ type: 'score-final', ...event }),
        analysisError: (event) => publish({ type: 'analysis-error', ...event }),
      },
    });
    /** The conversation so far, by turn id (insertion order = the order the turns were heard or asked). */
    const history = new Map<string, { channel: Channel; text: string }>();
    let finished: Promise<void> | undefined;

    const submit = (event: Extract<SessionEvent, { type: 'answer-final' }>): void => {
      const submitted = analyzer.submit({
        turnId: event.turnId,
        sessionId: session.id,
        text: event.text,
        startMs: event.startMs,
        endMs: event.endMs,
        segments: event.segments ?? [],
        history: [...history].filter(([turnId]) => turnId !== event.turnId).map(([, turn]) => turn),
        ...(event.question === undefined ? {} : { question: event.question }),
        ...(event.language === undefined ? {} : { language: event.language }),
      });
      if (!submitted.ok) {
        const error: AnalysisErrorEvent = { sessionId: session.id, turnId: event.turnId, code: submitted.error.code, message: submitted.error.message, retryable: false };
        publish({ type: 'analysis-error', ...error });
      }
    };

    const drain = async (): Promise<void> => {
      // Let the answers already heard finish (the interviewer usually stops right after the last answer), then cancel.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, session.source.analysisDrainMs);
        timer.unref();
      });
      await Promise.race([analyzer.idle(), timeout]);
      clearTimeout(timer);
      controller.abort();
    };

    return {
      name: 'analysis',
      handle(event) {
        if (event.type === 'transcript-final') history.set(event.turnId, { channel: event.channel, text: event.text });
        else if (event.type === 'question-asked') history.set(event.turnId, { channel: 'interviewer', text: event.text });
        else if (event.type === 'answer-final') submit(event);
        else if (event.type === 'session-end') finished = drain();
      },
      command(command) {
        if (command.type !== 'retry-analysis') return undefined;
        return analyzer.retry(command.turnId);
      },
      settled: () => finished ?? Promise.resolve(),
    };
  };
}
