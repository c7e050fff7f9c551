import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import express from 'express';
import { createInterviewsRouter } from '../../server/api/interviews.ts';
import { decodeAudioFile, probeAudioFile } from '../../server/media/decode.ts';
import { renderReport } from '../../server/reports/index.ts';
import { dataPaths } from '../../server/store/paths.ts';
import { createRepository, type InterviewRepository } from '../../server/store/repository.ts';
import { encodeWavPcm16 } from '../../server/audio/wav.ts';
import { buildServer } from '../../server/core.ts';
import { silentLogger } from '../../server/logger.ts';
import { loadSpeechRuntime } from '../../server/speech-runtime.ts';
import { startFakeLlmServer } from '../fakes/fake-llm-server.ts';
import { JFK_WAV } from '../helpers/recordings.ts';
import { quotingAnalysisResponder, testConfig } from '../helpers/review-pipeline.ts';
import { MODELS_DIR, readSharedWav } from '../helpers/speech-app.ts';
import type { BenchRow, BenchSection } from './types.ts';

const run = promisify(execFile);
const LOOPS = 27; // jfk.wav x 28 = 5 min 8 s of speech

async function timeMs(work: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** Median of `repeats` timings, after one warm-up. */
async function medianMs(repeats: number, work: () => Promise<unknown> | unknown): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) times.push(await timeMs(work));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

