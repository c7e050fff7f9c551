import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JFK_DURATION_MS, JFK_WAV, UPLOAD_FORMATS, makeRecordings, makeVideoWithoutAudio, type UploadFormat } from '../../test/helpers/recordings.ts';
import { decodeWav } from '../audio/wav.ts';
import { DecodeError, decodeAudioFile, decodeAudioStream, probeAudioFile, type DecodeProgress } from './decode.ts';

/** Normalised correlation of two signals at the best lag within ±maxLag samples. */
function bestCorrelation(a: Float32Array, b: Float32Array, maxLag: number): number {
  let best = -1;
  const n = Math.min(a.length, b.length) - maxLag;
  for (let lag = -maxLag; lag <= maxLag; lag += 1) {
    let dot = 0;
    let aa = 0;
    let bb = 0;
    for (let i = maxLag; i < n; i += 4) {
      const x = a[i] ?? 0;
      const y = b[i + lag] ?? 0;
      dot += x * y;
      aa += x * x;
      bb += y * y;
    }
    best = Math.max(best, dot / Math.sqrt(aa * bb));
  }
  return best;
}

describe('decodeAudioFile', () => {
  let dir: string;
  let recordings: Record<UploadFormat, string>;
  const original = decodeWav(readFileSync(JFK_WAV)).samples;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'viva-decode-'));
    recordings = await makeRecordings(dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(Object.keys(UPLOAD_FORMATS) as UploadFormat[])('decodes %s to 16 kHz mono of the right duration and content', async (format) => {
    const progress: DecodeProgress[] = [];
    const decoded = await decodeAudioFile(recordings[format], { onProgress: (p) => progress.push(p) });
    expect(decoded.sampleRate).toBe(16_000);
    expect(Math.abs(decoded.durationMs - JFK_DURATION_MS)).toBeLessThanOrEqual(50);
    expect(decoded.samples.length).toBe(Math.round((decoded.durationMs * 16_000) / 1000));
    expect(Math.abs(decoded.samples.length - original.length)).toBeLessThanOrEqual(800);
    // It is the same speech, not just the same length (lossy codecs included).
    expect(bestCorrelation(original, decoded.samples, 40)).toBeGreaterThan(0.9);
    expect(progress.at(-1)?.fraction).toBe(1);
    const fractions = progress.map((p) => p.fraction ?? 0);
    expect(fractions).toEqual([...fractions].sort((x, y) => x - y));
  });

  it('probes a recording before decoding it', async () => {
    const probe = await probeAudioFile(recordings.m4a);
    expect(probe).toMatchObject({ codec: 'aac', sampleRate: 16_000, channels: 1 });
    expect(Math.abs((probe.durationMs ?? 0) - JFK_DURATION_MS)).toBeLessThanOrEqual(50);
    expect((await probeAudioFile(recordings['webm-opus'])).formatName).toContain('webm');
  });

  it('streams chunks and stops ffmpeg when the consumer aborts', async () => {
    const controller = new AbortController();
    let received = 0;
    const consume = async (): Promise<void> => {
      for await (const chunk of decodeAudioStream(recordings.mp3, { signal: controller.signal })) {
        received += chunk.length;
        controller.abort(new Error('user cancelled'));
      }
    };
    await expect(consume()).rejects.toThrow('user cancelled');
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(176_000);
  });

  it('gives clear typed errors for empty, non-audio and audio-less files, and a missing ffmpeg', async () => {
    const empty = path.join(dir, 'empty.wav');
    await writeFile(empty, '');
    const garbage = path.join(dir, 'notes.mp3');
    await writeFile(garbage, 'these are my interview notes, not a recording\n'.repeat(50));
    const video = await makeVideoWithoutAudio(dir);

    await expect(decodeAudioFile(empty)).rejects.toMatchObject({ code: 'empty-file', message: 'the file is empty (0 bytes)' });
    const notAudio = await decodeAudioFile(garbage).catch((error: unknown) => error);
    expect(notAudio).toBeInstanceOf(DecodeError);
    expect(notAudio).toMatchObject({ code: 'not-audio' });
    expect((notAudio as Error).message).toMatch(/^the file is not audio ffmpeg can read \(.+\)$/);
    expect((notAudio as Error).message).not.toContain(dir); // no server paths leak into messages
    await expect(decodeAudioFile(video)).rejects.toMatchObject({ code: 'no-audio-stream' });
    await expect(probeAudioFile(video)).rejects.toMatchObject({ code: 'no-audio-stream', message: expect.stringContaining('video') });
    await expect(probeAudioFile(garbage)).rejects.toMatchObject({ code: 'not-audio' });
    await expect(decodeAudioFile(recordings.mp3, { ffmpegPath: '/nonexistent/ffmpeg' })).rejects.toMatchObject({
      code: 'ffmpeg-missing',
      message: expect.stringContaining('apt-get install ffmpeg'),
    });
  });
});
