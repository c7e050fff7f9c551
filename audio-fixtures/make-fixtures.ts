/**
 * Regenerates the clips in audio-fixtures/ and their JSON sidecars:
 *
 *   npx tsx audio-fixtures/make-fixtures.ts
 *
 * Each line of a script is spoken by espeak-ng (a different voice per speaker), converted by sox to 16 kHz mono 16-bit
 * with the silence around it trimmed, then laid on a timeline with pauses longer than the VAD's 400 ms redemption, so
 * every line is one speech turn. The recipe writes the mixed clip (one microphone hearing both speakers), and for a
 * two-speaker script one clip per speaker (the same timeline, silence while the other talks: the two-channel capture),
 * plus a sidecar with the segment times, the reference text, the source and the licence. espeak-ng and sox are
 * deterministic, so a rerun reproduces the files (the versions used are written in each sidecar). Needs espeak-ng and
 * sox on the PATH (Debian: apt-get install espeak-ng sox).
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
/** Clips bigger than this are refused: fixtures live in git. */
const MAX_FILE_BYTES = 300_000;

/** One line of a script. */
interface ScriptLine {
  channel: 'interviewer' | 'candidate';
  text: string;
}

/** A fixture to make. */
interface FixtureScript {
  name: string;
  description: string;
  language: 'en' | 'zh';
  /** espeak-ng voice per speaker. */
  voices: Record<ScriptLine['channel'], string>;
  /** espeak-ng words per minute, per speaker. */
  wordsPerMinute: Record<ScriptLine['channel'], number>;
  lines: ScriptLine[];
  /** Silence between two lines, before the first and after the last. */
  pauseMs: number;
  edgeMs: number;
  /** Also write one clip per speaker. */
  perChannel: boolean;
}

const SCRIPTS: FixtureScript[] = [
  {
    name: 'interview-en',
    description: 'A short English interview: two questions from the interviewer, two answers from the candidate.',
    language: 'en',
    // Voices and rates whisper tiny.en reads well (en-gb+f3 at 160 words/min: "I built a payment queue" word for word).
    voices: { interviewer: 'en-us', candidate: 'en-gb+f3' },
    wordsPerMinute: { interviewer: 200, candidate: 160 },
    lines: [
      { channel: 'interviewer', text: 'Tell me about a system you built.' },
      { channel: 'candidate', text: 'I built a payment queue on Kafka.' },
      { channel: 'interviewer', text: 'How did you test it?' },
      { channel: 'candidate', text: 'With load tests every night.' },
    ],
    pauseMs: 600,
    edgeMs: 150,
    perChannel: true,
  },
  {
    name: 'interview-zh',
    description: 'A short Mandarin exchange: one question, one answer (espeak-ng cmn).',
    language: 'zh',
    voices: { interviewer: 'cmn', candidate: 'cmn+f3' },
    wordsPerMinute: { interviewer: 210, candidate: 210 },
    lines: [
      { channel: 'interviewer', text: '请介绍一下你的项目。' },
      { channel: 'candidate', text: '我做了五年的支付系统。' },
    ],
    pauseMs: 650,
    edgeMs: 200,
    perChannel: false,
  },
];

/** The sidecar written beside each clip (see audio-fixtures/README.md). */
export interface FixtureSidecar {
  name: string;
  description: string;
  language: 'en' | 'zh';
  sampleRate: number;
  durationMs: number;
  /** The mixed clip, and the per-speaker clips when there are any (same timeline). */
  files: { mixed: string; channels?: Record<ScriptLine['channel'], string> };
  /** One speech turn per line, times in the clip in milliseconds. */
  segments: Array<{ channel: ScriptLine['channel']; startMs: number; endMs: number; text: string }>;
  /** Every line in order, joined by spaces. */
  text: string;
  source: string;
  licence: string;
}

