import type { Channel } from '../../protocol/schemas.ts';
import type { AnalysisJobs, AnswerJob } from '../analysis/analysis-jobs.ts';
import type { SessionEvent, SessionEventOf, SessionSubscriber } from '../session/events.ts';
import type { Session } from '../session/session.ts';

/**
 * Hands a session's answers to the process's analysis jobs (server/analysis/analysis-jobs.ts) and publishes their results
 * as the session's events: every `answer-final` becomes a durable job (scored even after the stop), an `answer-update`
 * refreshes live follow-ups, and interviewer turns mark older follow-ups stale. Keeps the conversation history the
 * prompts need from `transcript-final` and `question-asked`. A recording's session settles once its answers are analysed;
 * a live one settles at once (its jobs go on without it).
 */
export function createAnalysisSubscriber(jobs: AnalysisJobs): (session: Session) => SessionSubscriber {
  return (session) => {
    const publish = (event: SessionEvent): void => session.events.publish(event);
    const followUps = session.source.followUps;
    jobs.attach(session.id, {
      context: session.context,
      language: session.language,
      followUps,
      sink: {
        followupDelta: (event) => publish({ type: 'followup-delta', ...event }),
        followupEnd: (event) => publish({ type: 'followup-end', ...event }),
        scoreFinal: (event) => publish({ type: 'score-final', ...event }),
        analysisError: (event) => publish({ type: 'analysis-error', ...event }),
        progress: (progress) => publish({ type: 'analysis-progress', sessionId: session.id, ...progress }),
      },
    });
    /** The conversation so far, by turn id (insertion order = the order the turns were heard or asked). */
    const history = new Map<string, { channel: Channel; text: string }>();
    let finished: Promise<void> | undefined;

    const answerJob = (event: SessionEventOf<'answer-final'> | SessionEventOf<'answer-update'>): AnswerJob => {
      const turnIds = event.turnIds && event.turnIds.length > 0 ? event.turnIds : [event.turnId];
      return {
        interviewId: session.id,
        answerId: event.turnId,
        turnIds,
        input: {
          text: event.text,
          startMs: event.startMs,
          endMs: event.endMs,
          segments: event.segments ?? [],
          history: [...history].filter(([turnId]) => !turnIds.includes(turnId)).map(([, turn]) => turn),
          ...(event.question === undefined ? {} : { question: event.question }),
          ...(event.language === undefined ? {} : { language: event.language }),
        },
      };
    };

    return {
      name: 'analysis',
      handle(event) {
        if (event.type === 'transcript-final') {
          history.set(event.turnId, { channel: event.channel, text: event.text });
          if (event.channel === 'interviewer' && event.text.trim() !== '') jobs.interviewerTurn(session.id, event.startMs);
        } else if (event.type === 'question-asked') {
          history.set(event.turnId, { channel: 'interviewer', text: event.text });
          jobs.interviewerTurn(session.id, event.startMs);
        } else if (event.type === 'answer-update') jobs.refreshFollowUps(answerJob(event));
        else if (event.type === 'answer-final') jobs.enqueue(answerJob(event));
        else if (event.type === 'session-end') {
          // After the dispatch in progress: the answer the session's end closes (copilot answers) is published right
          // after it, and must be queued before the session counts as ended and its jobs as idle.
          finished = Promise.resolve().then(() => {
            jobs.sessionEnded(session.id);
            return followUps === 'all' ? jobs.idle(session.id) : undefined;
          });
        }
      },
      command(command) {
        if (command.type !== 'retry-analysis') return undefined;
        return jobs.retry(session.id, command.turnId);
      },
      settled: () => finished ?? Promise.resolve(),
    };
  };
}
