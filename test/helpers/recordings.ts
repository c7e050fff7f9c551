import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Real speech used to make uploads: 11.0 s, 16 kHz mono (176 000 samples). */
export const JFK_WAV = path.resolve(process.env.VIVA_SHARED_AUDIO_DIR ?? path.resolve('../shared/audio'), 'whisper.cpp-samples/jfk.wav');
/** Duration of JFK_WAV. */
export const JFK_DURATION_MS = 11_000;

/** Containers and codecs a user might upload, as ffmpeg output arguments. */
export const UPLOAD_FORMATS = {
  'wav-44k-stereo': { file: 'jfk-44k-stereo.wav', args: ['-ar', '44100', '-ac', '2', '-c:a', 'pcm_s16le'] },
  mp3: { file: 'jfk.mp3', args: ['-c:a', 'libmp3lame', '-b:a', '64k'] },
  m4a: { file: 'jfk.m4a', args: ['-c:a', 'aac', '-b:a', '64k'] },
  'webm-opus': { file: 'jfk.webm', args: ['-c:a', 'libopus', '-b:a', '32k'] },
  flac: { file: 'jfk.flac', args: ['-ar', '48000', '-c:a', 'flac'] },
  'ogg-vorbis': { file: 'jfk.ogg', args: ['-c:a', 'libvorbis'] },
} as const;

/** One of UPLOAD_FORMATS. */
export type UploadFormat = keyof typeof UPLOAD_FORMATS;

/** Encodes `source` into `dir` in each requested format with the system ffmpeg; returns the paths. */
export async function makeRecordings(
  dir: string,
  formats: readonly UploadFormat[] = Object.keys(UPLOAD_FORMATS) as UploadFormat[],
  source: string = JFK_WAV,
): Promise<Record<UploadFormat, string>> {
  const paths = {} as Record<UploadFormat, string>;
  for (const format of formats) {
    const spec = UPLOAD_FORMATS[format];
    const target = path.join(dir, spec.file);
    await run('ffmpeg', ['-y', '-v', 'error', '-i', source, ...spec.args, target]);
    paths[format] = target;
  }
  return paths;
}

/** A short video file with no audio stream (a screen recording uploaded by mistake). */
export async function makeVideoWithoutAudio(dir: string): Promise<string> {
  const target = path.join(dir, 'no-audio.mp4');
  await run('ffmpeg', ['-y', '-v', 'error', '-f', 'lavfi', '-i', 'color=c=black:s=64x64:d=1', '-c:v', 'mpeg4', target]);
  return target;
}
