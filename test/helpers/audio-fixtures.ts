/**
 * The project's own clips in audio-fixtures/ (made by audio-fixtures/make-fixtures.ts), loaded with their sidecars.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FixtureSidecar } from '../../audio-fixtures/make-fixtures.ts';
import { readWavFile } from '../../server/audio/wav.ts';

export type { FixtureSidecar };

/** The folder of the fixtures. */
export const AUDIO_FIXTURES_DIR = path.resolve(import.meta.dirname, '../../audio-fixtures');

/** A fixture's sidecar and samples (16 kHz mono): the mixed clip and, when made, one clip per speaker. */
export interface AudioFixture {
  sidecar: FixtureSidecar;
  mixed: Float32Array;
  channels: Partial<Record<'interviewer' | 'candidate', Float32Array>>;
}

/** Loads `audio-fixtures/<name>.json` and the clips it names. */
export async function loadAudioFixture(name: string): Promise<AudioFixture> {
  const sidecar = JSON.parse(await readFile(path.join(AUDIO_FIXTURES_DIR, `${name}.json`), 'utf8')) as FixtureSidecar;
  const read = async (fileName: string) => {
    const wav = await readWavFile(path.join(AUDIO_FIXTURES_DIR, fileName));
    if (wav.sampleRate !== sidecar.sampleRate) throw new Error(`${fileName} is ${wav.sampleRate} Hz, its sidecar says ${sidecar.sampleRate}`);
    return wav.samples;
  };
  const channels: AudioFixture['channels'] = {};
  for (const [channel, fileName] of Object.entries(sidecar.files.channels ?? {})) {
    channels[channel as 'interviewer' | 'candidate'] = await read(fileName);
  }
  return { sidecar, mixed: await read(sidecar.files.mixed), channels };
}
