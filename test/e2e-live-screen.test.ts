/**
 * End-to-end: the interviewer's live screen in a real browser against the real server.
 *
 * Debian Chromium (driven by playwright-core) plays jfk.wav through its fake microphone; the built client captures it
 * (getUserMedia → AudioWorklet → Socket.IO), the server built by `buildServer` runs the real Silero VAD, the real
 * whisper.cpp decode, SQLite storage and the answer analysis against a fake vLLM that streams over real HTTP/SSE.
 * The test drives the page as a user does (setup → start → watch → stop → review → export) and reads the stored
 * interview back over the REST API. Screenshots go to test-output/ for a human to look at.
 *
 * Nothing is substituted: the server decodes with real English whisper weights (tiny.en-q8_0), so the transcript on the
 * screen, the answers sent to the fake LLM and the quotes it returns are the real words whisper heard in the browser's
 * audio; they are checked against jfk.txt with a tolerance, never as exact strings.
 */
import { launchChromium } from './helpers/browser.ts';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { InterviewDetail, InterviewList } from '../protocol/interviews.ts';
import { loadConfig, type Config } from '../server/env.ts';
import { silentLogger } from '../server/logger.ts';
import { buildServer, type BuiltServer } from '../server/core.ts';
import { withToken } from './helpers/auth.ts';
import { analysisAnswerOf, analysisResponder, jsonScript } from './fakes/fake-analysis-answers.ts';
import { FAKE_DEFAULT_MODEL, fakeScripts, startFakeLlmServer, type FakeLlmServer, type RecordedLlmRequest } from './fakes/fake-llm-server.ts';
import { ENGLISH_TEST_MODEL, MODELS_DIR, SHARED_AUDIO } from './helpers/speech-app.ts';
import { normalizedWords } from './helpers/transcript-accuracy.ts';
import { CLIENT_DIR, REPO_DIR, ensureClientBuilt } from './helpers/client-build.ts';

const OUTPUT_DIR = path.join(REPO_DIR, 'test-output');
/** 16 kHz mono PCM16; Chromium's fake capture device plays it in a loop. */
const SPEECH_WAV = path.join(SHARED_AUDIO, 'whisper.cpp-samples/jfk.wav');

/**
 * True when the finals read as jfk.wav: most of their words are words of jfk.txt (the fake microphone loops the file and
 * starts anywhere in it, so turns are phrases in any order) and the key words are heard.
 */
function readsAsJfk(finals: readonly string[], reference: string): boolean {
  const vocabulary = new Set(normalizedWords(reference));
  const heard = finals.flatMap((text) => normalizedWords(text));
  const known = heard.filter((word) => vocabulary.has(word)).length;
  return heard.length > 0 && known / heard.length >= 0.8 && ['ask', 'country'].some((word) => heard.includes(word));
}

/** The rubric the test types in; ids are what the client derives from the names. */
const RUBRIC = [
  { name: 'Technical depth', weight: '2', id: 'technical_depth', score: 7 },
  { name: 'Communication', weight: '1', id: 'communication', score: 8 },
  { name: 'Problem solving', weight: '1', id: 'problem_solving', score: 6 },
] as const;

// ---- the fake vLLM's answers, built from the answer it is asked about ----

/** The candidate's answer as the analysis-context system prompt quotes it. */
const answerOf = analysisAnswerOf;

/** The first words of the answer: verbatim, so the server keeps them as `buildsOn` and evidence. */
function quoteOf(answer: string): string {
  return answer.split(/\s+/).slice(0, 3).join(' ').replace(/[,.]$/, '');
}

/** Streaming pace of the fake: small chunks with a delay, so deltas visibly stream. */
const STREAM = { timeToFirstTokenMs: 100, chunkDelayMs: 20, chunkSize: 6 } as const;

function followUpsFor(request: RecordedLlmRequest) {
  const quote = quoteOf(answerOf(request));
  return jsonScript(
    {
      suggestions: [
        { question: `You said "${quote}": what was the hardest trade-off you made there, and why?`, buildsOn: quote, probes: 'depth of ownership' },
        { question: 'How would you measure whether that decision paid off a year later?', buildsOn: '', probes: 'outcome thinking' },
      ],
    },
    STREAM,
  );
}

