import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { readWavFile } from '../../server/audio/wav.ts';
import { createWhisperTranscriber, type WhisperTranscriber } from '../../server/asr/whisper.ts';
import { resolveWhisperModel, type ResolvedWhisperModel } from '../../server/models/model-files.ts';
import type { BenchRow, BenchSection } from './types.ts';

/**
 * Speech recognition speed: real-time factor (decode time / audio duration) of the smart-whisper binding at 2 threads,
 * with the full 30 s encoder window and with the proportional one, against whisper.cpp's own CLI built from the very
 * sources bundled in smart-whisper (same files, same model, same threads, same greedy decoding) in this process's run.
 * The models are the real shared weights (tiny.en-q8_0 and multilingual base); their accuracy is in asr-accuracy.ts.
 */

const run = promisify(execFile);
const THREADS = 2;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const modelsDir = process.env.VIVA_MODELS_DIR ?? path.resolve(root, '../shared/models');
const audioDir = path.resolve(root, '../shared/audio');
const cliCacheDir = path.join(root, 'node_modules/.cache/viva-whisper-cli');

interface Clip {
  file: string;
  samples: Float32Array;
  durationMs: number;
}

async function loadClips(files: string[]): Promise<Clip[]> {
  return Promise.all(
    files.map(async (file) => {
      const wav = await readWavFile(file);
      if (wav.sampleRate !== 16_000) throw new Error(`${file}: ${wav.sampleRate} Hz, the bench needs 16 kHz`);
      return { file, samples: wav.samples, durationMs: wav.durationMs };
    }),
  );
}

