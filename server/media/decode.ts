import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { SAMPLE_RATE } from '../../protocol/audio.ts';
import { condenseFfmpegMessage, watchFfmpegLog } from './ffmpeg-log.ts';

export { condenseFfmpegMessage } from './ffmpeg-log.ts';

/** Why a file could not be decoded; each maps to one message a user can act on. */
export type DecodeErrorCode =
  | 'ffmpeg-missing'
  | 'file-not-found'
  | 'empty-file'
  | 'not-audio'
  | 'no-audio-stream'
  | 'empty-audio'
  | 'decode-failed';

/** A decode that failed for a reason the user can be told; `detail` is ffmpeg's own message, condensed. */
export class DecodeError extends Error {
  override name = 'DecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    message: string,
    readonly detail: string | null = null,
  ) {
    super(message);
  }
}

/** Where a decode stands. */
export interface DecodeProgress {
  /** Audio decoded so far, ms. */
  processedMs: number;
  /** Duration from the file's header; null when the container does not say (e.g. MediaRecorder WebM). */
  totalMs: number | null;
  /** processedMs / totalMs in 0..1, or null when the total is unknown. */
  fraction: number | null;
}

/** Options of every decode call. */
export interface DecodeOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DecodeProgress) => void;
  /** Called for each warning ffmpeg prints (corrupt packets skipped...); the decode goes on. */
  onWarning?: (message: string) => void;
  /** ffmpeg binary (`VIVA_FFMPEG_PATH`); default `ffmpeg` from PATH. */
  ffmpegPath?: string;
  /** ffprobe binary, used when `format` is not given; default `ffprobe` beside `ffmpegPath` (or from PATH). */
  ffprobePath?: string;
  /** The container as `probeAudioFile` found it (`formatName`); probed here when absent. */
  format?: string;
  /** Audio beyond this is not decoded (a header can lie about the duration); default MAX_RECORDING_MS. */
  maxDurationMs?: number;
  /**
   * 1 (default): mono, every channel mixed down. 2: two channels interleaved (left, right, left, …), so the speakers of
   * a call recorded one per channel can be told apart; a mono file comes out on both, more channels are mixed to two.
   */
  channels?: 1 | 2;
}

/**
 * Demuxers an upload may be read with: audio and video containers that never open another file or URL. Playlists (hls,
 * dash), concat, image sequences and network protocols are not on it, so a file that claims to be one reads nothing.
 */
export const ALLOWED_DEMUXERS = ['wav', 'w64', 'aiff', 'caf', 'mp3', 'flac', 'ogg', 'matroska', 'mov', 'aac', 'avi'] as const;

/** Longest recording Viva decodes: 4 hours (~920 MB of 16 kHz Float32 if held at once). */
export const MAX_RECORDING_MS = 4 * 3_600_000;

/** The allow-listed demuxer of an ffprobe `format_name` (e.g. 'mov,mp4,m4a,3gp,3g2,mj2' → 'mov'), or null. */
export function allowedDemuxer(formatName: string): string | null {
  const names = formatName.split(',');
  return ALLOWED_DEMUXERS.find((demuxer) => names.includes(demuxer)) ?? null;
}

/**
 * How ffmpeg reads an upload. Most containers stream from stdin (`pipe` the only protocol). MP4/M4A may keep their index
 * at the end and need to seek, which a pipe cannot: they are read from the file with `file` the only protocol (the mov
 * demuxer's external references stay off, ffmpeg's default).
 */
function inputArgs(demuxer: string, filePath: string): { args: string[]; viaStdin: boolean } {
  const common = ['-format_whitelist', ALLOWED_DEMUXERS.join(','), '-f', demuxer];
  if (demuxer === 'mov') return { args: ['-protocol_whitelist', 'file', ...common, '-i', `file:${filePath}`], viaStdin: false };
  return { args: ['-protocol_whitelist', 'pipe', ...common, '-i', 'pipe:0'], viaStdin: true };
}