function scoreFor(request: RecordedLlmRequest) {
  const quote = quoteOf(answerOf(request));
  return jsonScript(
    {
      label: 'answer',
      dimensions: Object.fromEntries(
        RUBRIC.map((dimension) => [dimension.id, { reason: `Fake reason for ${dimension.name}.`, evidence: [quote], score: dimension.score }]),
      ),
      remark: 'Short but on point (scripted by the e2e fake).',
    },
    STREAM,
  );
}

/** What the fake LLM does with score requests: 'fail' answers every attempt with HTTP 500. */
const llmMode: { score: 'ok' | 'fail' } = { score: 'ok' };
const SCORE_FAILURE = 'CUDA out of memory (scripted by the e2e test)';

// ---- browser helpers ----

/** Installs a MutationObserver that records when things first appear (ms after the start click) and follow-up drafts. */
async function installProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __probe: { marks: Record<string, number>; drafts: string[]; firstSuggestions: string[]; startAt: number | null } };
    const probe = { marks: {} as Record<string, number>, drafts: [] as string[], firstSuggestions: [] as string[], startAt: null as number | null };
    w.__probe = probe;
    const mark = (name: string) => {
      if (probe.startAt !== null && probe.marks[name] === undefined) probe.marks[name] = Math.round(performance.now() - probe.startAt);
    };
    document.addEventListener(
      'click',
      (event) => {
        if ((event.target as HTMLElement | null)?.closest('[data-testid="start-button"]')) probe.startAt ??= performance.now();
      },
      true,
    );
    const look = () => {
      if (document.querySelector('[data-testid="live-view"]')) mark('liveView');
      const turns = [...document.querySelectorAll('[data-testid="transcript-turn"]')];
      if (turns.some((turn) => turn.getAttribute('data-final') === 'false')) mark('firstPartial');
      if (turns.some((turn) => turn.getAttribute('data-final') === 'true' && (turn.querySelector('[data-testid="turn-text"]')?.textContent ?? '').trim() !== '')) {
        mark('firstFinalTurn');
      }
      const stream = document.querySelector('[data-testid="followup-stream"]');
      const draft = [...(stream?.querySelectorAll('.suggestion__question') ?? [])].map((element) => element.textContent ?? '').join('\n');
      if (draft.trim() !== '') {
        mark('firstFollowUpDelta');
        if (probe.drafts.at(-1) !== draft && probe.drafts.length < 500) probe.drafts.push(draft);
      }
      const suggestions = [...document.querySelectorAll('[data-testid="followup-panel"] [data-testid="followup-suggestion"]')];
      if (suggestions.length > 0 && probe.firstSuggestions.length === 0) {
        mark('firstSuggestionList');
        probe.firstSuggestions = suggestions.map((element) => element.textContent ?? '');
      }
      if (document.querySelector('[data-testid="score-card"][data-label="answer"]')) mark('firstScoreCard');
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
}

async function readProbe(page: Page): Promise<{ marks: Record<string, number>; drafts: string[]; firstSuggestions: string[] }> {
  return page.evaluate(() => (window as unknown as { __probe: { marks: Record<string, number>; drafts: string[]; firstSuggestions: string[] } }).__probe);
}

/** Counts elements matching `selector`, waiting until there are at least `min`. */
async function waitForCount(page: Page, selector: string, min: number, timeoutMs: number): Promise<number> {
  await page.waitForFunction(([s, n]) => document.querySelectorAll(s as string).length >= (n as number), [selector, min] as const, { timeout: timeoutMs });
  return page.locator(selector).count();
}

/**
 * Makes the final turn at `index` the interviewer's with the speaker flip (single-microphone mode), unless the server
 * already attributed it so; returns its id. The flip is sent to the server, which regroups and analyses the answers.
 */
