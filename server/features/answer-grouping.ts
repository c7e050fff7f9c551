/**
 * What an answer is (issue 12, "one answer is one answer"): all the candidate's speech from the end of one interviewer
 * turn to the start of the next (or the end of the session). A pause the VAD splits does not split the answer. Pure: the
 * live answers subscriber (copilot-answers.ts) and corrections of stored interviews (answer-corrections.ts) both use it.
 */
import type { Channel } from '../../protocol/schemas.ts';

/** A final turn with the role it is attributed to now. */
export interface RoledTurn {
  turnId: string;
  /** Who spoke it (after any relabel or guess). */
  role: Channel;
  text: string;
  startMs: number;
  endMs: number;
}

/** One answer: consecutive candidate turns between two interviewer turns. */
export interface AnswerGroup<T extends RoledTurn = RoledTurn> {
  /** The answer's id: its first turn's id. */
  id: string;
  turns: T[];
  /** The interviewer's words since the previous answer (joined), or null when none were heard. */
  asked: string | null;
  /** Whether an interviewer turn (or an interviewer's start of speech, `boundariesMs`) came after it. */
  followedByInterviewer: boolean;
  /** When the interviewer started after it (ms), when known. */
  closedAtMs: number | null;
}

/** Joins turn texts the way an answer's text is: trimmed, non-empty, one space between. */
export function joinTexts(texts: string[]): string {
  return texts.map((text) => text.trim()).filter((text) => text !== '').join(' ');
}

/** What identifies an answer's content: a changed signature means it must be analysed again. */
export function answerSignature(group: AnswerGroup): string {
  return JSON.stringify(group.turns.map((turn) => [turn.turnId, turn.text]));
}

/**
 * Groups turns (any order; sorted here by start) into answers. `boundariesMs`: times an interviewer started to speak
 * whose turn may not be final yet (two-channel sessions), so the answer before them is already over.
 */
export function groupAnswers<T extends RoledTurn>(turns: readonly T[], boundariesMs: readonly number[] = []): AnswerGroup<T>[] {
  type Item = { kind: 'turn'; atMs: number; turn: T } | { kind: 'boundary'; atMs: number };
  const items: Item[] = [
    ...turns.map((turn): Item => ({ kind: 'turn', atMs: turn.startMs, turn })),
    ...boundariesMs.map((atMs): Item => ({ kind: 'boundary', atMs })),
  ];
  // Stable sort by time; at the same time an interviewer's start goes first (their speech-start precedes their final).
  items.sort((a, b) => a.atMs - b.atMs || Number(a.kind === 'turn') - Number(b.kind === 'turn'));
  const groups: AnswerGroup<T>[] = [];
  let asked: string[] = [];
  let current: AnswerGroup<T> | undefined;
  for (const item of items) {
    const interviewer = item.kind === 'boundary' || item.turn.role === 'interviewer';
    if (interviewer) {
      if (current) {
        current.followedByInterviewer = true;
        current.closedAtMs = item.atMs;
        current = undefined;
      }
      if (item.kind === 'turn' && item.turn.text.trim() !== '') asked.push(item.turn.text);
      continue;
    }
    // Silence whisper heard as nothing is no answer, nor the start of one.
    if (item.turn.text.trim() === '') continue;
    if (!current) {
      current = { id: item.turn.turnId, turns: [], asked: asked.length > 0 ? joinTexts(asked) : null, followedByInterviewer: false, closedAtMs: null };
      asked = [];
      groups.push(current);
    }
    current.turns.push(item.turn);
  }
  return groups;
}

/**
 * The question an answer answers: the interviewer's words since the previous answer; with none, their latest words
 * before it; with none at all, the planned question of the answer's rank (the first answer answers the first one).
 */
export function questionFor(groups: readonly AnswerGroup[], index: number, planned: readonly string[]): string | undefined {
  const group = groups[index];
  if (group?.asked != null) return group.asked;
  const earlier = groups.slice(0, index).reverse().find((previous) => previous.asked !== null);
  return earlier?.asked ?? planned[index];
}
