import type { Channel } from '../../protocol/schemas.ts';
import type { SessionFeature, StoredSession } from '../app.ts';
import type { Logger } from '../logger.ts';
import type { InterviewRepository } from '../store/repository.ts';
import type { AnalysisRecorder } from './analysis-feature.ts';

/** Options of the storage feature. */
export interface StoreFeatureDeps {
  repository: InterviewRepository;
  logger: Logger;
  /** Recorded with stored follow-up suggestions. */
  suggestionsModel: string;
  suggestionsPromptVersion: string;
  /** Keep each turn's audio as a WAV (default true). */
  keepTurnAudio?: boolean;
}

/**
 * Writes a live interview as it happens: the interview at start, each final turn (and its audio) before the client sees it,
 * where each channel can resume after a restart, and every suggestion, score and analysis failure. Also finds a stored live
 * interview so a client can resume it after the server restarted.
 */
export function createStoreFeature(deps: StoreFeatureDeps): SessionFeature & { recorder: AnalysisRecorder } {
  const { repository, logger } = deps;
  const guard = (what: string, action: () => void): void => {
    try {
      action();
    } catch (error) {
      // Storage trouble must not stop the interview: the screen still gets every event.
      logger.error(`store: ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const recorder: AnalysisRecorder = {
    followupEnd: (event) =>
      guard(`saving suggestions of ${event.turnId}`, () =>
        repository.saveSuggestions(event.sessionId, event.turnId, {
          suggestions: event.suggestions,
          model: deps.suggestionsModel,
          promptVersion: deps.suggestionsPromptVersion,
        }),
      ),
    scoreFinal: (event) =>
      guard(`saving the score of ${event.turnId}`, () => {
        repository.saveScore(event.sessionId, event.turnId, event.score);
        repository.clearAnalysisFailure(event.sessionId, event.turnId);
      }),
    analysisError: (event) =>
      guard(`saving the analysis failure of ${event.turnId}`, () =>
        repository.saveAnalysisFailure(event.sessionId, event.turnId, { code: event.code, message: event.message, retryable: event.retryable }),
      ),
  };

  return {
    recorder,
    attach(session, _emit, origin) {
      if (origin === 'start') {
        guard(`creating interview ${session.id}`, () => {
          const context = session.context;
          repository.createInterview({
            id: session.id,
            title: context.title ?? null,
            role: context.role ?? null,
            jobDescription: context.jobDescription ?? null,
            resume: context.resume ?? null,
            candidateName: context.candidateName ?? null,
            language: session.language,
            mode: context.mode ?? 'copilot',
            context: {
              ...(context.rubric ? { rubric: context.rubric } : {}),
              ...(context.plannedQuestions ? { plannedQuestions: context.plannedQuestions } : {}),
            },
            status: 'live',
          });
          for (const channel of session.channelNames) repository.saveChannelProgress(session.id, channel, 0, 0);
        });
      } else if (origin === 'resume') {
        guard(`reopening interview ${session.id}`, () => repository.updateInterviewStatus(session.id, 'live'));
      }
      return {
        onFinal(current, turn) {
          guard(`saving turn ${turn.turnId}`, () =>
            repository.saveTurn(current.id, {
              turnId: turn.turnId,
              channel: turn.channel,
              text: turn.text,
              startMs: turn.startMs,
              endMs: turn.endMs,
              ...(turn.language === undefined ? {} : { language: turn.language }),
              ...(turn.segments === undefined ? {} : { segments: turn.segments }),
            }),
          );
          if (deps.keepTurnAudio ?? true) {
            repository.saveTurnAudio(current.id, turn.turnId, turn.audio).catch((error: unknown) => {
              logger.error(`store: saving the audio of ${turn.turnId} failed: ${error instanceof Error ? error.message : String(error)}`);
            });
          }
        },
        onProgress(current, channel, nextSeq, samplesReceived) {
          guard('saving channel progress', () => repository.saveChannelProgress(current.id, channel, nextSeq, samplesReceived));
        },
        onStop(current) {
          if (origin === 'recording') return; // the recording job sets its own status when everything is stored
          guard(`closing interview ${current.id}`, () => repository.updateInterviewStatus(current.id, 'stopped'));
        },
      };
    },
    findStoredSession(sessionId): StoredSession | undefined {
      const interview = repository.getInterview(sessionId);
      if (!interview || interview.status !== 'live') return undefined;
      const progress = repository.getChannelProgress(sessionId);
      const channels = Object.keys(progress) as Channel[];
      if (channels.length === 0) return undefined;
      return {
        sessionId,
        language: interview.language,
        channels,
        context: {
          ...(interview.title === null ? {} : { title: interview.title }),
          ...(interview.role === null ? {} : { role: interview.role }),
          ...(interview.jobDescription === null ? {} : { jobDescription: interview.jobDescription }),
          ...(interview.resume === null ? {} : { resume: interview.resume }),
          ...(interview.candidateName === null ? {} : { candidateName: interview.candidateName }),
          ...(interview.context.rubric ? { rubric: interview.context.rubric } : {}),
          ...(interview.context.plannedQuestions ? { plannedQuestions: interview.context.plannedQuestions } : {}),
          mode: interview.mode === 'automated' ? 'automated' : 'copilot',
        },
        resumeFrom: progress,
      };
    },
  };
}