async function flipToInterviewer(page: Page, index: number): Promise<string> {
  const turn = page.locator('[data-testid="transcript-turn"][data-final="true"]').nth(index);
  const turnId = (await turn.getAttribute('data-turn-id')) ?? '';
  if ((await turn.getAttribute('data-channel')) !== 'interviewer') await turn.getByTestId('flip-role').click();
  await page.locator(`[data-testid="transcript-turn"][data-turn-id="${turnId}"][data-channel="interviewer"]`).waitFor({ timeout: 5_000 });
  return turnId;
}

/** Fills the setup form the way an interviewer would, in single-microphone mode (the fake mic is the candidate). */
async function fillSetup(page: Page, options: { full: boolean }): Promise<void> {
  if (options.full) {
    await page.getByTestId('setup-title').fill('Backend engineer, first round');
    await page.getByTestId('setup-role').fill('Senior backend engineer');
    await page.getByTestId('setup-candidate-name').fill('Jane Doe');
    await page.getByTestId('setup-consent').check();
    await page.getByTestId('setup-job-description').fill('Design and run the payments API: Go and TypeScript services, PostgreSQL, Kafka; on-call for production.');
    for (const [index, dimension] of RUBRIC.entries()) {
      await page.getByTestId(`setup-rubric-name-${index}`).fill(dimension.name);
      await page.getByTestId(`setup-rubric-weight-${index}`).fill(dimension.weight);
    }
    await page.getByTestId('setup-question-0').fill('Tell me about a system you owned end to end.');
    await page.getByTestId('setup-add-question').click();
    await page.getByTestId('setup-question-1').fill('How do you handle an outage at 3 am?');
  } else {
    // The least the form accepts: a title or a role.
    await page.getByTestId('setup-role').fill('Backend engineer');
    for (const [index, dimension] of RUBRIC.entries()) await page.getByTestId(`setup-rubric-name-${index}`).fill(dimension.name);
  }
  await page.getByTestId('setup-language').selectOption('en');
  await page.getByTestId('setup-capture-single-mic').check();
}

// ---- the run ----

let fake: FakeLlmServer;
let server: BuiltServer;
let port = 0;
let browser: Browser;
let dataDir: string;
let jfkText: string;
const contexts: BrowserContext[] = [];
const extraServers: BuiltServer[] = [];

function configFor(listenPort: number): Config {
  return loadConfig(
    {
      VIVA_MODELS_DIR: MODELS_DIR,
      VIVA_WHISPER_MODEL: ENGLISH_TEST_MODEL,
      VIVA_WHISPER_THREADS: '2',
      VIVA_DATA_DIR: dataDir,
      VIVA_LLM_BASE_URL: fake.baseUrl,
      VIVA_LLM_MODEL: FAKE_DEFAULT_MODEL,
      PORT: String(listenPort),
    },
    REPO_DIR,
  );
}

async function startServer(listenPort: number): Promise<{ built: BuiltServer; port: number }> {
  const config = configFor(listenPort);
  const built = await buildServer(config, silentLogger, { clientDir: CLIENT_DIR });
  return { built, port: await built.listen() };
}

/** Opens the app in a fresh browser context; a failing test leaves a screenshot of the page as it was. */
async function openPage(name: string): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US', acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  onTestFailed(async () => {
    await page.screenshot({ path: path.join(OUTPUT_DIR, `e2e-failed-${name}.png`) }).catch(() => {});
  });
  await page.goto(`http://127.0.0.1:${port}/`);
  await signInThroughUi(page);
  await page.getByTestId('start-button').waitFor();
  return { page, problems };
}

const ADMIN = { name: 'e2e-admin', password: 'correct horse battery staple' };

/**
 * Signs in with the keyboard, as a user would: the first page of a fresh server offers to create the admin account
 * (name, password twice), later pages the sign-in form. The socket then connects with the session cookie.
 */
async function signInThroughUi(page: Page): Promise<void> {
  await page.getByTestId('sign-in-screen').waitFor();
  const setup = (await page.getByTestId('sign-in-password-again').count()) > 0;
  await page.getByTestId('sign-in-name').focus();
  await page.keyboard.type(ADMIN.name);
  await page.keyboard.press('Tab');
  await page.keyboard.type(ADMIN.password);
  if (setup) {
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN.password);
  }
  await page.keyboard.press('Enter');
  await page.getByTestId('sign-out').waitFor();
}

