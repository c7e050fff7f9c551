/**
 * Regenerates audio-fixtures/interview-long-en.opus and its sidecar: the synthetic two-speaker interview of issue 12
 * (three questions, about 100 s, one speaker per channel), where two answers have a pause inside them longer than the
 * VAD's redemption, so each of them is heard as two turns but is ONE answer. The interviewer asks the planned questions
 * in another order than planned and in other words.
 *
 *   npx tsx audio-fixtures/make-interview-long.ts
 *
 * Lines are spoken by espeak-ng (one voice per speaker), trimmed and resampled by sox to 16 kHz, laid on a timeline
 * (interviewer on the left channel, candidate on the right, silence while the other talks), and encoded by ffmpeg as
 * stereo Ogg Opus (speech-tuned, 24 kbit/s) so the file stays small enough for git. Needs espeak-ng, sox and ffmpeg.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { encodeWavPcm16, readWavFile } from '../server/audio/wav.ts';

const run = promisify(execFile);
const SAMPLE_RATE = 16_000;
const FIXTURES_DIR = import.meta.dirname;
const NAME = 'interview-long-en';
/** Fixtures live in git: refuse anything bigger. */
const MAX_FILE_BYTES = 400_000;

type Speaker = 'interviewer' | 'candidate';
/** A line, and the silence after it (a pause inside an answer is longer than the VAD's 400 ms redemption). */
interface Line {
  channel: Speaker;
  text: string;
  pauseAfterMs: number;
}

const VOICES: Record<Speaker, { voice: string; wordsPerMinute: number }> = {
  interviewer: { voice: 'en-us', wordsPerMinute: 175 },
  candidate: { voice: 'en-gb+f3', wordsPerMinute: 145 },
};

const TURN_GAP_MS = 1_500;
const PAUSE_IN_ANSWER_MS = 1_600;

const LINES: Line[] = [
  { channel: 'interviewer', text: "Let's start. Tell me about a system you designed and built yourself.", pauseAfterMs: TURN_GAP_MS },
  {
    channel: 'candidate',
    text: 'I built the payment retry service at my last company. It took failed card payments, waited, and tried them again with a back off, so that customers were never charged twice.',
    pauseAfterMs: PAUSE_IN_ANSWER_MS,
  },
  {
    channel: 'candidate',
    text: 'The hard part was making every retry idempotent. We used a unique key for each payment, and duplicate charges went from about one in ten thousand to zero over a week. It has now run for two years without losing a single payment.',
    pauseAfterMs: TURN_GAP_MS,
  },
  { channel: 'interviewer', text: 'Thanks. How did you test that service before it went live?', pauseAfterMs: TURN_GAP_MS },
  {
    channel: 'candidate',
    text: 'We wrote load tests that replayed a whole day of real traffic every night. We also broke the network on purpose in staging, to check that no payment was lost or sent twice. Before every release, we ran the whole suite against a copy of the production data.',
    pauseAfterMs: TURN_GAP_MS,
  },
  { channel: 'interviewer', text: 'Last question. Tell me about a time you disagreed with your manager.', pauseAfterMs: TURN_GAP_MS },
  {
    channel: 'candidate',
    text: 'My manager wanted to ship the retry service before the holiday sale. I thought it was too risky without a week of load testing, because a bug during the sale would have cost us a lot of money and trust.',
    pauseAfterMs: PAUSE_IN_ANSWER_MS,
  },
  {
    channel: 'candidate',
    text: 'I showed him the numbers from staging, and we agreed to turn it on for ten percent of the traffic first. It went well, and we turned it on for everyone a week later.',
    pauseAfterMs: 0,
  },
];

/** The plan, in another order and other words than asked; `askedAs` is the question (1-3, in asked order) it is. */
const PLANNED = [
  { id: 'testing', text: 'How do you test a service before it goes live?', askedAs: 2 },
  { id: 'conflict', text: 'Describe a time you disagreed with your manager, and what you did.', askedAs: 3 },
  { id: 'system', text: 'Tell me about a system you designed and built.', askedAs: 1 },
];

const EDGE_MS = 300;