/** A whole file decoded to 16 kHz mono Float32. */
export interface DecodedAudio {
  samples: Float32Array;
  sampleRate: typeof SAMPLE_RATE;
  /** samples.length at 16 kHz, in ms. */
  durationMs: number;
  /** Duration the container declared, when it did. */
  declaredDurationMs: number | null;
  /** Warnings ffmpeg printed (at most 20 kept). */
  warnings: string[];
}

/** What ffprobe found in a file. */
export interface AudioProbe {
  /** ffmpeg's demuxer name(s), e.g. 'wav', 'mov,mp4,m4a,3gp,3g2,mj2', 'matroska,webm'. */
  formatName: string;
  durationMs: number | null;
  /** First audio stream. */
  codec: string;
  sampleRate: number | null;
  channels: number | null;
}

const MAX_LOG_LINES = 20;

/** Decoder arguments: first audio stream only, downmixed and resampled by ffmpeg, raw float32 little-endian on stdout. */
function ffmpegArgs(input: string[], maxDurationMs: number, channels: 1 | 2): string[] {
  return [
    '-hide_banner',
    '-nostats',
    // level+info prefixes each log line with its level, so errors and warnings are told apart without guessing.
    '-loglevel',
    'level+info',
    '-progress',
    'pipe:2',
    ...input,
    '-t',
    String(maxDurationMs / 1000),
    '-map',
    '0:a:0',
    '-vn',
    '-sn',
    '-dn',
    '-ac',
    String(channels),
    '-ar',
    String(SAMPLE_RATE),
    '-f',
    'f32le',
    '-',
  ];
}

function missingBinary(binary: string): DecodeError {
  return new DecodeError(
    'ffmpeg-missing',
    `${path.basename(binary)} was not found (tried "${binary}"): install it with \`apt-get install ffmpeg\`, or set VIVA_FFMPEG_PATH / VIVA_FFPROBE_PATH`,
  );
}

async function checkFile(filePath: string): Promise<void> {
  const info = await stat(filePath).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new DecodeError('file-not-found', `no file at ${filePath}`);
    throw error;
  });
  if (!info.isFile()) throw new DecodeError('file-not-found', `${filePath} is not a regular file`);
  if (info.size === 0) throw new DecodeError('empty-file', 'the file is empty (0 bytes)');
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/** Starts ffmpeg on an upload, feeding its stdin from the file when the input is the pipe. */
function spawnDecoder(
  ffmpegPath: string,
  input: { args: string[]; viaStdin: boolean },
  filePath: string,
  maxDurationMs: number,
  channels: 1 | 2,
): { child: ChildProcessWithoutNullStreams; source: ReadStream | null } {
  const child = spawn(ffmpegPath, ffmpegArgs(input.args, maxDurationMs, channels), { stdio: ['pipe', 'pipe', 'pipe'] });
  // ffmpeg may stop reading early (an error, the duration cap): its closed stdin is not a failure of ours.
  child.stdin.on('error', () => undefined);
  const source = input.viaStdin ? createReadStream(filePath) : null;
  if (source) {
    source.on('error', () => child.stdin.destroy());
    source.pipe(child.stdin);
  } else {
    child.stdin.end();
  }
  return { child, source };
}

/** Raw float32le bytes as Float32Array chunks of whole frames, carrying a split frame over to the next chunk. */
async function* float32Chunks(stdout: AsyncIterable<Buffer>, channels: 1 | 2): AsyncGenerator<Float32Array, void, void> {
  let carry = new Uint8Array(0);
  for await (const chunk of stdout) {
    let bytes: Uint8Array = chunk;
    if (carry.byteLength > 0) {
      const joined = new Uint8Array(carry.byteLength + chunk.byteLength);
      joined.set(carry);
      joined.set(chunk, carry.byteLength);
      bytes = joined;
    }
    const usable = bytes.byteLength - (bytes.byteLength % (4 * channels));
    carry = bytes.slice(usable);
    if (usable === 0) continue;
    // Copy into a fresh, aligned buffer: pipe chunks may start at any byte offset.
    const samples = new Float32Array(usable / 4);
    new Uint8Array(samples.buffer).set(bytes.subarray(0, usable));
    yield samples;
  }
}

