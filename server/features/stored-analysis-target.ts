import type { JobTarget } from '../analysis/analysis-jobs.ts';
import type { Logger } from '../logger.ts';
import { emitToRoom, type VivaIo } from '../session/socket-emitter.ts';
import { contextFromInterview } from '../session/stored-sessions.ts';
import type { InterviewRepository } from '../store/repository.ts';

/**
 * Where the analysis results of an interview with no session in this process go (scoring after a restart, a retry from
 * the review screen): stored as the store subscriber would store them, then sent to the interview's room, so a screen
 * that follows it sees scores land. Follow-ups are never run for such an interview (nobody is interviewing).
 */
export function storedAnalysisTarget(repository: InterviewRepository, io: VivaIo, logger: Logger): (interviewId: string) => JobTarget | undefined {
  return (interviewId) => {
    let interview;
    try {
      interview = repository.getInterview(interviewId);
    } catch (error) {
      logger.error(`analysis: interview ${interviewId} is unreadable: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    if (!interview) return undefined;
    const guard = (what: string, action: () => void): void => {
      try {
        action();
      } catch (error) {
        logger.error(`analysis: ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    return {
      context: contextFromInterview(interview),
      language: interview.language,
      followUps: 'fresh',
      sink: {
        followupDelta: () => {},
        followupEnd: () => {},
        scoreFinal(event) {
          guard(`saving the score of ${event.turnId}`, () => {
            repository.saveScore(interviewId, event.turnId, event.score);
            repository.clearAnalysisFailure(interviewId, event.turnId);
          });
          emitToRoom(io, interviewId, { type: 'score-final', ...event });
        },
        analysisError(event) {
          guard(`saving the analysis failure of ${event.turnId}`, () =>
            repository.saveAnalysisFailure(interviewId, event.turnId, { code: event.code, message: event.message, retryable: event.retryable }),
          );
          emitToRoom(io, interviewId, { type: 'analysis-error', ...event });
        },
        progress(progress) {
          emitToRoom(io, interviewId, { type: 'analysis-progress', sessionId: interviewId, ...progress });
        },
      },
    };
  };
}