async function speak(line: Line, workDir: string, index: number): Promise<Float32Array> {
  const raw = path.join(workDir, `${index}-raw.wav`);
  const clean = path.join(workDir, `${index}.wav`);
  const { voice, wordsPerMinute } = VOICES[line.channel];
  await run('espeak-ng', ['-v', voice, '-s', String(wordsPerMinute), '-w', raw, line.text]);
  await run('sox', [raw, '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', clean, 'silence', '1', '0.02', '0.5%', 'reverse', 'silence', '1', '0.02', '0.5%', 'reverse']);
  return (await readWavFile(clean)).samples;
}

const workDir = await mkdtemp(path.join(os.tmpdir(), 'viva-long-fixture-'));
try {
  const spoken = await Promise.all(LINES.map((line, index) => speak(line, workDir, index)));
  const toSamples = (ms: number) => Math.round((ms * SAMPLE_RATE) / 1000);
  const total = spoken.reduce((sum, samples, index) => sum + samples.length + toSamples(LINES[index]?.pauseAfterMs ?? 0), 0) + 2 * toSamples(EDGE_MS);
  const channels: Record<Speaker, Float32Array> = { interviewer: new Float32Array(total), candidate: new Float32Array(total) };
  const segments: Array<{ channel: Speaker; startMs: number; endMs: number; text: string; answer: number | null }> = [];
  let offset = toSamples(EDGE_MS);
  let question = 0;
  LINES.forEach((line, index) => {
    const samples = spoken[index]!;
    channels[line.channel].set(samples, offset);
    if (line.channel === 'interviewer') question++;
    const toMs = (at: number) => Math.round((at * 1000) / SAMPLE_RATE);
    segments.push({ channel: line.channel, startMs: toMs(offset), endMs: toMs(offset + samples.length), text: line.text, answer: line.channel === 'candidate' ? question : null });
    offset += samples.length + toSamples(line.pauseAfterMs);
  });
  const left = path.join(workDir, 'left.wav');
  const right = path.join(workDir, 'right.wav');
  await writeFile(left, encodeWavPcm16(channels.interviewer, SAMPLE_RATE));
  await writeFile(right, encodeWavPcm16(channels.candidate, SAMPLE_RATE));
  const target = path.join(FIXTURES_DIR, `${NAME}.opus`);
  await run('ffmpeg', ['-y', '-v', 'error', '-i', left, '-i', right, '-filter_complex', '[0:a][1:a]amerge=inputs=2[a]', '-map', '[a]', '-ac', '2',
    '-c:a', 'libopus', '-b:a', '24k', '-application', 'voip', '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact', target]);
  const { size } = await stat(target);
  if (size > MAX_FILE_BYTES) throw new Error(`${NAME}.opus has ${size} bytes, more than ${MAX_FILE_BYTES}`);
  const espeak = (await run('espeak-ng', ['--version'])).stdout.trim().split(/\s+/).find((word) => /^\d+\.\d+/.test(word)) ?? '?';
  const sidecar = {
    name: NAME,
    description: 'Synthetic two-speaker interview (issue 12): three questions, asked in another order than planned; answers 1 and 3 have a pause inside them the VAD splits.',
    language: 'en',
    sampleRate: SAMPLE_RATE,
    durationMs: Math.round((total * 1000) / SAMPLE_RATE),
    files: { stereo: `${NAME}.opus`, layout: 'left: interviewer, right: candidate' },
    segments,
    plannedQuestions: PLANNED,
    text: LINES.map((line) => line.text).join(' '),
    source: `Synthesized for Viva by audio-fixtures/make-interview-long.ts (espeak-ng ${espeak}; interviewer "${VOICES.interviewer.voice}" at ${VOICES.interviewer.wordsPerMinute} words/min, candidate "${VOICES.candidate.voice}" at ${VOICES.candidate.wordsPerMinute} words/min; Opus 24 kbit/s)`,
    licence: "CC0-1.0 (made for the project; espeak-ng's GPL covers the program, not the speech it outputs)",
  };
  await writeFile(path.join(FIXTURES_DIR, `${NAME}.json`), `${JSON.stringify(sidecar, null, 2)}\n`);
  console.log(`${NAME}: ${sidecar.durationMs} ms, ${segments.length} segments, ${size} bytes`);
} finally {
  await rm(workDir, { recursive: true, force: true });
}