/** The DecodeError of an ffmpeg that exited with `code` after `samplesOut` samples. */
function exitError(code: number | null, detail: string, samplesOut: number): DecodeError {
  if (/matches no streams|does not contain any stream/i.test(detail)) return new DecodeError('no-audio-stream', 'the file has no audio stream', detail);
  const why = detail || `ffmpeg exited with ${code}`;
  if (samplesOut === 0) return new DecodeError('not-audio', `the file is not audio ffmpeg can read (${why})`, detail);
  return new DecodeError('decode-failed', `decoding failed after ${(samplesOut / SAMPLE_RATE).toFixed(1)} s of audio (${why})`, detail);
}

/**
 * Decodes any audio or video file ffmpeg can read (WAV, MP3, M4A/AAC, WebM/Opus, FLAC, OGG; any rate and channel count)
 * to 16 kHz Float32 (mono, or two channels interleaved with `channels: 2`), yielding chunks as ffmpeg produces them (pull-based: ffmpeg waits while the consumer works).
 * Streams through spawn, so an hour-long file never sits in one buffer. Throws `DecodeError` for bad input, and the
 * signal's reason when aborted (ffmpeg is killed either way).
 */
export async function* decodeAudioStream(filePath: string, options: DecodeOptions = {}): AsyncGenerator<Float32Array, void, void> {
  const { signal, onProgress, onWarning } = options;
  const ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
  signal?.throwIfAborted();
  await checkFile(filePath);
  const ffprobePath = options.ffprobePath ?? (ffmpegPath.includes('/') ? path.join(path.dirname(ffmpegPath), 'ffprobe') : 'ffprobe');
  const format = options.format ?? (await probeAudioFile(filePath, { ffprobePath, ...(signal ? { signal } : {}) })).formatName;
  const demuxer = allowedDemuxer(format);
  if (!demuxer) throw new DecodeError('not-audio', `the file is not an audio or video container Viva reads (${format})`, format);
  signal?.throwIfAborted();

  const channels = options.channels ?? 1;
  const { child, source } = spawnDecoder(ffmpegPath, inputArgs(demuxer, filePath), filePath, options.maxDurationMs ?? MAX_RECORDING_MS, channels);
  let spawnError: NodeJS.ErrnoException | null = null;
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      spawnError = error;
      resolve(null);
    });
    child.once('close', (code) => resolve(code));
  });
  const onAbort = (): void => {
    child.kill('SIGKILL');
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const log = watchFfmpegLog(child, filePath, { onProgress, onWarning });
  let samplesOut = 0;

  let finished = false;
  try {
    for await (const samples of float32Chunks(child.stdout as AsyncIterable<Buffer>, channels)) {
      // Counted in frames (one sample per channel), so times and durations do not depend on the channel count.
      samplesOut += samples.length / channels;
      yield samples;
    }
    const code = await exited;
    log.flush();
    if (signal?.aborted) throw abortError(signal);
    if (spawnError) {
      if ((spawnError as NodeJS.ErrnoException).code === 'ENOENT') throw missingBinary(ffmpegPath);
      throw spawnError;
    }
    const detail = condenseFfmpegMessage(log.errors, filePath);
    if (code !== 0) throw exitError(code, detail, samplesOut);
    if (samplesOut === 0) throw new DecodeError('empty-audio', 'the file holds no audio samples', detail || null);
    // Errors ffmpeg recovered from (a damaged frame skipped) are worth telling, not worth failing for.
    if (detail) onWarning?.(detail);
    const processedMs = Math.round((samplesOut * 1000) / SAMPLE_RATE);
    onProgress?.({ processedMs, totalMs: log.totalMs(), fraction: 1 });
    finished = true;
  } finally {
    source?.destroy();
    signal?.removeEventListener('abort', onAbort);
    // The consumer stopped early or something threw: do not leave ffmpeg running.
    if (!finished && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Decodes a whole file into one 16 kHz mono Float32Array (see `decodeAudioStream`; ~230 MB per hour of audio). */
export async function decodeAudioFile(filePath: string, options: DecodeOptions = {}): Promise<DecodedAudio> {
  const chunks: Float32Array[] = [];
  const warnings: string[] = [];
  let declaredDurationMs: number | null = null;
  let length = 0;
  for await (const chunk of decodeAudioStream(filePath, {
    ...options,
    onWarning: (message) => {
      if (warnings.length < MAX_LOG_LINES) warnings.push(message);
      options.onWarning?.(message);
    },
    onProgress: (progress) => {
      declaredDurationMs = progress.totalMs;
      options.onProgress?.(progress);
    },
  })) {
    chunks.push(chunk);
    length += chunk.length;
  }
  const samples = new Float32Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    samples.set(chunk, offset);
    offset += chunk.length;
  }
  return { samples, sampleRate: SAMPLE_RATE, durationMs: (length * 1000) / SAMPLE_RATE, declaredDurationMs, warnings };
}

interface ProbeJson {
  format?: { format_name?: string; duration?: string };
  streams?: { codec_type?: string; codec_name?: string; sample_rate?: string; channels?: number }[];
}

/**
 * Checks quickly (one ffprobe, ~50 ms) that a file is readable media with an audio stream, before anything is promised
 * to the user. Throws `DecodeError` ('empty-file', 'not-audio', 'no-audio-stream', 'ffmpeg-missing').
 */
export async function probeAudioFile(
  filePath: string,
  options: { signal?: AbortSignal; ffprobePath?: string } = {},
): Promise<AudioProbe> {
  const ffprobePath = options.ffprobePath ?? 'ffprobe';
  options.signal?.throwIfAborted();
  await checkFile(filePath);
  const child = spawn(
    ffprobePath,
    [
      '-v',
      'error',
      // Only plain files and only allow-listed containers: a playlist or concat file is refused before it opens anything.
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      ALLOWED_DEMUXERS.join(','),
      '-show_entries',
      'format=format_name,duration:stream=codec_type,codec_name,sample_rate,channels',
      '-of',
      'json',
      `file:${filePath}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    if (stdout.length < 1_000_000) stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    if (stderr.length < 20_000) stderr += text;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(missingBinary(ffprobePath));
      else if (error.name === 'AbortError') reject(options.signal ? abortError(options.signal) : error);
      else reject(error);
    });
    child.once('close', resolve);
  });
  const detail = condenseFfmpegMessage(stderr.split(/\r?\n/), filePath).replace(/Format not on whitelist[^;]*/g, 'unsupported container');
  if (code !== 0) throw new DecodeError('not-audio', `the file is not audio ffmpeg can read (${detail || `ffprobe exited with ${code}`})`, detail);
  let parsed: ProbeJson;
  try {
    parsed = JSON.parse(stdout) as ProbeJson;
  } catch {
    throw new DecodeError('not-audio', 'the file is not audio ffmpeg can read (ffprobe gave no description)', detail);
  }
  const formatName = parsed.format?.format_name ?? 'unknown';
  if (!allowedDemuxer(formatName)) throw new DecodeError('not-audio', `the file is not an audio or video container Viva reads (${formatName})`, formatName);
  const streams = parsed.streams ?? [];
  const audio = streams.find((stream) => stream.codec_type === 'audio');
  if (!audio) {
    const found = streams.map((stream) => `${stream.codec_type ?? '?'} ${stream.codec_name ?? ''}`.trim()).join(', ');
    throw new DecodeError('no-audio-stream', `the file has no audio stream${found ? ` (found: ${found})` : ''}`, found || null);
  }
  const seconds = Number(parsed.format?.duration);
  return {
    formatName,
    durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : null,
    codec: audio.codec_name ?? 'unknown',
    sampleRate: audio.sample_rate ? Number(audio.sample_rate) : null,
    channels: audio.channels ?? null,
  };
}
