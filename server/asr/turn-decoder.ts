/** The contract between the decode scheduler and the turn pipeline (server/turns/channel-pipeline.ts). */
import type { Language, TranscriptSegment } from '../../protocol/schemas.ts';

/** A decode as the scheduler returns it: segments relative to the clip start, or a skipped partial. */
export type DecodeOutcome =
  | { skipped: true; reason: string }
  | { skipped?: false; text: string; language: string; segments: TranscriptSegment[]; decodeMs: number };

/** The shared decode scheduler (DecodeScheduler in this folder) as the turn pipeline uses it. */
export interface TurnDecoder {
  decode(job: {
    key: string;
    priority: 'final' | 'partial';
    pcm: Float32Array;
    language: Language;
    signal: AbortSignal;
  }): Promise<DecodeOutcome>;
}
