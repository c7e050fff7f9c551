import type { StoredTurn } from '../../protocol/interviews.ts';
import type { Ack, Channel, TranscriptEvent } from '../../protocol/schemas.ts';
import type { SessionCommand, SessionEvent, SessionSubscriber } from '../session/events.ts';
import type { Session } from '../session/session.ts';
import { answerSignature, groupAnswers, joinTexts, questionFor, type AnswerGroup, type RoledTurn } from './answer-grouping.ts';
import { guessTurnRole } from './turn-roles.ts';

/** A final turn as the answers subscriber keeps it: the event, and the role it is attributed to now. */
interface HeardTurn extends RoledTurn {
  event: TranscriptEvent;
}

/**
 * Decides what the answers of a co-pilot session are and which question each answers (issue 12): an answer is all the
 * candidate's speech from the end of one interviewer turn to the start of the next, or the session's end. While it is
 * open each new candidate final publishes `answer-update` (follow-ups may refresh); when it closes (the interviewer
 * starts speaking, or the session ends) it publishes ONE `answer-final`, keyed by its first turn.
 *
 * Roles come from the server: in a two-channel session the channel says who spoke; in a one-channel session (a single
 * microphone, a mono recording) each turn's role is guessed from its words (turn-roles.ts) and published as `turn-role`.
 * The user's `relabel-turn` re-attributes a turn: the answers are regrouped, and each closed answer that changed is
 * published again as `answer-final` (analysed again, its old score replaced).
 * (Automated sessions have their own: the interviewer knows what it asked; see server/automated/automated-subscriber.ts.)
 */