/** Builds (once, cached) whisper.cpp's CLI from the sources smart-whisper bundles; null with a reason when impossible. */
async function ensureWhisperCli(): Promise<{ binary: string | null; note: string }> {
  const source = path.join(root, 'node_modules/smart-whisper/whisper.cpp');
  const version = JSON.parse(await readFile(path.join(root, 'node_modules/smart-whisper/package.json'), 'utf8')).version as string;
  const binary = path.join(cliCacheDir, 'whisper-cli');
  const stamp = path.join(cliCacheDir, 'stamp');
  const wanted = `smart-whisper ${version}, make main GGML_NO_OPENMP=1 GGML_NO_LLAMAFILE=1`;
  if (existsSync(binary) && existsSync(stamp) && (await readFile(stamp, 'utf8')) === wanted) {
    return { binary, note: `cached build (${wanted})` };
  }
  const startedAt = performance.now();
  try {
    const work = path.join(cliCacheDir, 'src');
    await rm(work, { recursive: true, force: true });
    await mkdir(cliCacheDir, { recursive: true });
    await cp(source, work, { recursive: true });
    // The npm package leaves out whisper.cpp's scripts/ folder; get-flags.mk only adds compiler warning flags.
    await mkdir(path.join(work, 'scripts'), { recursive: true });
    await writeFile(path.join(work, 'scripts/get-flags.mk'), 'GF_CFLAGS :=\nGF_CXXFLAGS :=\n');
    // Same sources and flags as the binding's node-gyp build: no OpenMP, no llamafile sgemm, -O3 -march=native.
    await run('make', ['-j2', 'main', 'GGML_NO_OPENMP=1', 'GGML_NO_LLAMAFILE=1'], { cwd: work, timeout: 240_000, maxBuffer: 64 << 20 });
    await cp(path.join(work, 'main'), binary);
    await writeFile(stamp, wanted);
    return { binary, note: `built in ${((performance.now() - startedAt) / 1000).toFixed(0)} s (${wanted})` };
  } catch (error) {
    return { binary: null, note: `whisper.cpp CLI build failed: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** Decode time of one CLI run on `file` (the model loads once per run): total minus load, from its own timings. */
async function cliDecodeMs(binary: string, model: ResolvedWhisperModel, file: string): Promise<number> {
  // Greedy without temperature fallback, like the binding's 'partial' decodes (see bindingDecodeMs).
  const args = ['-m', model.filePath, '-t', String(THREADS), '-l', 'en', '-bs', '1', '-bo', '1', '-nf', '-f', file];
  const { stderr } = await run(binary, args, { timeout: 120_000, maxBuffer: 16 << 20 });
  const total = /total time =\s*([\d.]+) ms/.exec(stderr);
  const load = /load time =\s*([\d.]+) ms/.exec(stderr);
  if (!total || !load) throw new Error(`no timings in whisper.cpp CLI output:\n${stderr.slice(-500)}`);
  return Number(total[1]) - Number(load[1]);
}

/** Sum of decode times over `clips`. */
async function bindingDecodeMs(transcriber: WhisperTranscriber, clips: Clip[]): Promise<number> {
  let totalMs = 0;
  for (const clip of clips) {
    // 'partial' = greedy, no temperature fallback. With zero weights every decode "fails" whisper's log-probability
    // check and the fallback samples random tokens: a cost that varies run to run and that real weights rarely pay.
    const result = await transcriber.transcribe(clip.samples, { language: 'en', purpose: 'partial' });
    totalMs += result.decodeMs;
  }
  return totalMs;
}

/** The faster of two runs: the machine is shared, and the slower run mostly measures someone else's work. */
async function bestOfTwo(measure: () => Promise<number>): Promise<number> {
  return Math.min(await measure(), await measure());
}

/**
 * Measures, per real model at 2 threads: RTF on jfk.wav of the binding (full and proportional encoder context) against
 * the whisper.cpp CLI (best of two runs each), and RTF over the five librivox clips decoded one by one (turn-sized
 * clips) with the proportional context against the full one; plus the latency of a 2 s partial on base.
 */
export async function bench(): Promise<BenchSection> {
  const rows: BenchRow[] = [];
  const loadAverageAtStart = os.loadavg()[0] ?? 0;
  const [jfk] = await loadClips([path.join(audioDir, 'whisper.cpp-samples/jfk.wav')]);
  const librivoxDir = path.join(audioDir, 'librivox-sense-and-sensibility');
  const librivox = await loadClips(
    (await readdir(librivoxDir))
      .filter((name) => name.endsWith('.wav'))
      .sort()
      .map((name) => path.join(librivoxDir, name)),
  );
  const librivoxMs = librivox.reduce((sum, clip) => sum + clip.durationMs, 0);
  const librivoxLabel = `librivox, ${librivox.length} clips one by one (${(librivoxMs / 1000).toFixed(1)} s)`;
  const cli = await ensureWhisperCli();
  const setting = `${THREADS} threads, greedy without fallback, real weights`;

  for (const name of ['tiny.en-q8_0', 'base'] as const) {
    const model = await resolveWhisperModel(modelsDir, name);
    const full = await createWhisperTranscriber({ model, nThreads: THREADS, audioContext: 'full' });
    const proportional = await createWhisperTranscriber({ model, nThreads: THREADS, audioContext: 'proportional' });
    try {
      // Warm-up: the first decode after a load pays one-off allocations.
      await full.transcribe(jfk!.samples.subarray(0, 16_000), { language: 'en', purpose: 'partial' });
      await proportional.transcribe(jfk!.samples.subarray(0, 16_000), { language: 'en', purpose: 'partial' });

      const jfkFullRtf = (await bestOfTwo(() => bindingDecodeMs(full, [jfk!]))) / jfk!.durationMs;
      const jfkProportionalRtf = (await bestOfTwo(() => bindingDecodeMs(proportional, [jfk!]))) / jfk!.durationMs;
      const cliRtf = cli.binary ? (await bestOfTwo(() => cliDecodeMs(cli.binary!, model, jfk!.file))) / jfk!.durationMs : undefined;
      const cliBaseline = cliRtf === undefined ? {} : { baseline: round(cliRtf) };
      const cliNote = cliRtf === undefined ? `no whisper.cpp CLI baseline (${cli.note})` : 'baseline: whisper.cpp CLI (full window)';
      rows.push({
        name: `${name} RTF jfk.wav (11 s), full audio_ctx`,
        value: round(jfkFullRtf),
        unit: 'x',
        ...cliBaseline,
        note: `${cliNote}${cliRtf === undefined ? '' : `, binding / CLI = ${(jfkFullRtf / cliRtf).toFixed(2)}`}; ${setting}`,
      });
      rows.push({
        name: `${name} RTF jfk.wav (11 s), proportional audio_ctx`,
        value: round(jfkProportionalRtf),
        unit: 'x',
        ...cliBaseline,
        ...(name === 'base' ? { target: '<= 0.15' } : {}),
        note: `${cliNote}; ${setting}`,
      });

      const librivoxFullRtf = (await bindingDecodeMs(full, librivox)) / librivoxMs;
      const librivoxProportionalRtf = (await bindingDecodeMs(proportional, librivox)) / librivoxMs;
      rows.push({
        name: `${name} RTF ${librivoxLabel}, proportional audio_ctx`,
        value: round(librivoxProportionalRtf),
        unit: 'x',
        baseline: round(librivoxFullRtf),
        ...(name === 'base' ? { target: '<= 0.15' } : {}),
        note: `baseline: the binding with the full window, speed-up ${(librivoxFullRtf / librivoxProportionalRtf).toFixed(1)}x; ${setting}`,
      });

      if (name === 'base') {
        // A partial of an open turn: the first 2 s of jfk.wav.
        const twoSeconds = jfk!.samples.subarray(0, 32_000);
        const fullMs = (await full.transcribe(twoSeconds, { language: 'en', purpose: 'partial' })).decodeMs;
        const proportionalMs = (await proportional.transcribe(twoSeconds, { language: 'en', purpose: 'partial' })).decodeMs;
        rows.push({
          name: 'base 2 s partial decode, proportional audio_ctx',
          value: Math.round(proportionalMs),
          unit: 'ms',
          baseline: Math.round(fullMs),
          note: `baseline: full audio_ctx; speed-up ${(fullMs / proportionalMs).toFixed(1)}x`,
        });
      }
    } finally {
      await Promise.all([full.close(), proportional.close()]);
    }
  }
  rows.push({ name: 'whisper.cpp CLI available', value: cli.binary ? 1 : 0, unit: 'bool', note: cli.note });
  const loadAverage = Math.max(loadAverageAtStart, os.loadavg()[0] ?? 0);
  rows.push({
    name: 'machine load average (1 min) around the bench',
    value: Math.round(loadAverage * 100) / 100,
    unit: 'tasks',
    note: `${os.availableParallelism()} cores; the bench itself adds about 2. Well above that, other work inflated the times.`,
  });
  return { title: 'Speech recognition (whisper.cpp via smart-whisper)', rows };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const startedAt = performance.now();
  const section = await bench();
  console.log(JSON.stringify(section, null, 2));
  console.log(`bench took ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
}
