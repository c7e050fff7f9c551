/**
 * End-to-end: the recruiter's workspace in a real browser against the real server.
 *
 * Debian Chromium (playwright-core) opens `/interviews`, uploads jfk.wav through the upload panel with a candidate name
 * and a role, and watches it being decoded (ffmpeg), transcribed (real whisper.cpp, tiny.en-q8_0 weights) and scored (a
 * fake vLLM speaking the real SSE protocol); then reloads, finds the interview in the list by the candidate's name,
 * opens it and reads the transcript on the screen against jfk.txt (key words, not exact text); corrects who said a turn
 * and sees the answer re-scored; uploads a second candidate for the role, plays a turn's stored audio, downloads the
 * JSON export and compares the two candidates answer by answer. Screenshots at 1280×800
 * in English and Chinese go to test-output/ for a human to look at.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../server/env.ts';
import { silentLogger } from '../server/logger.ts';
import { buildServer, type BuiltServer } from '../server/core.ts';
import { browserSession, signIn } from './helpers/auth.ts';
import { analysisAnswerOf, analysisResponder, defaultRubricScore, followUpsReply, jsonScript, openingWordsOf } from './fakes/fake-analysis-answers.ts';
import { FAKE_DEFAULT_MODEL, startFakeLlmServer, type FakeLlmServer } from './fakes/fake-llm-server.ts';
import { launchChromium } from './helpers/browser.ts';
import { ENGLISH_TEST_MODEL, MODELS_DIR, SHARED_AUDIO } from './helpers/speech-app.ts';
import { normalizedWords } from './helpers/transcript-accuracy.ts';
import { CLIENT_DIR, REPO_DIR, ensureClientBuilt } from './helpers/client-build.ts';

const OUTPUT_DIR = path.join(REPO_DIR, 'test-output');
const SPEECH_WAV = path.join(SHARED_AUDIO, 'whisper.cpp-samples/jfk.wav');
const CANDIDATE = 'Jack Kennedy';
/** Two candidates for one role (LibriVox readings of 7 s and 5 s), so two interviews can be compared. */
const LIBRIVOX = path.join(SHARED_AUDIO, 'librivox-sense-and-sensibility');
const PAIR = [
  { file: path.join(LIBRIVOX, 'sense_and_sensibility_01_austen_64kb-0870.wav'), candidate: 'Elinor Dashwood' },
  { file: path.join(LIBRIVOX, 'sense_and_sensibility_01_austen_64kb-0890.wav'), candidate: 'Marianne Dashwood' },
];
const PAIR_ROLE = 'Narrator';
const PAIR_QUESTION = 'Tell us about the Dashwood family and their estate.';

let fake: FakeLlmServer;
let server: BuiltServer;
let baseUrl: string;
let browser: Browser;
let dataDir: string;
let jfkWords: Set<string>;
/** The interview the first test uploaded (the correction test works on it). */
let uploadedId = '';
/** How long the fake takes to start a score reply: long enough, in the correction test, to see "Scoring…". */
let scoreDelayMs = 0;

beforeAll(async () => {
  if (!existsSync(SPEECH_WAV)) throw new Error(`speech recording missing: ${SPEECH_WAV}`);
  jfkWords = new Set(normalizedWords(await readFile(SPEECH_WAV.replace(/\.wav$/, '.txt'), 'utf8')));
  await Promise.all([ensureClientBuilt(), mkdir(OUTPUT_DIR, { recursive: true })]);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'viva-e2e-workspace-'));
  fake = await startFakeLlmServer({
    respond: analysisResponder({
      followups: (request) => {
        const quote = openingWordsOf(analysisAnswerOf(request));
        return jsonScript(followUpsReply({ question: `You said "${quote}": who was that aimed at?`, buildsOn: quote, probes: 'audience' }));
      },
      score: (request) =>
        jsonScript(defaultRubricScore({ technical_skill: 7, clarity: 9, problem_solving: 6 }, [openingWordsOf(analysisAnswerOf(request))]), {
          timeToFirstTokenMs: scoreDelayMs,
        }),
    }),
  });
  const config = loadConfig(
    {
      VIVA_MODELS_DIR: MODELS_DIR,
      VIVA_WHISPER_MODEL: ENGLISH_TEST_MODEL,
      VIVA_WHISPER_THREADS: '2',
      VIVA_DATA_DIR: dataDir,
      VIVA_LLM_BASE_URL: fake.baseUrl,
      VIVA_LLM_MODEL: FAKE_DEFAULT_MODEL,
      PORT: '0',
    },
    REPO_DIR,
  );
  server = await buildServer(config, silentLogger, { clientDir: CLIENT_DIR });
  baseUrl = `http://127.0.0.1:${await server.listen()}`;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close().catch(() => {});
  await fake?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(OUTPUT_DIR, `workspace-${name}.png`) });
}

