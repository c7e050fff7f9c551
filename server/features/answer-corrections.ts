/**
 * A person corrects who spoke a turn, or a word of it, after the fact (workspace detail, `PATCH
 * /api/interviews/:id/turns/:turnId`): the turn is re-attributed in the store, the answers regrouped, and the answers
 * that changed are analysed again, their old scores replaced. During a live session the correction goes to the
 * session's answers subscriber (the `relabel-turn` command); for a stored interview the changed answers are analysed by
 * a short session of their own on the same hub and subscribers (store, analysis), one interview at a time.
 */
import type { CorrectTurnRequest, CorrectTurnResult, TurnDetail } from '../../protocol/interviews.ts';
import type { Logger } from '../logger.ts';
import { FILE_SOURCE } from '../session/session.ts';
import type { SessionHub } from '../session/session-hub.ts';
import { contextFromInterview } from '../session/stored-sessions.ts';
import { RepositoryError, type InterviewRepository } from '../store/repository.ts';
import { answerSignature, groupAnswers, joinTexts, questionFor, type AnswerGroup, type RoledTurn } from './answer-grouping.ts';

/** Why a correction was refused. */
export class CorrectionError extends Error {
  override name = 'CorrectionError';
  constructor(
    readonly code: 'not-found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

/** What corrections need. */
export interface AnswerCorrectionsDeps {
  repository: InterviewRepository;
  hub: SessionHub;
  logger: Logger;
  /** Whether answers can be analysed (an LLM is configured); without one, answers are regrouped but not re-scored. */
  canAnalyse: boolean;
}

/** Corrections of turns and the re-analysis they start. */
export interface AnswerCorrections {
  /** Applies a correction; resolves with the answers being scored again. Throws CorrectionError. */
  correctTurn(interviewId: string, turnId: string, correction: CorrectTurnRequest): CorrectTurnResult;
  /** Resolves once the re-analyses started so far are done (tests, shutdown). */
  idle(): Promise<void>;
}

type StoredRoledTurn = RoledTurn & { stored: TurnDetail };

const roled = (turns: TurnDetail[]): StoredRoledTurn[] =>
  turns.map((turn) => ({ turnId: turn.turnId, role: turn.channel, text: turn.text, startMs: turn.startMs, endMs: turn.endMs, stored: turn }));

/** Builds the corrections of stored and live interviews. */
export function createAnswerCorrections(deps: AnswerCorrectionsDeps): AnswerCorrections {
  const { repository, hub, logger } = deps;
  /** Per interview, the re-analysis running (the next waits for it: one session per interview at a time). */
  const running = new Map<string, Promise<void>>();

  const rescore = (interviewId: string, groups: AnswerGroup<StoredRoledTurn>[], all: AnswerGroup<StoredRoledTurn>[], planned: string[]): void => {
    const previous = running.get(interviewId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const interview = repository.getInterview(interviewId);
      if (!interview) return;
      const session = hub.open({ sessionId: interviewId, language: interview.language, channels: ['candidate'], context: contextFromInterview(interview) }, 'file', FILE_SOURCE);
      for (const group of groups) {
        const first = group.turns[0]?.stored;
        if (!first) continue;
        const question = questionFor(all, all.indexOf(group), planned);
        session.events.publish({
          type: 'answer-final',
          sessionId: interviewId,
          turnId: group.id,
          channel: 'candidate',
          text: joinTexts(group.turns.map((turn) => turn.text)),
          startMs: first.startMs,
          endMs: Math.max(...group.turns.map((turn) => turn.endMs)),
          ...(first.language ? { language: first.language } : {}),
          segments: group.turns.flatMap((turn) => turn.stored.segments),
          turnIds: group.turns.map((turn) => turn.turnId),
          ...(question === undefined ? {} : { question }),
        });
      }
      await session.stop();
      await session.events.settled();
    });
    const settled = next.catch((error: unknown) => logger.error(`re-scoring answers of ${interviewId} failed: ${error instanceof Error ? error.message : String(error)}`));
    running.set(interviewId, settled);
    void settled.then(() => {
      if (running.get(interviewId) === settled) running.delete(interviewId);
    });
  };

  const correctLive = (interviewId: string, turnId: string, correction: CorrectTurnRequest, current: TurnDetail): CorrectTurnResult => {
    const session = hub.forClient(interviewId);
    if (!session) throw new CorrectionError('conflict', 'the interview is being processed: correct it once processing is done');
    if (correction.text !== undefined) repository.correctTurnText(interviewId, turnId, correction.text);
    const channel = correction.channel ?? current.channel;
    const reply = session.events.command({ type: 'relabel-turn', turnId, channel, ...(correction.text === undefined ? {} : { text: correction.text }) });
    if (!reply.ok) throw new CorrectionError('conflict', `the interview is live and ${turnId} was heard before it resumed: correct it after the interview`);
    const { rescoring } = reply.data as { rescoring: string[] };
    return { turnId, channel, text: correction.text ?? current.text, rescoring };
  };

  return {
    correctTurn(interviewId, turnId, correction) {
      const detail = repository.getInterviewDetail(interviewId);
      if (!detail) throw new CorrectionError('not-found', `no interview with id "${interviewId}"`);
      const current = detail.turns.find((turn) => turn.turnId === turnId);
      if (!current) throw new CorrectionError('not-found', `no turn "${turnId}" in interview "${interviewId}"`);
      const open = hub.get(interviewId);
      if (open && open.origin !== 'file') return correctLive(interviewId, turnId, correction, current);
      if (open && detail.interview.status === 'processing') throw new CorrectionError('conflict', 'the recording is still being processed');

      const before = new Map(groupAnswers(roled(detail.turns)).map((group) => [group.id, answerSignature(group)]));
      try {
        if (correction.channel !== undefined) repository.setTurnRole(interviewId, turnId, { channel: correction.channel, source: 'user', confidence: null });
        if (correction.text !== undefined) repository.correctTurnText(interviewId, turnId, correction.text);
      } catch (error) {
        if (error instanceof RepositoryError && error.code === 'unknown-turn') throw new CorrectionError('not-found', error.message);
        throw error;
      }
      const after = repository.getInterviewDetail(interviewId);
      if (!after) throw new CorrectionError('not-found', `no interview with id "${interviewId}"`);
      const groups = groupAnswers(roled(after.turns));
      const changed = groups.filter((group) => before.get(group.id) !== answerSignature(group));
      for (const group of changed) repository.setAnswer(interviewId, group.turns.map((turn) => turn.turnId), { rescore: deps.canAnalyse });
      const planned = (after.interview.context.plannedQuestions ?? []).map((question) => question.text);
      if (deps.canAnalyse && changed.length > 0) rescore(interviewId, changed, groups, planned);
      const turn = after.turns.find((candidate) => candidate.turnId === turnId);
      return { turnId, channel: turn?.channel ?? current.channel, text: turn?.text ?? current.text, rescoring: deps.canAnalyse ? changed.map((group) => group.id) : [] };
    },
    async idle() {
      while (running.size > 0) await Promise.all(running.values());
    },
  };
}