/** The REST API as the admin the browser created (a token of the same user). */
function apiFetch(url: string): Promise<Response> {
  const admin = server.app.auth.store.findUser(ADMIN.name);
  if (!admin) throw new Error('the browser has not created the admin yet');
  return withToken(server.app.auth.store.createToken(admin.id, 'e2e').token)(url);
}

beforeAll(async () => {
  if (!existsSync(SPEECH_WAV)) throw new Error(`speech recording missing: ${SPEECH_WAV} (the shared audio folder beside the repo)`);
  jfkText = (await readFile(SPEECH_WAV.replace(/\.wav$/, '.txt'), 'utf8')).trim();
  await Promise.all([ensureClientBuilt(), mkdir(OUTPUT_DIR, { recursive: true })]);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'viva-e2e-'));
  fake = await startFakeLlmServer({
    respond: analysisResponder({
      followups: followUpsFor,
      score: (request) => (llmMode.score === 'fail' ? fakeScripts.error(500, SCORE_FAILURE) : scoreFor(request)),
    }),
  });
  ({ built: server, port } = await startServer(0));
  browser = await launchChromium({ microphoneWav: SPEECH_WAV });
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  for (const built of extraServers) await built.close().catch(() => {});
  await server?.close().catch(() => {});
  await fake?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the interviewer\'s live screen in a real browser', () => {
  it('setup → live transcript, streamed follow-ups and a score card → stop → review, JSON export, stored interview and report', async () => {
    const { page, problems } = await openPage('live');
    await fillSetup(page, { full: true });
    await installProbe(page);
    await page.getByTestId('start-button').click();
    await page.getByTestId('live-view').waitFor({ timeout: 15_000 });

    // Speech turns from the fake microphone, finalised, with words. One microphone hears a speech with no question in
    // it: one long answer, analysed when it ends. The interviewer says the second turn was theirs (the speaker flip goes
    // to the server), which ends the first answer: its follow-ups and its one score arrive.
    await waitForCount(page, '[data-testid="transcript-turn"][data-final="true"]', 2, 30_000);
    const flippedId = await flipToInterviewer(page, 1);
    await page.locator('[data-testid="followup-suggestion"]').first().waitFor({ timeout: 20_000 });
    const card = page.locator('[data-testid="score-card"][data-label="answer"]').first();
    await card.waitFor({ timeout: 20_000 });

    // The score card shows the rubric the interviewer typed, with the fake's numbers and the weighted overall.
    const dimensionIds = await card.locator('[data-testid="score-dimension"]').evaluateAll((items) => items.map((item) => item.getAttribute('data-dimension-id')));
    expect(dimensionIds).toEqual(RUBRIC.map((dimension) => dimension.id));
    expect(await card.locator('[data-testid="dimension-score"]').allTextContents()).toEqual(RUBRIC.map((dimension) => `${dimension.score}/10`));
    // (7×2 + 8 + 6) / 4 = 7.0
    expect((await card.getByTestId('score-overall').textContent())?.replace(/\s+/g, '')).toBe('7.0/10');
    expect(await card.getByTestId('score-versions').textContent()).toContain(FAKE_DEFAULT_MODEL);
    const evidence = (await card.getByTestId('evidence-quote').first().textContent()) ?? '';
    expect(evidence.length).toBeGreaterThan(2);

    // The first validated list (read when it appeared: a newer answer's stream may have replaced it since).
    const probe = await readProbe(page);
    expect(probe.firstSuggestions).toHaveLength(2);
    expect(probe.firstSuggestions[0]).toMatch(/hardest trade-off/);

    // Enough of the speech to read as jfk.wav (the score now comes as soon as the flip ends the first answer).
    await waitForCount(page, '[data-testid="transcript-turn"][data-final="true"]', 3, 45_000);
    const finals = page.locator('[data-testid="transcript-turn"][data-final="true"]');
    const finalTexts = (await finals.locator('[data-testid="turn-text"]').allTextContents()).map((text) => text.trim());
    expect(finalTexts.every((text) => text !== '')).toBe(true);
    expect(readsAsJfk(finalTexts, jfkText), finalTexts.join(' | ')).toBe(true);
    expect(await finals.first().getAttribute('data-channel')).toBe('candidate');

    // Follow-ups streamed: a draft with part of the first question was on screen before the validated list.
    const firstQuestion = /You said "[^"]*": what was the hardest trade-off you made there, and why\?/;
    expect(probe.drafts.length).toBeGreaterThan(1);
    expect(probe.drafts.some((draft) => draft.startsWith('You said') && !firstQuestion.test(draft))).toBe(true);
    expect(probe.marks.firstFollowUpDelta).toBeLessThan(probe.marks.firstSuggestionList ?? Infinity);
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'e2e-live.png') });

    // Stop: the review has the whole transcript, each answer's score and suggestions.
    await page.getByTestId('stop-button').click();
    await page.getByTestId('review-view').waitFor({ timeout: 30_000 });
    // The stop is answered at once; the review says what the server is still finishing (turns, scores) until it is done.
    await page.getByTestId('review-progress').waitFor({ state: 'detached', timeout: 60_000 });
    const reviewTurns = await page.getByTestId('review-turn').count();
    expect(reviewTurns).toBeGreaterThanOrEqual(finalTexts.length);
    // The answers as the server grouped them: the candidate's turns between two interviewer turns, keyed by the first.
    const sessionId = (await page.evaluate(() => document.querySelector('[data-testid="review-view"]')?.getAttribute('data-session-id'))) ?? '';
    const storedDetail = async () => InterviewDetail.parse(await (await apiFetch(`http://127.0.0.1:${port}/api/interviews/${sessionId}`)).json());
    const answerIds = [...new Set((await storedDetail()).turns.flatMap((turn) => (turn.answerId ? [turn.answerId] : [])))];
    expect(answerIds.length).toBeGreaterThanOrEqual(1);
    // The answer the stop closed is still analysed and lands on the review: one score card per answer.
    await page.waitForFunction(
      (count) => document.querySelectorAll('[data-testid="review-view"] [data-testid="score-card"][data-label="answer"], [data-testid="review-view"] [data-testid="analysis-error"]').length >= count,
      answerIds.length,
      { timeout: 30_000 },
    );
    expect(await page.locator('[data-testid="review-view"] [data-testid="score-card"][data-label="answer"]').count()).toBe(answerIds.length);
    expect(await page.getByTestId('review-summary').textContent()).toMatch(new RegExp(`${reviewTurns} turns · ${answerIds.length} scored`));
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'e2e-review.png'), fullPage: true });

    // Export JSON: a real download, parsed.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    expect(download.suggestedFilename()).toMatch(/^viva-Backend-engineer.*\.json$/);
    const exported = JSON.parse(await readFile(await download.path(), 'utf8')) as {
      format: string;
      sessionId: string;
      captureMode: string;
      context: { role?: string; rubric?: { dimensions: { id: string }[] } };
      turns: { turnId: string; speaker: string; text: string; final: boolean; score?: { overall: number | null; dimensions: { id: string }[] }; followUps?: unknown[] }[];
      stopResult: { stats: Record<string, { framesReceived: number; framesDropped: number; gaps: number; turns: number; audioMs: number }> } | null;
    };
    expect(exported.format).toBe('viva-interview-export/1');
    expect(exported.sessionId).toBe(sessionId);
    expect(exported.captureMode).toBe('single-mic');
    expect(exported.context.role).toBe('Senior backend engineer');
    expect(exported.context.rubric?.dimensions.map((dimension) => dimension.id)).toEqual(RUBRIC.map((dimension) => dimension.id));
    expect(exported.turns).toHaveLength(reviewTurns);
    // Every frame the browser captured reached the server, in order.
    const stats = exported.stopResult?.stats.candidate;
    expect(stats).toMatchObject({ framesDropped: 0, gaps: 0, turns: reviewTurns });
    expect(stats?.framesReceived).toBeGreaterThan(30);
    for (const turn of exported.turns) {
      expect(turn).toMatchObject({ final: true });
      expect(turn.text).not.toBe('');
    }
    expect(exported.turns.find((turn) => turn.turnId === flippedId)?.speaker).toBe('interviewer');
    // Each answer scored once, on its first turn.
    expect(exported.turns.filter((turn) => turn.score).map((turn) => turn.turnId).sort()).toEqual([...answerIds].sort());
    for (const turn of exported.turns.filter((candidate) => candidate.score)) {
      expect(turn.speaker).toBe('candidate');
      expect(turn.score?.overall).toBe(7);
      expect(turn.score?.dimensions.map((dimension) => dimension.id)).toEqual(RUBRIC.map((dimension) => dimension.id));
      // Follow-ups are fresh or nothing: an answer moved on from (a newer answer, the stop) may have none, never a partial list.
      if (turn.followUps) expect(turn.followUps).toHaveLength(2);
    }
    expect(exported.turns.some((turn) => turn.followUps?.length === 2)).toBe(true);

    // The server kept the same interview: list, detail, report.
    const list = InterviewList.parse(await (await apiFetch(`http://127.0.0.1:${port}/api/interviews`)).json());
    const summary = list.items.find((item) => item.id === sessionId);
    expect(summary).toMatchObject({ mode: 'copilot', status: 'stopped', role: 'Senior backend engineer' });
    const detail = await storedDetail();
    expect(detail.turns.map((turn) => turn.turnId)).toEqual(exported.turns.map((turn) => turn.turnId));
    expect(detail.turns.map((turn) => turn.text)).toEqual(exported.turns.map((turn) => turn.text));
    // The flip reached the server: stored as the interviewer's, corrected by a person.
    expect(detail.turns.find((turn) => turn.turnId === flippedId)).toMatchObject({ channel: 'interviewer', roleSource: 'user' });
    // The stored answers, and the answers the LLM was asked about, are whisper's real words for jfk.wav.
    expect(readsAsJfk(detail.turns.map((turn) => turn.text), jfkText)).toBe(true);
    expect(readsAsJfk(fake.chatRequests().map(answerOf).filter((answer) => answer !== ''), jfkText)).toBe(true);
    for (const turn of detail.turns) expect(turn.hasAudio).toBe(true);
    for (const answerId of answerIds) {
      const turn = detail.turns.find((candidate) => candidate.turnId === answerId);
      // Stored suggestions are the fresh ones the screen showed (an answer moved on from may have none).
      if (turn?.suggestions) expect(turn.suggestions.suggestions).toHaveLength(2);
      expect(turn?.score).toMatchObject({ label: 'answer', overall: 7 });
      expect(turn?.failure).toBeNull();
    }
    const report = await apiFetch(`http://127.0.0.1:${port}/api/interviews/${sessionId}/report?format=html`);
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await report.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('Senior backend engineer');
    // The candidate's name and the consent ticked on the setup screen reach the stored interview and its report.
    expect(detail.interview.candidateName).toBe('Jane Doe');
    expect(detail.interview.consent).toMatchObject({ given: true });
    expect(html).toContain('Jane Doe');
    expect(html).toContain('Technical depth');
    expect(html).toContain(detail.turns[0]?.text.replace(/,$/, '') ?? '∅');

    // After a reload the interview is in the workspace: found by the candidate's name, opened at its own address.
    await page.goto(`http://127.0.0.1:${port}/interviews`);
    await page.reload();
    await page.getByTestId('interview-search').fill('Jane Doe');
    const row = page.locator(`[data-testid="interview-row"][data-interview-id="${sessionId}"]`);
    await row.waitFor({ timeout: 15_000 });
    await row.getByTestId('open-interview').click();
    await page.getByTestId('interview-detail').waitFor({ timeout: 15_000 });
    expect(new URL(page.url()).pathname).toBe(`/interviews/${sessionId}`);
    expect(await page.getByTestId('detail-turn').count()).toBe(detail.turns.length);
    expect(await page.getByTestId('score-card').count()).toBe(answerIds.length);

    // Nothing went wrong in the page (no script errors, no malformed events refused).
    expect(problems.filter((problem) => !/favicon/.test(problem))).toEqual([]);

    const marks = probe.marks;
    console.info(
      `e2e live screen (real ${ENGLISH_TEST_MODEL}): after the start click, ` +
        `live view ${marks.liveView} ms, first partial ${marks.firstPartial ?? '-'} ms, first final turn ${marks.firstFinalTurn} ms, ` +
        `first follow-up delta ${marks.firstFollowUpDelta} ms, suggestion list ${marks.firstSuggestionList} ms, score card ${marks.firstScoreCard} ms; ` +
        `${probe.drafts.length} follow-up drafts seen; ${reviewTurns} turns reviewed`,
    );
  }, 180_000);

  it('shows an LLM failure on the answer with Retry that recovers, and the connection banner when the server goes away', async () => {
    llmMode.score = 'fail';
    const { page } = await openPage('failures');
    await fillSetup(page, { full: false });
    await page.getByTestId('start-button').click();
    await page.getByTestId('live-view').waitFor({ timeout: 15_000 });

    // Every attempt of the score call gets HTTP 500 (the client's own retries included): the answer says so, with Retry.
    // (The second turn is the interviewer's: the answer before it is complete and analysed.)
    await waitForCount(page, '[data-testid="transcript-turn"][data-final="true"]', 2, 30_000);
    await flipToInterviewer(page, 1);
    const failed = page.locator('[data-testid="transcript-turn"]', { has: page.getByTestId('analysis-error') }).first();
    await failed.waitFor({ timeout: 30_000 });
    const turnId = await failed.getAttribute('data-turn-id');
    expect(turnId).toBeTruthy();
    expect(await failed.getByTestId('analysis-error').textContent()).toMatch(/500/);
    await page.getByTestId('llm-banner').waitFor();
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'e2e-llm-error.png') });

    // The LLM is back: Retry on that answer brings its score card; the error goes away.
    llmMode.score = 'ok';
    await failed.getByTestId('retry-button').click();
    await page.locator(`[data-testid="score-card"][data-turn-id="${turnId}"][data-label="answer"]`).waitFor({ timeout: 20_000 });
    await page.locator(`[data-testid="transcript-turn"][data-turn-id="${turnId}"] [data-testid="analysis-error"]`).waitFor({ state: 'detached', timeout: 5_000 });
    await page.getByTestId('llm-banner').waitFor({ state: 'detached', timeout: 10_000 });

    // The server goes away mid-interview (crash, not a stop): the screen says it is reconnecting and holds the audio.
    await page.getByTestId('connection-status').and(page.locator('[data-status="connected"]')).waitFor();
    const crashed = server;
    extraServers.push(crashed);
    await new Promise<void>((resolve) => crashed.app.io.close(() => resolve()));
    const banner = page.locator('[data-testid="connection-banner"][data-status="reconnecting"]');
    await banner.waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => /\(([1-9]\d*\.\d|0\.[1-9]) s/.test(document.querySelector('[data-testid="connection-banner"]')?.textContent ?? ''), undefined, { timeout: 5_000 });
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'e2e-reconnecting.png') });

    // A server started again on the same port and data folder takes the session back: banner gone, turns keep coming.
    const finalsBefore = await page.locator('[data-testid="transcript-turn"][data-final="true"]').count();
    ({ built: server } = await startServer(port));
    await banner.waitFor({ state: 'detached', timeout: 20_000 });
    await waitForCount(page, '[data-testid="transcript-turn"][data-final="true"]', finalsBefore + 1, 45_000);
    // Nothing captured was lost: the frames held while offline were resent, the server saw no gap.
    for (const testId of ['fatal-banner', 'gaps-banner', 'dropped-banner']) expect(await page.getByTestId(testId).count()).toBe(0);
  }, 90_000);
});
