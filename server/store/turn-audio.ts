import { mkdirSync, statSync } from 'node:fs';
import { readdir, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { SAMPLE_RATE } from '../../protocol/audio.ts';
import { encodeMonoWav } from '../media/wav-writer.ts';
import { TEMP_SUFFIX, writeFileAtomic } from './atomic-file.ts';
import { PRIVATE_DIR_MODE } from './database.ts';
import { safeFileName } from './paths.ts';

/** A temp file younger than this may be a write in progress right now; older ones were left by a crash. */
const TEMP_FILE_MAX_AGE_MS = 3_600_000;

/** What the sweep of the audio folder removed. */
export interface AudioSweepResult {
  orphanFoldersRemoved: number;
  tempFilesRemoved: number;
}

/** Per-turn WAV files under `<audioDir>/<interview>/<turn>.wav`; the database stores the path relative to `audioDir`. */
export interface TurnAudioFiles {
  readonly audioDir: string;
  /** `<interview>/<turn>.wav`, safe for any id. */
  relativePath(interviewId: string, turnId: string): string;
  /** True when the turn's WAV is on disk (it may be written before the final transcript row). */
  exists(relativePath: string): boolean;
  /** Absolute path of a stored relative path. */
  absolute(relativePath: string): string;
  /** Encodes and writes a turn's audio atomically; returns where and how much. */
  write(
    interviewId: string,
    turnId: string,
    samples: Float32Array | Int16Array,
    options: { sampleRate?: number; signal?: AbortSignal | undefined },
  ): Promise<{ relative: string; path: string; bytes: number; durationMs: number }>;
  /** Removes an interview's audio folder (nothing if there is none). */
  removeFolder(interviewId: string): Promise<void>;
  /** Removes folders of interviews not in `knownIds` and temp files a crashed write left behind. */
  sweep(knownIds: Iterable<string>, nowMs: number): Promise<AudioSweepResult>;
}

/** Writes a file so readers never see a part of it (writeFileAtomic, or a test's failing stand-in). */
export type AudioFileWriter = (target: string, bytes: Uint8Array, options: { signal?: AbortSignal | undefined }) => Promise<void>;

/** The turn audio files under `audioDir` (created if missing). */
export function createTurnAudioFiles(audioDir: string, writeFile: AudioFileWriter = writeFileAtomic): TurnAudioFiles {
  const root = path.resolve(audioDir);
  mkdirSync(root, { recursive: true, mode: PRIVATE_DIR_MODE });
  const folder = (interviewId: string): string => path.join(root, safeFileName(interviewId));
  const relativePath = (interviewId: string, turnId: string): string => path.join(safeFileName(interviewId), `${safeFileName(turnId)}.wav`);

  return {
    audioDir: root,
    relativePath,
    exists(relative) {
      try {
        return statSync(path.join(root, relative)).isFile();
      } catch {
        return false;
      }
    },
    absolute: (relative) => path.join(root, relative),

    async write(interviewId, turnId, samples, options) {
      const sampleRate = options.sampleRate ?? SAMPLE_RATE;
      const relative = relativePath(interviewId, turnId);
      const target = path.join(root, relative);
      const bytes = encodeMonoWav(samples, sampleRate);
      await writeFile(target, bytes, { signal: options.signal });
      return { relative, path: target, bytes: bytes.byteLength, durationMs: (samples.length * 1000) / sampleRate };
    },

    async removeFolder(interviewId) {
      await rm(folder(interviewId), { recursive: true, force: true });
    },

    async sweep(knownIds, nowMs) {
      const result: AudioSweepResult = { orphanFoldersRemoved: 0, tempFilesRemoved: 0 };
      const known = new Set([...knownIds].map(safeFileName));
      for (const entry of await readdir(root, { withFileTypes: true })) {
        const entryPath = path.join(root, entry.name);
        if (!known.has(entry.name)) {
          await rm(entryPath, { recursive: true, force: true });
          result.orphanFoldersRemoved++;
          continue;
        }
        if (!entry.isDirectory()) continue;
        for (const file of await readdir(entryPath)) {
          if (!file.includes(TEMP_SUFFIX)) continue;
          const filePath = path.join(entryPath, file);
          const info = await stat(filePath).catch(() => null);
          if (info && nowMs - info.mtimeMs > TEMP_FILE_MAX_AGE_MS) {
            await unlink(filePath).catch(() => undefined);
            result.tempFilesRemoved++;
          }
        }
      }
      return result;
    },
  };
}
