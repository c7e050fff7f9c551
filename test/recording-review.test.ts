/**
 * Review of recorded calls end to end, over real HTTP against the real server (`buildServer`: Express + the interviews
 * router + the recording processor feeding ffmpeg's decode through Session → Silero VAD → whisper.cpp → answer analysis →
 * SQLite and WAV files), with a fake vLLM speaking the real wire protocol. Plus the `viva review` command, in process and
 * spawned as `npx viva review`. Whisper runs real weights (English tiny.en-q8_0; multilingual base for the Mandarin
 * recording, on a server of its own): the text of every turn is what whisper heard, checked against the clip's reference
 * transcript with an error-rate bound, never as an exact string.
 */
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { samplesToMs } from '../protocol/audio.ts';
import type { ApiErrorBody, Interview, InterviewDetail, RecordingAccepted, RecordingStatus } from '../protocol/interviews.ts';
import { VIVA_EXIT, runViva } from '../server/cli/viva.ts';
import { silentLogger } from '../server/logger.ts';
import type { InterviewReport } from '../server/reports/build-report.ts';
import { buildServer, type BuiltServer } from '../server/core.ts';
import { signIn } from './helpers/auth.ts';
import { loadSpeechRuntime, type SpeechRuntime } from '../server/speech-runtime.ts';
import type { TurnVad } from '../server/vad/turn-vad.ts';
import { startFakeLlmServer, type FakeLlmServer } from './fakes/fake-llm-server.ts';
import { JFK_DURATION_MS, makeRecordings } from './helpers/recordings.ts';
import { ENGLISH_TEST_MODEL, MODELS_DIR, MULTILINGUAL_TEST_MODEL, SHARED_AUDIO } from './helpers/speech-app.ts';
import { answerOf, encodeWith, quotingAnalysisResponder, sharedAudio, testConfig } from './helpers/review-pipeline.ts';
import { characterErrorRate, normalizedWords, wordErrorRate } from './helpers/transcript-accuracy.ts';

// Real decodes on a shared 2-core machine: generous time, never asserted (speed lives in `npm run bench`).
vi.setConfig({ testTimeout: 180_000 });

const JFK_TEXT = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
const ZH_CLIP = 'aishell-misc/BAC009S0764W0121.wav';
const ZH_TEXT = '甚至出现交易几乎停滞的情况';

/** The global fetch with a signed-in admin's token (the server in use's; test/helpers/auth.ts). */
let fetch: typeof globalThis.fetch = globalThis.fetch;
let dir: string;
let dataDir: string;
let llm: FakeLlmServer;
let runtime: SpeechRuntime;
let server: BuiltServer;
let base: string;
let mp3: string;
let wav44: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'viva-recording-review-'));
  dataDir = path.join(dir, 'data');
  llm = await startFakeLlmServer({ respond: quotingAnalysisResponder() });
  // Real English weights, fast; the Mandarin test starts a server with the multilingual model.
  runtime = await loadSpeechRuntime({ modelsDir: MODELS_DIR, whisperModel: ENGLISH_TEST_MODEL, whisperThreads: 2 });
  // The runtime is shared with the CLI tests below: it is closed once, in afterAll, not by each user.
  server = await buildServer(testConfig({ dataDir, llmBaseUrl: llm.baseUrl }), silentLogger, {
    speechRuntime: { ...runtime, createVad: (channel) => gated(runtime.createVad(channel)), close: async () => undefined },
  });
  base = `http://127.0.0.1:${await server.listen()}/api`;
  fetch = (await signIn(server.app)).fetch;
  ({ mp3, 'wav-44k-stereo': wav44 } = await makeRecordings(dir, ['mp3', 'wav-44k-stereo']));
});