export function createCopilotAnswers(
  options: {
    /** An answer id that no longer exists after a relabel: its analysis job is nobody's now. */
    forgetAnswer?: (sessionId: string, answerId: string) => void;
    /** The turns stored before a restart, so a resumed session goes on with its answers (the one open included). */
    storedTurns?: (sessionId: string) => StoredTurn[] | undefined;
  } = {},
): (session: Session) => SessionSubscriber | undefined {
  return (session) => {
    if (session.context.mode === 'automated') return undefined;
    const planned = (session.context.plannedQuestions ?? []).map((question) => question.text);
    const twoChannel = session.channelNames.includes('interviewer');
    const turns: HeardTurn[] = [];
    /** When the interviewer started speaking (two-channel): the answer before is over even before their final. */
    const interviewerStartsMs: number[] = [];
    /** Candidate turns started and not yet final (their start), so an answer waits for its last turn's text. */
    const pendingCandidateStartsMs: number[] = [];
    const published = { updates: new Map<string, string>(), finals: new Map<string, string>() };
    let ended = false;

    const publish = (event: SessionEvent): void => session.events.publish(event);

    const isClosed = (group: AnswerGroup<HeardTurn>): boolean => {
      if (ended) return true;
      if (group.closedAtMs === null) return false;
      const closedAtMs = group.closedAtMs;
      // A candidate turn that began before the interviewer did still belongs to this answer: wait for its final.
      return !pendingCandidateStartsMs.some((startMs) => startMs < closedAtMs);
    };

    const answerEvent = (group: AnswerGroup<HeardTurn>, question: string | undefined) => {
      const first = group.turns[0]?.event;
      const last = group.turns.at(-1)?.event;
      if (!first || !last) return undefined;
      const segments = group.turns.flatMap((turn) => turn.event.segments ?? []);
      return {
        sessionId: session.id,
        turnId: group.id,
        channel: 'candidate' as Channel,
        text: joinTexts(group.turns.map((turn) => turn.text)),
        startMs: first.startMs,
        endMs: Math.max(...group.turns.map((turn) => turn.endMs)),
        ...(first.language === undefined ? {} : { language: first.language }),
        ...(segments.length > 0 ? { segments: segments } : {}),
        turnIds: group.turns.map((turn) => turn.turnId),
        ...(question === undefined ? {} : { question }),
      };
    };

    /** Publishes what changed: updates of the open answer, the final of each answer that closed or changed. */
    const sync = (): string[] => {
      const groups = groupAnswers(turns, twoChannel ? interviewerStartsMs : []);
      const finalsPublished: string[] = [];
      const ids = new Set(groups.map((group) => group.id));
      for (const id of published.finals.keys()) if (!ids.has(id)) options.forgetAnswer?.(session.id, id);
      for (const map of [published.updates, published.finals]) for (const id of map.keys()) if (!ids.has(id)) map.delete(id);
      groups.forEach((group, index) => {
        const signature = answerSignature(group);
        const closed = isClosed(group);
        // Once the interviewer stopped, an open answer's follow-ups help nobody: it is analysed when the session ends.
        if (!closed && session.stopped) return;
        const seen = closed ? published.finals : published.updates;
        if (seen.get(group.id) === signature) return;
        const event = answerEvent(group, questionFor(groups, index, planned));
        if (!event) return;
        seen.set(group.id, signature);
        if (closed) finalsPublished.push(group.id);
        publish({ type: closed ? 'answer-final' : 'answer-update', ...event });
      });
      return finalsPublished;
    };

    const heard = (event: Extract<SessionEvent, { type: 'transcript-final' }>): void => {
      const { type: _type, audio: _audio, finalLatencyMs: _latency, resumePoint: _resume, ...transcript } = event;
      let role: Channel = event.channel;
      if (!twoChannel && event.text.trim() !== '') {
        const guess = guessTurnRole(event.text, planned);
        role = guess.channel;
        publish({ type: 'turn-role', sessionId: session.id, turnId: event.turnId, channel: guess.channel, source: 'auto', confidence: guess.confidence });
      }
      // The oldest pending start is this turn's: the turns of one channel close in order.
      if (twoChannel && event.channel === 'candidate') pendingCandidateStartsMs.shift();
      turns.push({ turnId: event.turnId, role, text: event.text, startMs: event.startMs, endMs: event.endMs, event: transcript });
    };

    /** After a restart: the stored turns as heard, and their answers as already published (nothing is sent again). */
    const seed = (): void => {
      for (const stored of options.storedTurns?.(session.id) ?? []) {
        const event: TranscriptEvent = { sessionId: session.id, turnId: stored.turnId, channel: stored.channel, text: stored.text, startMs: stored.startMs, endMs: stored.endMs, segments: stored.segments, ...(stored.language ? { language: stored.language } : {}) };
        turns.push({ turnId: stored.turnId, role: stored.channel, text: stored.text, startMs: stored.startMs, endMs: stored.endMs, event });
      }
      for (const group of groupAnswers(turns)) (group.followedByInterviewer ? published.finals : published.updates).set(group.id, answerSignature(group));
    };

    const relabel = (command: Extract<SessionCommand, { type: 'relabel-turn' }>): Ack<{ turnId: string; rescoring: string[] }> => {
      const turn = turns.find((candidate) => candidate.turnId === command.turnId);
      if (!turn) return { ok: false, error: { code: 'not-found', message: `no turn ${command.turnId} heard in this session` } };
      turn.role = command.channel;
      if (command.text !== undefined) {
        turn.text = command.text;
        turn.event = { ...turn.event, text: command.text, segments: [] };
      }
      publish({ type: 'turn-role', sessionId: session.id, turnId: turn.turnId, channel: command.channel, source: 'user', confidence: null });
      return { ok: true, data: { turnId: turn.turnId, rescoring: sync() } };
    };

    return {
      name: 'copilot-answers',
      handle(event) {
        switch (event.type) {
          case 'session-start':
            if (event.origin === 'resume') seed();
            return;
          case 'speech-start':
            if (!twoChannel) return;
            if (event.channel === 'candidate') pendingCandidateStartsMs.push(event.atMs);
            else interviewerStartsMs.push(event.atMs);
            break;
          case 'error':
            // A turn whose decoding failed never gets a final: stop waiting for it.
            if (twoChannel && event.channel === 'candidate') pendingCandidateStartsMs.shift();
            break;
          case 'transcript-final':
            heard(event);
            break;
          case 'session-end':
            ended = true;
            break;
          default:
            return;
        }
        sync();
      },
      command(command) {
        if (command.type !== 'relabel-turn') return undefined;
        return relabel(command);
      },
    };
  };
}
