/**
 * The live pipeline end to end through the real server (Socket.IO on loopback, Silero VAD, whisper.cpp on base-sized
 * weights): end-of-speech → final transcript latency, ingest + VAD CPU per live interview, and how many simultaneous
 * real-time interviews one machine sustains before finals fall behind. Baselines: the same turn audio decoded by the
 * transcriber alone, and the VAD alone over the same audio.
 */
import { pathToFileURL } from 'node:url';
import { createApp } from '../../server/app.ts';
import { silentLogger } from '../../server/logger.ts';
import { loadSpeechRuntime } from '../../server/speech-runtime.ts';
import type { TurnDecoder } from '../../server/asr/turn-decoder.ts';
import { signIn } from '../helpers/auth.ts';
import { connectClient, startSession, stopSession, streamAudio, type ReceivedEvent } from '../helpers/socket-client.ts';
import { MODELS_DIR, readSharedWav } from '../helpers/speech-app.ts';
import type { BenchRow, BenchSection } from './types.ts';
import { percentile } from './stats.ts';

const MODEL = process.env.VIVA_BENCH_WHISPER_MODEL ?? 'base';


interface StreamRun {
  /** Wall ms from the moment the last speech sample was sent to the final's arrival, per turn. */
  endOfSpeechToFinalMs: number[];
  /** Wall ms from speech:end's arrival to the final's arrival, per turn. */
  speechEndToFinalMs: number[];
  turns: { startMs: number; endMs: number }[];
}

async function streamOnce(port: number, audio: Float32Array, speed: number, auth: { token: string }): Promise<StreamRun> {
  const { socket, events } = await connectClient(port, auth);
  const sessionId = await startSession(socket, { language: 'en', sampleRate: 16_000, channels: ['candidate'] });
  const startedWall = performance.now();
  await streamAudio(socket, sessionId, 'candidate', audio, { speed, frameMs: 100 });
  // Keep silence flowing like a live microphone so the last turn closes by VAD, not by stop.
  await streamAudio(socket, sessionId, 'candidate', new Float32Array(16_000), { speed, frameMs: 100, firstSeq: Math.ceil(audio.length / 1600) });
  await stopSession(socket, sessionId);
  socket.disconnect();
  const finals = events.filter((event) => event.name === 'transcript:final');
  const ends = events.filter((event) => event.name === 'speech:end');
  const run: StreamRun = { endOfSpeechToFinalMs: [], speechEndToFinalMs: [], turns: [] };
  for (const final of finals) {
    const payload = final.payload as { startMs: number; endMs: number };
    run.turns.push({ startMs: payload.startMs, endMs: payload.endMs });
    // Only turns the VAD closed while audio was still flowing measure live latency.
    if (payload.endMs >= (audio.length / 16_000) * 1000) continue;
    const sentAt = startedWall + payload.endMs / speed;
    run.endOfSpeechToFinalMs.push(final.atWallMs - sentAt);
    const end = ends.find((event: ReceivedEvent) => (event.payload as { atMs: number }).atMs === payload.endMs);
    if (end) run.speechEndToFinalMs.push(final.atWallMs - end.atWallMs);
  }
  return run;
}

