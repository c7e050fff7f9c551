/**
 * Marks candidate speech heard while Viva was speaking. Echo cancellation removes most of Viva's voice from the
 * microphone, but not all of it (speech synthesis may bypass the browser's echo reference). A segment that lies mostly
 * inside Viva's own speech is taken as echo: kept in the transcript, but not counted or scored as an answer. A real
 * barge-in runs on after Viva stops (the browser cancels speech as soon as the candidate is heard), so it is kept.
 */

/** Viva speaking, on the candidate channel's audio timeline (ms); `endMs` null while still speaking. */
export interface SpeakingInterval {
  startMs: number;
  endMs: number | null;
}

/** Share of a segment inside Viva's speech at or above which it counts as echo. */
export const ECHO_OVERLAP_SHARE = 0.8;

/** How much of a segment overlapped Viva's speech and whether that makes it echo. */
export function classifySegment(
  segment: { startMs: number; endMs: number },
  speaking: readonly SpeakingInterval[],
  /** Audio position now: the end of an interval still open. */
  audioNowMs: number,
): { overlapMs: number; echo: boolean } {
  const lengthMs = Math.max(0, segment.endMs - segment.startMs);
  if (lengthMs === 0) return { overlapMs: 0, echo: false };
  let overlapMs = 0;
  for (const interval of speaking) {
    const end = interval.endMs ?? Math.max(audioNowMs, segment.endMs);
    overlapMs += Math.max(0, Math.min(end, segment.endMs) - Math.max(interval.startMs, segment.startMs));
  }
  overlapMs = Math.min(overlapMs, lengthMs);
  return { overlapMs, echo: overlapMs / lengthMs >= ECHO_OVERLAP_SHARE };
}
