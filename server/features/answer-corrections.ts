/**
 * A person corrects who spoke a turn, or a word of it, after the fact (workspace detail, `PATCH
 * /api/interviews/:id/turns/:turnId`): the turn is re-attributed in the store, the answers regrouped, and the answers
 * that changed are analysed again, their old scores replaced. During a live session the correction goes to the
 * session's answers subscriber (the `relabel-turn` command); for a stored interview the changed answers go to the
 * analysis jobs' re-analysis entry point (`enqueue` replaces an answer's job, `remove` forgets an answer id that no
 * longer exists).
 */
import type { CorrectTurnRequest, CorrectTurnResult, TurnDetail } from '../../protocol/interviews.ts';
import type { AnalysisJobs } from '../analysis/analysis-jobs.ts';
import type { SessionHub } from '../session/session-hub.ts';
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
  /** The analysis jobs (when an LLM is configured); without them answers are regrouped but not re-scored. */
  jobs?: AnalysisJobs | undefined;
}

/** Corrections of turns and the re-analysis they start. */
export interface AnswerCorrections {
  /** Applies a correction; returns the answers being scored again. Throws CorrectionError. */
  correctTurn(interviewId: string, turnId: string, correction: CorrectTurnRequest): CorrectTurnResult;
}

type StoredRoledTurn = RoledTurn & { stored: TurnDetail };

const roled = (turns: TurnDetail[]): StoredRoledTurn[] =>
  turns.map((turn) => ({ turnId: turn.turnId, role: turn.channel, text: turn.text, startMs: turn.startMs, endMs: turn.endMs, stored: turn }));

/** Builds the corrections of stored and live interviews. */
export function createAnswerCorrections(deps: AnswerCorrectionsDeps): AnswerCorrections {
  const { repository, hub, jobs } = deps;

  /** Queues the analysis of a regrouped answer, with the conversation before it as its history. */
  const reanalyse = (interviewId: string, group: AnswerGroup<StoredRoledTurn>, all: AnswerGroup<StoredRoledTurn>[], turns: TurnDetail[], planned: string[]): void => {
    const first = group.turns[0]?.stored;
    if (!first || !jobs) return;
    const question = questionFor(all, all.indexOf(group), planned);
    const history = turns.filter((turn) => turn.startMs < first.startMs && turn.text.trim() !== '').map((turn) => ({ channel: turn.channel, text: turn.text }));
    jobs.enqueue({
      interviewId,
      answerId: group.id,
      turnIds: group.turns.map((turn) => turn.turnId),
      input: {
        text: joinTexts(group.turns.map((turn) => turn.text)),
        startMs: first.startMs,
        endMs: Math.max(...group.turns.map((turn) => turn.endMs)),
        segments: group.turns.flatMap((turn) => turn.stored.segments),
        history,
        ...(question === undefined ? {} : { question }),
        ...(first.language ? { language: first.language } : {}),
      },
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
      const planned = (after.interview.context.plannedQuestions ?? []).map((question) => question.text);
      for (const group of changed) {
        repository.setAnswer(interviewId, group.turns.map((turn) => turn.turnId), { rescore: jobs !== undefined });
        reanalyse(interviewId, group, groups, after.turns, planned);
      }
      // Answers that no longer exist (merged into another, or now the interviewer's words) are nobody's job now.
      const ids = new Set(groups.map((group) => group.id));
      for (const id of before.keys()) if (!ids.has(id)) jobs?.remove(interviewId, id);
      const turn = after.turns.find((candidate) => candidate.turnId === turnId);
      return { turnId, channel: turn?.channel ?? current.channel, text: turn?.text ?? current.text, rescoring: jobs ? changed.map((group) => group.id) : [] };
    },
  };
}