/** Runs the pipeline bench. */
export async function bench(): Promise<BenchSection> {
  const rows: BenchRow[] = [];
  const runtime = await loadSpeechRuntime({ modelsDir: MODELS_DIR, whisperModel: MODEL, whisperThreads: 2 });
  const fixtures = [
    await readSharedWav('whisper.cpp-samples/jfk.wav'),
    await readSharedWav('librivox-sense-and-sensibility/sense_and_sensibility_01_austen_64kb-0870.wav'),
    await readSharedWav('librivox-sense-and-sensibility/sense_and_sensibility_01_austen_64kb-0920.wav'),
  ];
  const app = createApp({ createVad: runtime.createVad, decoder: runtime.decoder, logger: silentLogger, partialIntervalMs: 1000 });
  const port = await app.listen(0);
  const { socketAuth } = await signIn(app);
  try {
    // 1. Latency at real-time pace, one interview.
    const latencies: number[] = [];
    const afterVad: number[] = [];
    const turnClips: Float32Array[] = [];
    for (const audio of fixtures) {
      const run = await streamOnce(port, audio, 1, socketAuth);
      latencies.push(...run.endOfSpeechToFinalMs);
      afterVad.push(...run.speechEndToFinalMs);
      for (const turn of run.turns) turnClips.push(audio.slice(Math.round(turn.startMs * 16), Math.round(turn.endMs * 16)));
    }
    // Baseline: the same turn clips decoded by the transcriber alone (no socket, VAD or scheduler).
    const rawDecodeMs: number[] = [];
    let rawAudioMs = 0;
    for (const clip of turnClips) {
      const started = performance.now();
      await runtime.transcriber.transcribe(clip, { language: 'en', purpose: 'final' });
      rawDecodeMs.push(performance.now() - started);
      rawAudioMs += (clip.length / 16_000) * 1000;
    }
    const rawDecodeSum = rawDecodeMs.reduce((a, b) => a + b, 0);
    rows.push(
      { name: `end of speech → final, p50 (${MODEL}, ${latencies.length} turns)`, value: percentile(latencies, 50), unit: 'ms', baseline: percentile(rawDecodeMs, 50), target: '<= 800', note: 'baseline: decode of the turn alone' },
      { name: 'end of speech → final, p95', value: percentile(latencies, 95), unit: 'ms', baseline: percentile(rawDecodeMs, 95) },
      { name: 'speech:end → final, p50 (after the VAD decided)', value: percentile(afterVad, 50), unit: 'ms', baseline: percentile(rawDecodeMs, 50) },
      { name: `turn decode real-time factor (${MODEL}, 2 threads)`, value: rawDecodeSum / rawAudioMs, unit: 'x', target: '<= 0.15' },
    );

    // 2. Ingest + VAD CPU per live interview (two channels), ASR replaced by a decoder that does nothing.
    const idleDecoder: TurnDecoder = { decode: async () => ({ skipped: true, reason: 'bench' }) };
    const vadApp = createApp({ createVad: runtime.createVad, decoder: idleDecoder, logger: silentLogger, partialIntervalMs: 1000 });
    const vadPort = await vadApp.listen(0);
    const vadCaller = await signIn(vadApp);
    const interview = fixtures[1] ?? new Float32Array(16_000);
    const cpuBefore = process.cpuUsage();
    const { socket } = await connectClient(vadPort, vadCaller.socketAuth);
    const sessionId = await startSession(socket, { language: 'en', sampleRate: 16_000, channels: ['interviewer', 'candidate'] });
    await Promise.all([
      streamAudio(socket, sessionId, 'interviewer', interview, { speed: Infinity, frameMs: 100 }),
      streamAudio(socket, sessionId, 'candidate', interview, { speed: Infinity, frameMs: 100 }),
    ]);
    await stopSession(socket, sessionId);
    socket.disconnect();
    const cpu = process.cpuUsage(cpuBefore);
    await vadApp.close();
    const audioSeconds = interview.length / 16_000;
    const ingestCpuMsPerSecond = (cpu.user + cpu.system) / 1000 / audioSeconds;
    // Baseline: the VAD alone over the same audio, both channels.
    const vadCpuBefore = process.cpuUsage();
    for (const channel of ['interviewer', 'candidate'] as const) {
      const vad = runtime.createVad(channel);
      for (let offset = 0; offset < interview.length; offset += 1600) await vad.push(interview.slice(offset, offset + 1600));
      await vad.flush();
    }
    const vadCpu = process.cpuUsage(vadCpuBefore);
    const vadCpuMsPerSecond = (vadCpu.user + vadCpu.system) / 1000 / audioSeconds;
    rows.push({
      name: 'ingest + VAD CPU per live 2-channel interview (client and server in this process)',
      value: ingestCpuMsPerSecond / 10,
      unit: '% of a core',
      baseline: vadCpuMsPerSecond / 10,
      note: 'baseline: the VAD alone on both channels',
    });

    // 3. Simultaneous real-time interviews (one channel each) until finals fall behind.
    const jfk = fixtures[0] ?? new Float32Array(0);
    let sustained = 0;
    for (const streams of [1, 2, 3, 4, 6]) {
      const runs = await Promise.all(Array.from({ length: streams }, () => streamOnce(port, jfk, 1, socketAuth)));
      const all = runs.flatMap((run) => run.endOfSpeechToFinalMs);
      const p95 = percentile(all, 95);
      rows.push({ name: `${streams} simultaneous streams: end of speech → final p95`, value: p95, unit: 'ms', baseline: percentile(latencies, 95), note: 'baseline: one stream' });
      // Behind = a final more than 2 s after its speech ended: the next answer would start before it shows.
      if (p95 <= 2000) sustained = streams;
      else break;
    }
    rows.push({ name: 'simultaneous real-time streams sustained (finals p95 ≤ 2 s)', value: sustained, unit: 'streams' });
    const stats = runtime.scheduler.stats();
    rows.push({ name: 'partials skipped by the scheduler (machine behind) over the whole bench', value: stats.partials.skipped.behind + stats.partials.skipped.stale, unit: 'partials' });
  } finally {
    await app.close();
    await runtime.close();
  }
  return { title: `Live pipeline (real server, Silero + whisper ${MODEL} on 2 threads)`, rows };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const section = await bench();
  console.log(JSON.stringify(section, null, 2));
}