async function speak(line: ScriptLine, script: FixtureScript, workDir: string, index: number): Promise<Float32Array> {
  const raw = path.join(workDir, `${script.name}-${index}-raw.wav`);
  const clean = path.join(workDir, `${script.name}-${index}.wav`);
  await run('espeak-ng', ['-v', script.voices[line.channel], '-s', String(script.wordsPerMinute[line.channel]), '-w', raw, line.text]);
  // Trim espeak's own leading and trailing silence so the sidecar's times are where speech is.
  await run('sox', [raw, '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', clean, 'silence', '1', '0.02', '0.5%', 'reverse', 'silence', '1', '0.02', '0.5%', 'reverse']);
  return (await readWavFile(clean)).samples;
}

async function toolVersions(): Promise<string> {
  const espeak = (await run('espeak-ng', ['--version'])).stdout.trim().split(/\s+/).find((word) => /^\d+\.\d+/.test(word)) ?? '?';
  const sox = (await run('sox', ['--version'])).stdout.trim().replace(/^.*v/, '');
  return `espeak-ng ${espeak}, sox ${sox}`;
}

async function writeClip(fileName: string, samples: Float32Array): Promise<void> {
  const filePath = path.join(FIXTURES_DIR, fileName);
  await writeFile(filePath, encodeWavPcm16(samples, SAMPLE_RATE));
  const { size } = await stat(filePath);
  if (size > MAX_FILE_BYTES) throw new Error(`${fileName} has ${size} bytes, more than ${MAX_FILE_BYTES}: shorten the script`);
}

async function makeFixture(script: FixtureScript, workDir: string, versions: string): Promise<void> {
  const spoken = await Promise.all(script.lines.map((line, index) => speak(line, script, workDir, index)));
  const msToSamples = (ms: number) => Math.round((ms * SAMPLE_RATE) / 1000);
  const total = spoken.reduce((sum, samples) => sum + samples.length, 0) + msToSamples(script.pauseMs) * (spoken.length - 1) + 2 * msToSamples(script.edgeMs);
  const mixed = new Float32Array(total);
  const perChannel = { interviewer: new Float32Array(total), candidate: new Float32Array(total) };
  const segments: FixtureSidecar['segments'] = [];
  let offset = msToSamples(script.edgeMs);
  script.lines.forEach((line, index) => {
    const samples = spoken[index]!;
    mixed.set(samples, offset);
    perChannel[line.channel].set(samples, offset);
    segments.push({ channel: line.channel, startMs: Math.round((offset * 1000) / SAMPLE_RATE), endMs: Math.round(((offset + samples.length) * 1000) / SAMPLE_RATE), text: line.text });
    offset += samples.length + msToSamples(script.pauseMs);
  });

  const files: FixtureSidecar['files'] = { mixed: `${script.name}.wav` };
  await writeClip(files.mixed, mixed);
  if (script.perChannel) {
    files.channels = { interviewer: `${script.name}.interviewer.wav`, candidate: `${script.name}.candidate.wav` };
    await writeClip(files.channels.interviewer, perChannel.interviewer);
    await writeClip(files.channels.candidate, perChannel.candidate);
  }
  const voices = (['interviewer', 'candidate'] as const).map((channel) => `${channel} "${script.voices[channel]}" at ${script.wordsPerMinute[channel]} words/min`).join(', ');
  const sidecar: FixtureSidecar = {
    name: script.name,
    description: script.description,
    language: script.language,
    sampleRate: SAMPLE_RATE,
    durationMs: Math.round((total * 1000) / SAMPLE_RATE),
    files,
    segments,
    text: script.lines.map((line) => line.text).join(' '),
    source: `Synthesized for Viva by audio-fixtures/make-fixtures.ts (${versions}; ${voices})`,
    licence: 'CC0-1.0 (made for the project; espeak-ng\'s GPL covers the program, not the speech it outputs)',
  };
  await writeFile(path.join(FIXTURES_DIR, `${script.name}.json`), `${JSON.stringify(sidecar, null, 2)}\n`);
  console.log(`${script.name}: ${sidecar.durationMs} ms, ${segments.length} segments`);
}

const workDir = await mkdtemp(path.join(os.tmpdir(), 'viva-fixtures-'));
try {
  const versions = await toolVersions();
  for (const script of SCRIPTS) await makeFixture(script, workDir, versions);
} finally {
  await rm(workDir, { recursive: true, force: true });
}