describe('the recruiter workspace in a real browser', () => {
  it('uploads a recording, watches it complete, finds it after a reload by the candidate name and reads its transcript', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    // Signed in by the helper: a recruiter and their session cookie (the live-screen test signs in through the UI).
    const recruiter = await signIn(server.app, { role: 'recruiter' });
    const session = browserSession(server.app, recruiter.user);
    await context.addCookies([{ name: session.name, value: session.value, url: baseUrl }]);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    await page.goto(`${baseUrl}/interviews`);
    await page.getByTestId('interviews-list').waitFor();
    await shot(page, 'list-empty-en');

    await page.getByTestId('open-upload').click();
    await page.getByTestId('upload-file').setInputFiles(SPEECH_WAV);
    await page.getByTestId('upload-candidate').fill(CANDIDATE);
    await page.getByTestId('upload-role').fill('Speechwriter');
    await page.getByTestId('upload-language').selectOption('en');
    await page.getByTestId('upload-plan').fill('What should citizens ask of their country?');
    await shot(page, 'upload-en');
    await page.getByTestId('upload-start').click();
    // Progress is shown while it decodes, transcribes and scores; when done the interview opens by itself.
    await page.getByTestId('upload-progress').waitFor({ timeout: 15_000 });
    await shot(page, 'upload-progress-en');
    await page.waitForURL(/\/interviews\/[^/]+$/, { timeout: 180_000 });
    const interviewId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1) ?? '');
    uploadedId = interviewId;
    await page.getByTestId('interview-detail').waitFor({ timeout: 15_000 });

    // A reload lands on the list (the address of the list), where a search by the candidate's name finds it.
    await page.goto(`${baseUrl}/interviews`);
    await page.reload();
    await page.getByTestId('interview-search').fill('kennedy');
    const row = page.locator(`[data-testid="interview-row"][data-interview-id="${interviewId}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('interview-row').count()).toBe(1);
    expect(await row.getByTestId('open-interview').textContent()).toBe(CANDIDATE);
    expect(await row.textContent()).toContain('Speechwriter');
    await page.getByTestId('interview-search').fill('');
    await shot(page, 'list-en');
    // One role's candidates side by side (one candidate here), then back to the list.
    await page.getByTestId('filter-role').selectOption('Speechwriter');
    await page.getByTestId('open-compare').click();
    await page.getByTestId('compare-candidate').first().waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('compare-candidate').first().textContent()).toContain(CANDIDATE);
    await shot(page, 'compare-en');
    await page.goBack();
    await page.getByTestId('interviews-list').waitFor();

    await row.getByTestId('open-interview').click();
    await page.getByTestId('interview-detail').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/interviews/${interviewId}`);
    const texts = await page.getByTestId('turn-text').allTextContents();
    const heard = texts.flatMap((text) => normalizedWords(text));
    expect(heard.length).toBeGreaterThan(10);
    expect(heard.filter((word) => jfkWords.has(word)).length / heard.length).toBeGreaterThanOrEqual(0.8);
    for (const word of ['ask', 'country', 'americans']) expect(heard, word).toContain(word);
    // Each turn's audio was kept and can be played; the scores the fake gave show as score cards.
    expect(await page.getByTestId('play-turn').count()).toBe(texts.length);
    await page.getByTestId('score-card').first().waitFor({ timeout: 60_000 });
    await shot(page, 'detail-en');

    // The same view survives a reload of its own address.
    await page.reload();
    await page.getByTestId('interview-detail').waitFor();
    await page.getByTestId('language-switch').click();
    await page.getByTestId('detail-summary').waitFor();
    await shot(page, 'detail-zh');
    await page.getByTestId('back-to-list').click();
    await page.getByTestId('interview-row').first().waitFor();
    await shot(page, 'list-zh');
    await page.getByTestId('open-upload').click();
    await shot(page, 'upload-zh');
    expect(problems).toEqual([]);
    await context.close();
  }, 300_000);

  it('corrects who said a turn: the answers regroup, the changed one shows "Scoring…" and then its new score', async () => {
    expect(uploadedId, 'the upload test ran first').not.toBe('');
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    const recruiter = await signIn(server.app, { role: 'admin' });
    const session = browserSession(server.app, recruiter.user);
    await context.addCookies([{ name: session.name, value: session.value, url: baseUrl }]);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    await page.goto(`${baseUrl}/interviews/${encodeURIComponent(uploadedId)}`);
    await page.getByTestId('interview-detail').waitFor();
    const turns = page.getByTestId('detail-turn');
    // A speech with no question in it, heard on one channel: every turn the candidate's (a guess), one answer, one score.
    expect(await turns.count()).toBeGreaterThanOrEqual(3);
    const first = turns.nth(0);
    const firstId = (await first.getAttribute('data-turn-id')) ?? '';
    await first.getByTestId('score-card').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('score-card').count()).toBe(1);
    expect(await first.getByTestId('role-guess').count()).toBe(1);

    // Say the second turn was the interviewer's: the first answer shrinks to its first turn, a new one starts after it.
    scoreDelayMs = 4_000;
    const second = turns.nth(1);
    const secondId = (await second.getAttribute('data-turn-id')) ?? '';
    await second.getByTestId('relabel-turn').click();
    await page.locator(`[data-testid="detail-turn"][data-turn-id="${secondId}"][data-channel="interviewer"]`).waitFor({ timeout: 15_000 });
    await page.locator(`[data-testid="detail-turn"][data-turn-id="${secondId}"] [data-testid="role-corrected"]`).waitFor();
    // The changed answer is being scored again: its old score is gone and it says so, until the new one is stored.
    await page.locator(`[data-testid="detail-turn"][data-turn-id="${firstId}"] [data-testid="score-pending"]`).waitFor({ timeout: 10_000 });
    expect(await page.locator(`[data-testid="detail-turn"][data-turn-id="${firstId}"] [data-testid="score-card"]`).count()).toBe(0);
    await shot(page, 'detail-rescoring-en');
    await page.locator(`[data-testid="detail-turn"][data-turn-id="${firstId}"] [data-testid="score-card"]`).waitFor({ timeout: 90_000 });
    // Two answers now, each scored once: the first turn alone, and the turns after the interviewer's.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="score-card"]').length === 2, undefined, { timeout: 90_000 });
    await page.locator('[data-testid="score-pending"]').first().waitFor({ state: 'detached', timeout: 30_000 });
    scoreDelayMs = 0;
    await shot(page, 'detail-rescored-en');
    expect(problems).toEqual([]);
    await context.close();
  }, 300_000);
  it('plays a turn, exports the interview, and compares two candidates of one role answer by answer', async () => {
    expect(uploadedId, 'the upload test ran first').not.toBe('');
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', acceptDownloads: true });
    const admin = await signIn(server.app, { role: 'admin' });
    const session = browserSession(server.app, admin.user);
    await context.addCookies([{ name: session.name, value: session.value, url: baseUrl }]);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));

    // Two candidates for one role and the same planned question, uploaded from the UI.
    for (const { file, candidate } of PAIR) {
      await page.goto(`${baseUrl}/interviews`);
      await page.getByTestId('open-upload').click();
      await page.getByTestId('upload-file').setInputFiles(file);
      await page.getByTestId('upload-candidate').fill(candidate);
      await page.getByTestId('upload-role').fill(PAIR_ROLE);
      await page.getByTestId('upload-language').selectOption('en');
      await page.getByTestId('upload-plan').fill(PAIR_QUESTION);
      await page.getByTestId('upload-start').click();
      await page.waitForURL(/\/interviews\/[^/]+$/, { timeout: 180_000 });
      await page.getByTestId('interview-detail').waitFor({ timeout: 15_000 });
      await page.getByTestId('score-card').first().waitFor({ timeout: 60_000 });
    }

    // Playing a turn plays its stored WAV: the page's audio element runs and its clock moves.
    await page.getByTestId('play-turn').first().click();
    await page.waitForFunction(
      () => {
        const audio = document.querySelector<HTMLAudioElement>('[data-testid="turn-audio"]');
        return audio !== null && audio.currentSrc !== '' && audio.currentTime > 0.2;
      },
      undefined,
      { timeout: 15_000 },
    );

    // The JSON export downloads this interview: its candidate, role and transcript.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const exported = JSON.parse(await readFile((await download.path()) ?? '', 'utf8')) as Record<string, unknown>;
    const exportedText = JSON.stringify(exported);
    expect(exportedText).toContain(PAIR[1]?.candidate);
    expect(exportedText).toContain(PAIR_ROLE);
    for (const word of ['selfish', 'rather']) expect(normalizedWords(exportedText), word).toContain(word);
    expect(exportedText).not.toContain(PAIR[0]?.candidate);

    // Both candidates of the role side by side, their answers to the planned question in one row.
    await page.getByTestId('back-to-list').click();
    await page.getByTestId('filter-role').selectOption(PAIR_ROLE);
    await page.getByTestId('open-compare').click();
    await page.getByTestId('compare-view').waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="compare-candidate"]').length === 2, undefined, { timeout: 15_000 });
    const heads = (await page.getByTestId('compare-candidate').allTextContents()).join(' ');
    for (const { candidate } of PAIR) expect(heads).toContain(candidate);
    const plannedRow = page.getByTestId('compare-question').filter({ hasText: PAIR_QUESTION });
    await plannedRow.first().waitFor({ timeout: 15_000 });
    // One cell per candidate, each holding that candidate's answer (no question was heard: the plan's first, by rank).
    const cells = plannedRow.first().locator(':scope > div');
    expect(await cells.count()).toBe(2);
    for (const cell of await cells.all()) expect(await cell.getByTestId('compare-answer').count()).toBeGreaterThanOrEqual(1);
    await shot(page, 'compare-two-en');
    expect(problems).toEqual([]);
    await context.close();
  }, 300_000);
});