/** The bare decode: ffmpeg to the null muxer, no pipe to Node (what decoding costs at all). */
async function ffmpegNullDecode(file: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('ffmpeg', ['-v', 'error', '-nostdin', '-i', file, '-map', '0:a:0', '-ac', '1', '-ar', '16000', '-f', 'null', '-'], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}`))));
  });
}

/** A stored interview with `turns` question/answer turns, each answer scored, for read and report timings. */
function seedInterview(repository: InterviewRepository, turns: number): string {
  const { id } = repository.createInterview({ language: 'en', mode: 'copilot', title: 'bench' });
  for (let i = 0; i < turns; i++) {
    const channel = i % 2 === 0 ? 'interviewer' : 'candidate';
    const text = channel === 'interviewer' ? `Question ${i}: tell me about a hard problem you solved.` : 'We sharded the orders table by user id. '.repeat(20);
    repository.saveTurn(id, { turnId: `t${i}`, channel, text, startMs: i * 10_000, endMs: i * 10_000 + 9_000, segments: [{ text, startMs: i * 10_000, endMs: i * 10_000 + 9_000 }] });
    if (channel === 'candidate') {
      repository.saveScore(id, `t${i}`, {
        label: 'answer',
        dimensions: [
          { id: 'depth', name: 'Depth', score: 7, reason: 'explains trade-offs', evidence: [{ quote: 'sharded the orders table', startMs: i * 10_000, endMs: i * 10_000 + 900 }] },
          { id: 'clarity', name: 'Clarity', score: 6, reason: 'clear', evidence: [] },
        ],
        overall: 6.5,
        remark: 'ok',
        model: 'bench',
        promptVersion: 'p1',
        rubricVersion: 'r1',
      });
    }
  }
  return id;
}

/** Whisper model of the whole-pipeline figure (the default multilingual base unless told otherwise). */
const REVIEW_MODEL = process.env.VIVA_BENCH_WHISPER_MODEL ?? 'base';
/** Length of the recording reviewed end to end. */
const REVIEW_SECONDS = Number(process.env.VIVA_BENCH_REVIEW_SECONDS ?? 300);
/** The fake LLM's time to first token and delay between chunks: a small, known cost per analysis call. */
const LLM_TIMING = { timeToFirstTokenMs: 150, chunkDelayMs: 2, chunkSize: 16 };
/** Shared English speech clips (16 kHz mono) strung together into an interview-length recording. */
const SPEECH_CLIPS = [
  'whisper.cpp-samples/jfk.wav',
  'librivox-sense-and-sensibility/sense_and_sensibility_01_austen_64kb-0870.wav',
  'cards/001.wav',
  'librivox-sense-and-sensibility/sense_and_sensibility_01_austen_64kb-0880.wav',
  'wenet/librispeech-1995-1837-0001.wav',
  'librivox-sense-and-sensibility/sense_and_sensibility_01_austen_64kb-0890.wav',
  'cards/005.wav',
  'librivox-sense-and-sensibility/sense_and_sensibility_01_austen_64kb-0920.wav',
  'librivox-sense-and-sensibility/sense_and_sensibility_01_austen_64kb-0930.wav',
];
/** Silence between two clips: longer than the VAD's redemption (400 ms), so each pause ends a turn. */
const PAUSE_MS = 1200;

/** Writes a `seconds`-long MP3 of shared speech clips separated by pauses; returns its path. */
async function makeLongRecording(dir: string, seconds: number): Promise<string> {
  const clips = await Promise.all(SPEECH_CLIPS.map((clip) => readSharedWav(clip)));
  const pause = new Float32Array((PAUSE_MS * 16_000) / 1000);
  const parts: Float32Array[] = [];
  let samples = 0;
  for (let i = 0; samples < seconds * 16_000; i++) {
    const clip = clips[i % clips.length] ?? pause;
    parts.push(clip, pause);
    samples += clip.length + pause.length;
  }
  const all = new Float32Array(samples);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  const wav = path.join(dir, 'interview.wav');
  await writeFile(wav, encodeWavPcm16(all.subarray(0, seconds * 16_000), 16_000));
  const mp3 = path.join(dir, 'interview.mp3');
  await run('ffmpeg', ['-y', '-v', 'error', '-i', wav, '-ar', '44100', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '128k', mp3]);
  return mp3;
}

/**
 * The figure: a 5-minute recording reviewed through the whole pipeline (ffmpeg decode → Session → Silero VAD →
 * whisper on 2 threads → answer analysis against a fake LLM with a known delay → SQLite + WAV), wall time and real-time
 * factor. Baseline: the transcriber alone decoding the same turns, one after another. Real weights: each turn's text is
 * what whisper heard, and that is what the analysis is asked about.
 */
async function wholePipelineRows(dir: string): Promise<BenchRow[]> {
  const recording = await makeLongRecording(dir, REVIEW_SECONDS);
  const probe = await probeAudioFile(recording);
  const audioMs = probe.durationMs ?? REVIEW_SECONDS * 1000;
  const llm = await startFakeLlmServer({ respond: quotingAnalysisResponder(LLM_TIMING) });
  const runtime = await loadSpeechRuntime({ modelsDir: MODELS_DIR, whisperModel: REVIEW_MODEL, whisperThreads: 2 });
  const core = await buildServer(testConfig({ dataDir: path.join(dir, 'pipeline'), llmBaseUrl: llm.baseUrl, whisperModel: REVIEW_MODEL }), silentLogger, {
    speechRuntime: { ...runtime, close: async () => undefined },
    retentionTimer: false,
  });
  const processRecording = core.app.processRecording;
  if (!processRecording) throw new Error('the app was built without storage');
  try {
    const { id } = core.repository.createInterview({ language: 'en', mode: 'recording', status: 'processing', title: 'bench' });
    let transcribedAt = 0;
    const started = performance.now();
    await processRecording({
      interviewId: id,
      filePath: recording,
      language: 'en',
      probe,
      signal: new AbortController().signal,
      onProgress: ({ stage }) => {
        if (stage === 'analysing' && transcribedAt === 0) transcribedAt = performance.now();
      },
    });
    const wallMs = performance.now() - started;
    const detail = core.repository.getInterviewDetail(id);
    const turns = detail?.turns ?? [];
    const scored = turns.filter((turn) => turn.score !== null).length;
    const chatCalls = llm.chatRequests().length;

    // Baseline: the same turns, cut from the decoded recording, through the transcriber alone.
    const { samples } = await decodeAudioFile(recording);
    let decodeAloneMs = 0;
    let speechMs = 0;
    for (const turn of turns) {
      const clip = samples.slice(Math.round(turn.startMs * 16), Math.round(turn.endMs * 16));
      speechMs += turn.endMs - turn.startMs;
      const t0 = performance.now();
      await runtime.transcriber.transcribe(clip, { language: 'en', purpose: 'final' });
      decodeAloneMs += performance.now() - t0;
    }
    const minutes = (audioMs / 60_000).toFixed(1);
    return [
      {
        name: `review ${minutes} min MP3 end to end (${REVIEW_MODEL}, 2 threads, fake LLM ${LLM_TIMING.timeToFirstTokenMs} ms to first token)`,
        value: wallMs / 1000,
        unit: 's',
        baseline: decodeAloneMs / 1000,
        note: `${turns.length} turns (${(speechMs / 1000).toFixed(0)} s of speech), ${scored} scored, ${chatCalls} LLM calls; baseline: whisper alone on the same turns`,
      },
      { name: 'review real-time factor (wall / audio)', value: wallMs / audioMs, unit: 'x', baseline: decodeAloneMs / audioMs, target: '< 1 (faster than real time)' },
      {
        name: 'analysis tail: last turn transcribed → everything stored',
        value: transcribedAt > 0 ? (started + wallMs - transcribedAt) / 1000 : Number.NaN,
        unit: 's',
        note: 'answers still being analysed when the transcription ends',
      },
    ];
  } finally {
    await core.close();
    await runtime.close();
    await llm.close();
  }
}

/** Review path costs: decoding uploads (vs bare ffmpeg), storage writes (vs raw SQLite), reads and report rendering. */
export async function bench(): Promise<BenchSection> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'viva-bench-review-'));
  const rows: BenchRow[] = [];
  try {
    // --- decoding a 5-minute upload ---
    const mp3 = path.join(dir, 'long.mp3');
    const webm = path.join(dir, 'long.webm');
    await run('ffmpeg', ['-y', '-v', 'error', '-stream_loop', String(LOOPS), '-i', JFK_WAV, '-ar', '44100', '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '128k', mp3]);
    await run('ffmpeg', ['-y', '-v', 'error', '-stream_loop', String(LOOPS), '-i', JFK_WAV, '-c:a', 'libopus', '-b:a', '32k', webm]);
    const audioSeconds = (await probeAudioFile(mp3)).durationMs! / 1000;
    for (const [name, file] of [
      ['MP3 44.1 kHz stereo', mp3],
      ['WebM/Opus', webm],
    ] as const) {
      const baseline = await medianMs(3, () => ffmpegNullDecode(file));
      const decode = await medianMs(3, () => decodeAudioFile(file));
      rows.push({
        name: `decode ${name} (${audioSeconds.toFixed(0)} s) to 16 kHz Float32`,
        value: decode,
        unit: 'ms',
        baseline,
        note: `${(audioSeconds / (decode / 1000)).toFixed(0)}x real time; baseline: ffmpeg to the null muxer (no pipe to Node)`,
      });
    }
    rows.push({ name: 'probe an upload (ffprobe)', value: await medianMs(5, () => probeAudioFile(mp3)), unit: 'ms', target: '<= 100', note: 'runs before the 202 reply' });

    // --- storage writes ---
    const normal = createRepository(path.join(dir, 'normal', 'viva.db'));
    const full = createRepository(path.join(dir, 'full', 'viva.db'), { synchronous: 'full' });
    const raw = new Database(path.join(dir, 'raw.db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.exec('CREATE TABLE progress (interview_id TEXT, channel TEXT, next_seq INTEGER, samples INTEGER, PRIMARY KEY (interview_id, channel))');
    const rawUpsert = raw.prepare(
      'INSERT INTO progress VALUES (?, ?, ?, ?) ON CONFLICT (interview_id, channel) DO UPDATE SET next_seq = excluded.next_seq, samples = excluded.samples',
    );
    const N = 2000;
    const perOpUs = (ms: number): number => (ms * 1000) / N;
    const normalId = normal.createInterview({ language: 'en', mode: 'copilot' }).id;
    const fullId = full.createInterview({ language: 'en', mode: 'copilot' }).id;
    const rawMs = await timeMs(() => {
      for (let i = 0; i < N; i++) rawUpsert.run('x', 'candidate', i, i * 320);
    });
    const normalMs = await timeMs(() => {
      for (let i = 0; i < N; i++) normal.saveChannelProgress(normalId, 'candidate', i, i * 320);
    });
    const fullMs = await timeMs(() => {
      for (let i = 0; i < N / 10; i++) full.saveChannelProgress(fullId, 'candidate', i, i * 320);
    });
    rows.push({ name: 'saveChannelProgress, WAL + synchronous=NORMAL', value: perOpUs(normalMs), unit: 'µs/op', baseline: perOpUs(rawMs), note: 'baseline: bare prepared UPSERT; one commit per call' });
    rows.push({ name: 'saveChannelProgress, WAL + synchronous=FULL', value: (fullMs * 1000) / (N / 10), unit: 'µs/op', baseline: perOpUs(normalMs), note: 'an fsync per commit; baseline: NORMAL' });

    const turnMs = await timeMs(() => {
      for (let i = 0; i < 500; i++) normal.saveTurn(normalId, { turnId: `t${i}`, channel: 'candidate', text: 'We sharded the orders table by user id. '.repeat(10), startMs: i * 1000, endMs: i * 1000 + 900 });
    });
    rows.push({ name: 'saveTurn (upsert + interview touch, one transaction)', value: (turnMs * 1000) / 500, unit: 'µs/op', target: '<= 1000' });

    const tenSeconds = new Float32Array(160_000).map((_, i) => Math.sin(i / 20) * 0.3);
    const audioMs = await medianMs(9, () => normal.saveTurnAudio(normalId, 't1', tenSeconds));
    const plainMs = await medianMs(9, () => writeFile(path.join(dir, 'plain.wav'), new Uint8Array(320_044)));
    rows.push({ name: 'saveTurnAudio, 10 s turn (temp file + fsync + rename)', value: audioMs, unit: 'ms', baseline: plainMs, note: 'baseline: plain writeFile of the same size, no fsync' });

    // --- reads and reports ---
    const seeded = seedInterview(normal, 200);
    const detailMs = await medianMs(9, () => normal.getInterviewDetail(seeded));
    rows.push({ name: 'getInterviewDetail, 200 turns, 100 scores (zod-validated)', value: detailMs, unit: 'ms', target: '<= 50' });
    const detail = normal.getInterviewDetail(seeded)!;
    const jsonMs = await medianMs(9, () => JSON.stringify(detail));
    rows.push({ name: 'render HTML report, 200 turns', value: await medianMs(9, () => renderReport(detail, 'html')), unit: 'ms', baseline: jsonMs, note: 'baseline: JSON.stringify of the detail' });
    rows.push({ name: 'render Markdown report, 200 turns', value: await medianMs(9, () => renderReport(detail, 'md')), unit: 'ms', baseline: jsonMs });

    // --- upload over HTTP until the 202 reply ---
    const paths = dataPaths(path.join(dir, 'api'));
    const repository = createRepository(paths.dbPath);
    const router = createInterviewsRouter({
      repository,
      uploadDir: paths.uploadDir,
      processRecording: async () => undefined,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    const app = express().use('/api', router);
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
    const body = new Blob([new Uint8Array(await readFile(mp3))]);
    const uploadTimes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { id } = repository.createInterview({ language: 'en', mode: 'recording', status: 'stopped' });
      uploadTimes.push(await timeMs(async () => {
        const response = await fetch(`${base}/interviews/${id}/recording`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
        if (response.status !== 202) throw new Error(`upload answered ${response.status}`);
      }));
    }
    uploadTimes.shift();
    uploadTimes.sort((a, b) => a - b);
    const probeMs = await medianMs(3, () => probeAudioFile(mp3));
    rows.push({
      name: `upload ${(body.size / 1e6).toFixed(1)} MB MP3 over HTTP to the 202 reply`,
      value: uploadTimes[1] ?? 0,
      unit: 'ms',
      baseline: probeMs,
      note: 'streamed to disk + ffprobe; baseline: the ffprobe alone',
    });
    await router.close();
    await new Promise((resolve) => server.close(resolve));
    for (const repo of [normal, full, repository]) repo.close();
    raw.close();

    // --- a whole recorded interview through the pipeline ---
    rows.push(...(await wholePipelineRows(dir)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { title: 'Review: decode, storage, reports, whole recorded interview', rows };
}