afterAll(async () => {
  await server?.close();
  await runtime?.close();
  await llm?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * When set, the VAD holds once `afterMs` of audio went in until the interview has a stored turn. ffmpeg is then held too
 * (its stdout pipe fills up), so a recording that breaks later deterministically fails after turns were written.
 */
let vadGate: { interviewId: string; afterMs: number; storedTurnsSeen: number } | null = null;

function gated(vad: TurnVad): TurnVad {
  let pushedMs = 0;
  return {
    async push(samples) {
      pushedMs += samplesToMs(samples.length);
      const gate = vadGate;
      if (gate && pushedMs >= gate.afterMs && gate.storedTurnsSeen === 0) {
        const deadline = performance.now() + 30_000;
        while (performance.now() < deadline) {
          gate.storedTurnsSeen = server.repository.getInterviewDetail(gate.interviewId)?.turns.length ?? 0;
          if (gate.storedTurnsSeen > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      return vad.push(samples);
    },
    flush: () => vad.flush(),
  };
}

async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${response.status} ${response.url}: not JSON: ${text.slice(0, 200)}`);
  }
}

async function createInterview(body: object): Promise<Interview> {
  const response = await fetch(`${base}/interviews`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  return json<Interview>(response);
}

async function upload(id: string, file: string | Uint8Array, query = '', contentType = 'application/octet-stream'): Promise<Response> {
  const bytes = typeof file === 'string' ? new Uint8Array(await readFile(file)) : file;
  return fetch(`${base}/interviews/${id}/recording${query}`, { method: 'POST', headers: { 'content-type': contentType }, body: new Blob([bytes as Uint8Array<ArrayBuffer>]) });
}

/** Polls the job status until it settles; returns every status seen (progress as a user's screen would show it). */
async function followJob(id: string, timeoutMs = 170_000): Promise<RecordingStatus[]> {
  const seen: RecordingStatus[] = [];
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const status = await json<RecordingStatus>(await fetch(`${base}/interviews/${id}/recording/status`));
    seen.push(status);
    if (status.state === 'done' || status.state === 'failed' || status.state === 'cancelled') return seen;
    if (performance.now() > deadline) throw new Error(`job of ${id} still ${status.state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

async function detailOf(id: string): Promise<InterviewDetail> {
  const response = await fetch(`${base}/interviews/${id}`);
  expect(response.status).toBe(200);
  return json<InterviewDetail>(response);
}

/** Uploads one recording to a new interview and waits for its processing; returns the settled detail and statuses. */
async function review(file: string, options: { language: 'en' | 'zh'; contentType?: string }) {
  const interview = await createInterview({ title: path.basename(file), language: options.language, candidateName: 'Test Candidate', role: 'Backend engineer' });
  const response = await upload(interview.id, file, `?language=${options.language}`, options.contentType);
  expect(response.status, await response.clone().text()).toBe(202);
  const accepted = await json<RecordingAccepted>(response);
  const statuses = await followJob(interview.id);
  return { interview, accepted, statuses, detail: await detailOf(interview.id), markdown: '' };
}

/** Progress as the status endpoint showed it: never backwards, something in between, and 1 only when done. */
function expectProgressRisesToOne(statuses: RecordingStatus[]): void {
  const fractions = statuses.map((status) => status.progress);
  for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1] ?? 0);
  expect(fractions.some((fraction) => fraction > 0 && fraction < 1)).toBe(true);
  expect(statuses.filter((status) => status.progress === 1).every((status) => status.state === 'done')).toBe(true);
  const last = statuses.at(-1);
  expect(last).toMatchObject({ state: 'done', progress: 1, error: null });
  // The stages the user sees while waiting.
  expect(statuses.map((status) => status.stage)).toContain('transcribing');
}

/** The turn layout of jfk.wav: four candidate turns in order, inside the recording, together reading as jfk.txt. */
function expectJfkTurns(detail: InterviewDetail): void {
  expect(detail.turns).toHaveLength(4);
  const text = detail.turns.map((turn) => turn.text).join(' ');
  expect(wordErrorRate(JFK_TEXT, text), text).toBeLessThan(0.15);
  const expected: [number, number][] = [
    [300, 2300],
    [3300, 4500],
    [5400, 7700],
    [8200, 10600],
  ];
  detail.turns.forEach((turn, index) => {
    const [start, end] = expected[index] ?? [0, 0];
    expect(turn.channel).toBe('candidate');
    expect(turn.startMs).toBeGreaterThanOrEqual(0);
    expect(turn.endMs).toBeLessThanOrEqual(JFK_DURATION_MS + 100);
    // Pre-speech pad and codec delay (MP3 adds ~50 ms) on the start; the VAD's redemption on the end.
    expect(turn.startMs).toBeGreaterThan(start - 500);
    expect(turn.startMs).toBeLessThan(start + 200);
    expect(turn.endMs).toBeGreaterThan(end - 200);
    expect(turn.endMs).toBeLessThan(index === 3 ? JFK_DURATION_MS + 100 : end + 400);
    if (index > 0) expect(turn.startMs).toBeGreaterThanOrEqual(detail.turns[index - 1]?.endMs ?? 0);
    expect(turn.hasAudio).toBe(true);
  });
}

/**
 * Every answer (the candidate's turns between two interviewer turns: here the whole speech, one answer) has a stored
 * suggestion building on its words and a validated score quoting it with times, under its first turn; its other turns
 * carry no analysis of their own.
 */
function expectAnalysed(detail: InterviewDetail): void {
  const candidate = detail.turns.filter((turn) => turn.channel === 'candidate');
  const first = candidate[0];
  expect(candidate.map((turn) => turn.answerId)).toEqual(candidate.map(() => first?.turnId));
  const text = candidate.map((turn) => turn.text.trim()).join(' ');
  for (const turn of candidate.slice(1)) expect([turn.score, turn.suggestions, turn.failure]).toEqual([null, null, null]);
  expect(first?.failure).toBeNull();
  expect(first?.suggestions?.suggestions.length).toBe(1);
  expect(first?.suggestions?.suggestions[0]?.question).toContain('What did you mean by');
  expect(first?.score?.label).toBe('answer');
  expect(first?.score?.dimensions.map((dimension) => dimension.score)).toEqual([6, 8, 5]);
  const evidence = first?.score?.dimensions[0]?.evidence[0];
  expect(text).toContain(evidence?.quote);
  // Evidence times fall inside the answer (the quote was found in the transcript, not taken on trust).
  expect(evidence?.startMs).toBeGreaterThanOrEqual(first?.startMs ?? 0);
  expect(evidence?.endMs).toBeLessThanOrEqual(candidate.at(-1)?.endMs ?? 0);
}

describe('review of a recorded call through the real server', () => {
  it('turns an MP3 upload into the four turns the live pipeline finds, analysed as the one answer they are, with progress rising to 1', async () => {
    const { interview, accepted, statuses, detail } = await review(mp3, { language: 'en', contentType: 'audio/mpeg' });
    expect(accepted).toMatchObject({ interviewId: interview.id, format: 'mp3' });
    expect(accepted.durationMs).toBeGreaterThan(JFK_DURATION_MS - 100);
    expectProgressRisesToOne(statuses);

    expect(detail.interview).toMatchObject({ status: 'done', mode: 'recording', statusMessage: null });
    expectJfkTurns(detail);
    expectAnalysed(detail);
    // The one answer (a speech with no question in it) was sent to the LLM with all its words: follow-ups and score.
    const turnTexts = detail.turns.map((turn) => turn.text);
    const answerText = turnTexts.map((text) => text.trim()).join(' ');
    const answers = llm.chatRequests().filter((request) => answerOf(request) === answerText);
    expect(answers).toHaveLength(2);

    // Each turn's audio is kept as a 16 kHz mono WAV of the turn's length.
    const first = detail.turns[0];
    const audio = await fetch(`${base}/interviews/${interview.id}/turns/${first?.turnId}/audio`);
    expect(audio.status).toBe(200);
    expect(audio.headers.get('content-type')).toContain('audio/wav');
    const bytes = (await audio.arrayBuffer()).byteLength;
    expect(bytes).toBeGreaterThan(((first?.endMs ?? 0) - (first?.startMs ?? 0) - 100) * 32);

    // The reports render every turn, its score and its suggestion.
    const html = await fetch(`${base}/interviews/${interview.id}/report?format=html`);
    expect(html.headers.get('content-type')).toContain('text/html');
    const htmlText = await html.text();
    const markdown = await (await fetch(`${base}/interviews/${interview.id}/report?format=md`)).text();
    // Markdown escapes punctuation (`Ask not\!`): compare words.
    const markdownWords = normalizedWords(markdown).join(' ');
    for (const text of turnTexts) {
      expect(htmlText).toContain(text);
      expect(markdownWords).toContain(normalizedWords(text).join(' '));
    }
    expect(markdown).toContain('What did you mean by');
    const report = await json<InterviewReport>(await fetch(`${base}/interviews/${interview.id}/report?format=json`));
    const reportAnswers = report.questions.flatMap((question) => question.answers);
    expect(reportAnswers.map((answer) => [answer.text, answer.turnIds.length, answer.status])).toEqual([[answerText, 4, 'scored']]);
    expect(report.summary.counts).toMatchObject({ answers: 1, scored: 1, failed: 0 });
    // One scored answer is not enough to recommend anything.
    expect(report.summary.recommendation).toBe('insufficient-evidence');

    // Wall time vs audio: reported (the bench tracks it), never asserted.
    const last = statuses.at(-1);
    if (last?.startedAtMs && last.finishedAtMs) {
      console.info(`MP3 review: ${last.finishedAtMs - last.startedAtMs} ms for ${JFK_DURATION_MS} ms of audio (${MULTILINGUAL_TEST_MODEL})`);
    }
  });

  it('finds the same turns in a 44.1 kHz stereo WAV of the same speech (the same mix on both channels: not split)', async () => {
    const { statuses, detail } = await review(wav44, { language: 'en', contentType: 'audio/wav' });
    expectProgressRisesToOne(statuses);
    expectJfkTurns(detail);
    expectAnalysed(detail);
  });

  it('keeps what a truncated recording holds and says it was cut short, in the status and the report', async () => {
    // An M4A with its index up front (+faststart) still declares all 11 s, but only the first 60 % of the bytes arrived.
    const m4a = path.join(dir, 'jfk-faststart.m4a');
    await promisify(execFile)('ffmpeg', ['-y', '-v', 'error', '-i', path.join(SHARED_AUDIO, 'whisper.cpp-samples/jfk.wav'), '-c:a', 'aac', '-b:a', '64k', '-movflags', '+faststart', m4a]);
    const whole = await readFile(m4a);
    const cut = path.join(dir, 'truncated.m4a');
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const { detail } = await review(cut, { language: 'en', contentType: 'audio/mp4' });
    expect(detail.interview.status).toBe('done');
    expect(detail.interview.statusMessage).toMatch(/truncated: only 6\.\d s of the 11\.0 s/);
    expect(detail.turns.length).toBeGreaterThanOrEqual(2);
    expect(detail.turns.length).toBeLessThan(4);
    const report = await fetch(`${base}/interviews/${detail.interview.id}/report?format=md`);
    expect(await report.text()).toMatch(/truncated/);
  });

  it('reviews a Mandarin M4A with language zh on the multilingual model: simplified Chinese turn, Chinese prompts, Chinese report', async () => {
    const m4a = await encodeWith(sharedAudio(ZH_CLIP), path.join(dir, 'zh.m4a'), ['-c:a', 'aac', '-b:a', '64k']);
    const before = llm.chatRequests().length;
    const englishBase = base;
    const englishFetch = fetch;
    const zhServer = await buildServer(
      testConfig({ dataDir: path.join(dir, 'zh-data'), llmBaseUrl: llm.baseUrl, whisperModel: MULTILINGUAL_TEST_MODEL }),
      silentLogger,
    );
    let reviewed: Awaited<ReturnType<typeof review>>;
    try {
      base = `http://127.0.0.1:${await zhServer.listen()}/api`;
      fetch = (await signIn(zhServer.app)).fetch;
      reviewed = await review(m4a, { language: 'zh' });
      reviewed.markdown = await (await fetch(`${base}/interviews/${reviewed.detail.interview.id}/report?format=md`)).text();
    } finally {
      base = englishBase;
      fetch = englishFetch;
      await zhServer.close();
    }
    const { statuses, detail, markdown } = reviewed;
    expectProgressRisesToOne(statuses);
    expect(detail.interview.language).toBe('zh');
    expect(detail.turns).toHaveLength(1);
    const turn = detail.turns[0];
    const text = turn?.text ?? '';
    expect(characterErrorRate(ZH_TEXT, text), text).toBeLessThan(0.35);
    // Simplified characters: whisper alone writes some traditional ones for Mandarin.
    expect(text).not.toMatch(/[現幾況]/);
    expect(turn?.endMs).toBeLessThanOrEqual(4300);
    expectAnalysed(detail);
    // The fake quotes the answer's first four characters: found verbatim in the real transcript.
    expect(turn?.score?.dimensions[0]?.evidence[0]?.quote).toBe(Array.from(text.replace(/\s+/g, '')).slice(0, 4).join(''));
    // The analysis used the Chinese prompts.
    const calls = llm.chatRequests().slice(before);
    expect(calls).toHaveLength(2);
    for (const call of calls) expect(JSON.stringify(call.body?.messages)).toMatch(/候选人/);

    expect(markdown).toContain(text);
    // The report speaks the interview's language.
    expect(markdown).toMatch(/\*\*回答\*\* `0:0\d–0:0\d`/);
  });

  it('refuses an empty and a non-audio upload with clear errors, touching nothing', async () => {
    const interview = await createInterview({ title: 'bad uploads', language: 'en' });
    const empty = await upload(interview.id, new Uint8Array(0));
    expect(empty.status).toBe(400);
    expect((await json<ApiErrorBody>(empty)).error).toMatchObject({ code: 'empty-upload', message: expect.stringContaining('empty') });

    const notes = path.join(dir, 'notes.mp3');
    await writeFile(notes, 'Interview notes: strong on SQL, weak on caching. '.repeat(200));
    const notAudio = await upload(interview.id, notes, '', 'audio/mpeg');
    expect(notAudio.status).toBe(422);
    const error = (await json<ApiErrorBody>(notAudio)).error;
    expect(error.code).toBe('not-audio');
    expect(error.message).toMatch(/not audio/);
    // No server path leaks into the message.
    expect(error.message).not.toContain(dataDir);

    const detail = await detailOf(interview.id);
    expect(detail.interview.status).toBe('stopped');
    expect(detail.turns).toEqual([]);
    expect(await readdir(path.join(dataDir, 'uploads'))).toEqual([]);
    expect((await json<RecordingStatus>(await fetch(`${base}/interviews/${interview.id}/recording/status`))).state).toBe('none');
  });

  it('fails a recording that breaks mid-decode with a clear error and keeps nothing of it', async () => {
    // A 33 s M4A whose index is intact (ffprobe accepts it) but whose audio turns to garbage after 30%: ffmpeg decodes the
    // first ~9 s (turns are heard and stored), then gives up because most frames are broken (exit code 69).
    const good = await encodeWith(sharedAudio('whisper.cpp-samples/jfk.wav'), path.join(dir, 'long.m4a'), ['-c:a', 'aac', '-b:a', '64k', '-movflags', '+faststart'], ['-stream_loop', '2']);
    const bytes = new Uint8Array(await readFile(good));
    let seed = 1;
    for (let i = Math.floor(bytes.length * 0.3); i < bytes.length; i++) {
      seed = (seed * 1_103_515_245 + 12_345) >>> 0;
      bytes[i] = seed >>> 24;
    }
    const broken = path.join(dir, 'broken.m4a');
    await writeFile(broken, bytes);
    const interview = await createInterview({ title: 'broken', language: 'en' });
    vadGate = { interviewId: interview.id, afterMs: 5000, storedTurnsSeen: 0 };
    try {
      const response = await upload(interview.id, broken, '?language=en', 'audio/mp4');
      expect(response.status).toBe(202);
      expect((await json<RecordingAccepted>(response)).durationMs).toBeGreaterThan(30_000);
      const statuses = await followJob(interview.id);
      const last = statuses.at(-1);
      expect(last?.state).toBe('failed');
      expect(last?.error?.code).toBe('decode-failed');
      expect(last?.error?.message).toMatch(/decoding failed after \d+(\.\d)? s of audio/);
      // Turns had been stored before the failure...
      expect(vadGate.storedTurnsSeen).toBeGreaterThan(0);
    } finally {
      vadGate = null;
    }

    // ...and none of them stays.
    const detail = await detailOf(interview.id);
    expect(detail.interview.status).toBe('failed');
    expect(detail.interview.statusMessage).toMatch(/decoding failed/);
    expect(detail.turns).toEqual([]);
    const audioDir = path.join(dataDir, 'audio', interview.id);
    expect(existsSync(audioDir) ? await readdir(audioDir) : []).toEqual([]);
    expect(await readdir(path.join(dataDir, 'uploads'))).toEqual([]);
    // The report of a failed interview says so instead of showing half a transcript.
    const report = await json<InterviewReport>(await fetch(`${base}/interviews/${interview.id}/report?format=json`));
    expect(report.interview).toMatchObject({ status: 'failed' });
    expect(report.questions).toEqual([]);
  });
});

describe('viva review', () => {
  function buffer(isTTY = false): { write(text: string): void; text: () => string; isTTY: boolean } {
    let text = '';
    return { write: (chunk: string) => void (text += chunk), text: () => text, isTTY };
  }

  it('builds the real pipeline from the configuration, reviews an MP3 and writes the Markdown report', async () => {
    const cliData = path.join(dir, 'cli-data');
    const out = path.join(dir, 'reports', 'review.md');
    const stdout = buffer();
    const stderr = buffer();
    const code = await runViva(['review', mp3, '--language', 'en', '--out', out, '--candidate', 'J. F. Kennedy'], {
      stdout,
      stderr,
      signal: new AbortController().signal,
      config: testConfig({ dataDir: cliData, llmBaseUrl: llm.baseUrl }),
      coreOptions: { speechRuntime: { ...runtime, close: async () => undefined } },
    });
    expect(code, stderr.text()).toBe(VIVA_EXIT.ok);
    expect(stdout.text()).toBe(`${out}\n`);
    const lines = stderr.text().trim().split('\n');
    expect(lines[0]).toMatch(/^\[-+\]\s+0%/);
    expect(lines.some((line) => /\] +[1-8]\d% transcribing/.test(line))).toBe(true);
    expect(lines.at(-2)).toMatch(/100% done/);
    expect(lines.at(-1)).toMatch(/^viva review: 4 turns \(4 from the candidate\); interview .+ kept$/);

    const markdown = await readFile(out, 'utf8');
    const answers = [...markdown.matchAll(/\*\*Answer\*\* `[^`]*`[^\n]*\n+([^\n]+)/g)].map((match) => match[1] ?? '');
    expect(answers).toHaveLength(1);
    expect(wordErrorRate(JFK_TEXT, answers.join(' ')), answers.join(' | ')).toBeLessThan(0.2);
    expect(markdown).toContain('J. F. Kennedy');
    expect(markdown).toContain('What did you mean by');
    // Kept in the data directory like any interview.
    expect(existsSync(path.join(cliData, 'viva.db'))).toBe(true);
  });

  it('checks the arguments and the file before loading anything', async () => {
    const stderr = buffer();
    const missing = await runViva(['review', path.join(dir, 'nope.wav'), '--out', path.join(dir, 'x.md')], {
      stdout: buffer(),
      stderr,
      signal: new AbortController().signal,
      // An LLM nobody listens on: reaching the loader would fail differently.
      config: testConfig({ dataDir: path.join(dir, 'never'), llmBaseUrl: 'http://127.0.0.1:9/v1' }),
    });
    expect(missing).toBe(VIVA_EXIT.failed);
    expect(stderr.text()).toMatch(/nope\.wav: no file at/);
    expect(existsSync(path.join(dir, 'never'))).toBe(false);

    const usage = buffer();
    expect(await runViva(['review', mp3], { stdout: buffer(), stderr: usage })).toBe(VIVA_EXIT.usage);
    expect(usage.text()).toContain('--out FILE is required');
    const unknown = buffer();
    expect(await runViva(['reveiw'], { stdout: buffer(), stderr: unknown })).toBe(VIVA_EXIT.usage);
    expect(unknown.text()).toContain('unknown command "reveiw"');
  });

  it('says which setting to fix when the LLM is unreachable, and writes nothing', async () => {
    const stderr = buffer();
    const never = path.join(dir, 'never-2');
    const code = await runViva(['review', mp3, '--out', path.join(dir, 'never.md')], {
      stdout: buffer(),
      stderr,
      signal: new AbortController().signal,
      config: testConfig({ dataDir: never, llmBaseUrl: 'http://127.0.0.1:9/v1', extra: { VIVA_LLM_TIMEOUT_MS: '2000' } }),
    });
    expect(code).toBe(VIVA_EXIT.failed);
    expect(stderr.text()).toMatch(/VIVA_LLM_OPTIONAL/);
    expect(existsSync(path.join(dir, 'never.md'))).toBe(false);
  });

  it('runs as `npx viva review` from another directory: exit 0, progress on stderr, report with the turns', async () => {
    const cwd = path.join(dir, 'elsewhere');
    await mkdir(cwd, { recursive: true });
    const out = path.join(cwd, 'report.md');
    const projectDir = path.resolve(import.meta.dirname, '..');
    // npx finds the project's own bin from any folder inside the project; from outside it, --prefix names the project.
    const child = spawn('npx', ['--prefix', projectDir, 'viva', 'review', mp3, '--language', 'en', '--out', out], {
      cwd,
      env: {
        ...process.env,
        VIVA_MODELS_DIR: MODELS_DIR,
        VIVA_WHISPER_MODEL: ENGLISH_TEST_MODEL,
        VIVA_WHISPER_THREADS: '2',
        VIVA_DATA_DIR: path.join(cwd, 'data'),
        VIVA_LLM_BASE_URL: llm.baseUrl,
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code, stderr).toBe(0);
    expect(stdout.trim()).toBe(out);
    expect(stderr).toMatch(/100% done/);
    expect(stderr).toMatch(/viva review: 4 turns \(4 from the candidate\)/);
    // The real model hears four turns: the report lists four answers, with jfk's words.
    const markdown = await readFile(out, 'utf8');
    // A speech with no question in it: its four turns are one answer.
    expect(markdown.match(/\*\*Answer\*\* `\d+:\d\d–\d+:\d\d`/g)).toHaveLength(1);
    expect(markdown.toLowerCase()).toContain('country');
    expect(existsSync(path.join(cwd, 'data', 'viva.db'))).toBe(true);
  }, 120_000);
});
