import type { SessionSubscriber } from '../session/events.ts';
import type { Session } from '../session/session.ts';

/**
 * Decides which turns of a co-pilot session are answers, and to which question: every final candidate turn, answering
 * the interviewer's latest turn, else the planned question at its position. Publishes `answer-final` for analysis.
 * (Automated sessions have their own: the interviewer knows what it asked; see server/automated/automated-subscriber.ts.)
 */
export function createCopilotAnswers(): (session: Session) => SessionSubscriber | undefined {
  return (session) => {
    if (session.context.mode === 'automated') return undefined;
    const planned = session.context.plannedQuestions ?? [];
    let lastQuestion: string | undefined;
    let answers = 0;
    return {
      name: 'copilot-answers',
      handle(event) {
        if (event.type !== 'transcript-final') return;
        if (event.channel === 'interviewer') {
          if (event.text.trim() !== '') lastQuestion = event.text;
          return;
        }
        answers++;
        const question = lastQuestion ?? planned[Math.min(answers, planned.length - 1)]?.text;
        const { type: _type, audio: _audio, finalLatencyMs: _latency, resumePoint: _resume, ...turn } = event;
        session.events.publish({ type: 'answer-final', ...turn, ...(question === undefined ? {} : { question }) });
      },
    };
  };
}
