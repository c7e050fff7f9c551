import type { Logger } from '../logger.ts';
import type { SessionEvent, SessionSubscriber } from '../session/events.ts';
import type { Session } from '../session/session.ts';
import type { InterviewRepository } from '../store/repository.ts';

/** Options of the storage subscriber. */
export interface StoreSubscriberDeps {
  repository: InterviewRepository;
  logger: Logger;
  /** Recorded with stored follow-up suggestions. */
  suggestionsModel: string;
  suggestionsPromptVersion: string;
  /** Keep each turn's audio as a WAV (default true). */
  keepTurnAudio?: boolean;
}

/**
 * Writes an interview as it happens: the interview when a socket starts it, each final turn (with its audio and the
 * channel's resume point) before the socket emitter sends it, resume points while quiet, Viva's own questions, and every
 * suggestion, score and analysis failure. Subscribed first, so whatever a client has seen is already stored.
 */
export function createStoreSubscriber(deps: StoreSubscriberDeps): (session: Session) => SessionSubscriber {
  const { repository, logger } = deps;
  const guard = (what: string, action: () => void): void => {
    try {
      action();
    } catch (error) {
      // Storage trouble must not stop the interview: the screen still gets every event.
      logger.error(`store: ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  return (session) => {
    let origin: string | undefined;
    const handle = (event: SessionEvent): void => {
      switch (event.type) {
        case 'session-start':
          origin = event.origin;
          if (event.origin === 'start') guard(`creating interview ${session.id}`, () => createInterview(repository, session));
          else if (event.origin === 'resume') guard(`reopening interview ${session.id}`, () => repository.updateInterviewStatus(session.id, 'live'));
          return;
        case 'transcript-final':
          guard(`saving turn ${event.turnId}`, () =>
            repository.saveTurn(session.id, {
              turnId: event.turnId,
              channel: event.channel,
              text: event.text,
              startMs: event.startMs,
              endMs: event.endMs,
              ...(event.language === undefined ? {} : { language: event.language }),
              ...(event.segments === undefined ? {} : { segments: event.segments }),
            }),
          );
          if (event.resumePoint) {
            const point = event.resumePoint;
            guard('saving channel progress', () => repository.saveChannelProgress(session.id, event.channel, point.nextSeq, point.samplesReceived));
          }
          if (deps.keepTurnAudio ?? true) {
            repository.saveTurnAudio(session.id, event.turnId, event.audio).catch((error: unknown) => {
              logger.error(`store: saving the audio of ${event.turnId} failed: ${error instanceof Error ? error.message : String(error)}`);
            });
          }
          return;
        case 'channel-progress':
          guard('saving channel progress', () => repository.saveChannelProgress(session.id, event.channel, event.nextSeq, event.samplesReceived));
          return;
        case 'question-asked':
          guard(`saving question turn ${event.turnId}`, () =>
            repository.saveTurn(session.id, {
              turnId: event.turnId,
              channel: 'interviewer',
              text: event.text,
              startMs: event.startMs,
              endMs: event.endMs,
              language: session.language,
            }),
          );
          return;
        case 'answer-update':
        case 'answer-final': {
          // One answer is its turns: analyses are keyed by its first; a final (re)starts its scoring.
          const turnIds = event.turnIds ?? [event.turnId];
          guard(`grouping answer ${event.turnId}`, () => repository.setAnswer(session.id, turnIds, { rescore: event.type === 'answer-final' }));
          return;
        }
        case 'turn-role':
          guard(`saving the role of ${event.turnId}`, () =>
            repository.setTurnRole(session.id, event.turnId, { channel: event.channel, source: event.source, confidence: event.confidence }),
          );
          return;
        case 'followup-end':
          guard(`saving suggestions of ${event.turnId}`, () =>
            repository.saveSuggestions(session.id, event.turnId, {
              suggestions: event.suggestions,
              model: deps.suggestionsModel,
              promptVersion: deps.suggestionsPromptVersion,
            }),
          );
          return;
        case 'score-final':
          guard(`saving the score of ${event.turnId}`, () => {
            repository.saveScore(session.id, event.turnId, event.score);
            repository.clearAnalysisFailure(session.id, event.turnId);
          });
          return;
        case 'analysis-error':
          guard(`saving the analysis failure of ${event.turnId}`, () =>
            repository.saveAnalysisFailure(session.id, event.turnId, { code: event.code, message: event.message, retryable: event.retryable }),
          );
          return;
        case 'session-end':
          // A file's processing job sets the interview's status itself once everything is stored and analysed.
          if (origin !== 'file') guard(`closing interview ${session.id}`, () => repository.updateInterviewStatus(session.id, 'stopped'));
          return;
        default:
          return;
      }
    };
    return { name: 'store', handle };
  };
}

function createInterview(repository: InterviewRepository, session: Session): void {
  const context = session.context;
  repository.createInterview({
    id: session.id,
    title: context.title ?? null,
    role: context.role ?? null,
    jobDescription: context.jobDescription ?? null,
    resume: context.resume ?? null,
    candidateName: context.candidateName ?? null,
    // The interviewer's record that the candidate agreed to be recorded (setup screen), shown in the report.
    consent: context.consent ?? null,
    language: session.language,
    mode: context.mode ?? 'copilot',
    context: {
      ...(context.rubric ? { rubric: context.rubric } : {}),
      ...(context.plannedQuestions ? { plannedQuestions: context.plannedQuestions } : {}),
    },
    status: 'live',
  });
  for (const channel of session.channelNames) repository.saveChannelProgress(session.id, channel, 0, 0);
}
