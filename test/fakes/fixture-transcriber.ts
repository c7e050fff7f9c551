/**
 * The fake transcriber of tests that must not depend on whisper (scripted timing, fault injection): a `FakeTranscriber`
 * whose text comes from an audio fixture's sidecar, looked up by audio time. The clip it is asked to decode is found in
 * the fixture's audio (the pipeline cuts it, sample for sample, from what was streamed), which gives its start and end
 * in the fixture; the answer is the reference text of the segments the clip covers. A partial gets the words of a
 * segment in proportion to how much of it the clip holds, as a live preview would.
 */
import { samplesToMs } from '../../protocol/audio.ts';
import { FakeTranscriber, type FakeTranscriberCall, type FakeTranscriberOptions } from '../../server/asr/fake.ts';
import type { AudioFixture } from '../helpers/audio-fixtures.ts';

/** Where a clip sits in the fixture: the track it came from and its times in milliseconds. */
export interface LocatedClip {
  track: 'mixed' | 'interviewer' | 'candidate';
  startMs: number;
  endMs: number;
}

// One PCM16 step either way: a float sent as PCM16 and read back may differ from the file's value by one step.
const SAMPLE_TOLERANCE = 1.5 / 32768;
const PROBE_SAMPLES = 48;

/** Finds `clip` in the fixture's tracks (per-speaker tracks first, then the mix); undefined for silence or foreign audio. */
export function locateClip(fixture: AudioFixture, clip: Float32Array): LocatedClip | undefined {
  const probeAt = clip.findIndex((sample, index) => Math.abs(sample) > 0.02 && index + PROBE_SAMPLES <= clip.length);
  if (probeAt < 0) return undefined;
  const tracks: Array<[LocatedClip['track'], Float32Array | undefined]> = [
    ['interviewer', fixture.channels.interviewer],
    ['candidate', fixture.channels.candidate],
    ['mixed', fixture.mixed],
  ];
  for (const [track, samples] of tracks) {
    if (!samples) continue;
    for (let position = probeAt; position + PROBE_SAMPLES <= samples.length; position++) {
      let matches = true;
      for (let i = 0; i < PROBE_SAMPLES && matches; i++) {
        matches = Math.abs((samples[position + i] ?? 0) - (clip[probeAt + i] ?? 0)) <= SAMPLE_TOLERANCE;
      }
      if (!matches || !sameAudio(samples, position - probeAt, clip)) continue;
      const startMs = samplesToMs(position - probeAt);
      return { track, startMs, endMs: startMs + samplesToMs(clip.length) };
    }
  }
  return undefined;
}

/** True when `clip` equals `track` from `offset` on (within a PCM16 step), so a clip of the mix is not taken for one speaker's. */
function sameAudio(track: Float32Array, offset: number, clip: Float32Array): boolean {
  if (offset < 0 || offset + clip.length > track.length) return false;
  for (let i = 0; i < clip.length; i++) {
    if (Math.abs((track[offset + i] ?? 0) - (clip[i] ?? 0)) > SAMPLE_TOLERANCE) return false;
  }
  return true;
}

/** The reference words a clip covering `located` would be heard as ('' when it covers no segment). */
export function fixtureTextAt(fixture: AudioFixture, located: LocatedClip, purpose: 'partial' | 'final'): string {
  const texts: string[] = [];
  for (const segment of fixture.sidecar.segments) {
    if (located.track !== 'mixed' && segment.channel !== located.track) continue;
    const heardMs = Math.min(located.endMs, segment.endMs) - Math.max(located.startMs, segment.startMs);
    const lengthMs = segment.endMs - segment.startMs;
    if (heardMs <= 0) continue;
    if (purpose === 'final') {
      // A turn holds a segment when it holds most of it (VAD edges shave a few tens of milliseconds).
      if (heardMs >= lengthMs / 2) texts.push(segment.text);
      continue;
    }
    const words = segment.text.split(/\s+/);
    const count = Math.ceil((words.length * heardMs) / lengthMs);
    texts.push(words.slice(0, count).join(' '));
  }
  return texts.join(' ');
}

/**
 * A FakeTranscriber answering from `fixture`'s sidecar (other options: scripted delay, manual mode, English-only).
 * Clips it cannot place answer ''.
 */
export function fixtureTranscriber(fixture: AudioFixture, options: Omit<FakeTranscriberOptions, 'respond'> = {}): FakeTranscriber {
  return new FakeTranscriber({
    ...options,
    respond: (call: FakeTranscriberCall) => {
      const located = locateClip(fixture, call.pcm);
      return { text: located ? fixtureTextAt(fixture, located, call.options.purpose) : '', language: fixture.sidecar.language };
    },
  });
}

