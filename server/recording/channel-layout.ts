/**
 * How a recording's channels map to speakers. A call recorder usually puts each side on its own channel (stereo): then
 * the channels are split and each is a speaker's (the first the interviewer's by default). Many "stereo" files are the
 * same mix twice (dual mono); splitting those would hear every word twice, so they are treated as mono.
 */
import type { Channel } from '../../protocol/schemas.ts';

/** Which channel of a stereo recording is the interviewer's. */
export type InterviewerChannel = 'first' | 'second';

/** Audio of the opening seconds is enough to tell a two-speaker stereo recording from dual mono. */
export const LAYOUT_PROBE_SAMPLES = 16_000 * 30;

/** Below this share of the energy in left − right, the two channels are the same mix. */
const DUAL_MONO_DIFFERENCE = 0.01;

/**
 * Whether interleaved stereo samples hold two different signals (two speakers) rather than one mix on both channels.
 * Silence (no energy) counts as the same mix.
 */
export function channelsDiffer(interleaved: Float32Array): boolean {
  let sum = 0;
  let difference = 0;
  for (let index = 0; index + 1 < interleaved.length; index += 2) {
    const left = interleaved[index] ?? 0;
    const right = interleaved[index + 1] ?? 0;
    sum += (left + right) * (left + right);
    difference += (left - right) * (left - right);
  }
  return sum > 0 && difference / (sum + difference) > DUAL_MONO_DIFFERENCE;
}

/** The speakers of a split stereo recording, in channel order. */
export function speakersOf(interviewerChannel: InterviewerChannel): [Channel, Channel] {
  return interviewerChannel === 'second' ? ['candidate', 'interviewer'] : ['interviewer', 'candidate'];
}

/** Splits interleaved stereo into its two channels. */
export function deinterleave(interleaved: Float32Array): [Float32Array, Float32Array] {
  const frames = Math.floor(interleaved.length / 2);
  const first = new Float32Array(frames);
  const second = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame++) {
    first[frame] = interleaved[frame * 2] ?? 0;
    second[frame] = interleaved[frame * 2 + 1] ?? 0;
  }
  return [first, second];
}

/** Mixes interleaved stereo down to mono. */
export function mixDown(interleaved: Float32Array): Float32Array {
  const frames = Math.floor(interleaved.length / 2);
  const mono = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame++) mono[frame] = ((interleaved[frame * 2] ?? 0) + (interleaved[frame * 2 + 1] ?? 0)) / 2;
  return mono;
}
