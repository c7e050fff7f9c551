import { launchChromium } from './helpers/browser.ts';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msToSamples } from '../protocol/audio.ts';
import { encodeWavPcm16 } from '../server/audio/wav.ts';
import { startAutomatedApp, type AutomatedApp } from './automated-app.ts';
import { browserSession } from './helpers/auth.ts';
import { readSharedWav } from './helpers/speech-app.ts';

// End to end in the real browser: Debian's headless Chromium opens the candidate link of the built client served by the
// real server (Silero VAD, whisper test model, storage, analysis, automated feature, fake vLLM). Its fake microphone
// loops a WAV of real speech with silences, so turn-taking runs on real VAD events (the test model's text is empty).
// Headless Chromium has no speech-synthesis voices: the page shows each question for its estimated speaking time.

const OUTPUT = path.resolve('test-output');
const workDir = mkdtempSync(path.join(os.tmpdir(), 'viva-automated-e2e-'));
let app: AutomatedApp;
let browser: Browser;
let answersWav: string;

/** 4 s silence, two JFK phrases (~4.6 s, a 1 s pause inside), 6 s silence: the microphone loops it. */
async function buildAnswersWav(): Promise<string> {
  const jfk = await readSharedWav('whisper.cpp-samples/jfk.wav');
  const speech = jfk.subarray(0, msToSamples(4_700));
  const samples = new Float32Array(msToSamples(4_000) + speech.length + msToSamples(6_000));
  samples.set(speech, msToSamples(4_000));
  const file = path.join(workDir, 'answers.wav');
  writeFileSync(file, encodeWavPcm16(samples, 16_000));
  return file;
}

async function launch(micWav: string): Promise<Browser> {
  return launchChromium({ microphoneWav: micWav, extraArgs: ['--autoplay-policy=no-user-gesture-required'] });
}

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  const clientDir = path.join(workDir, 'client');
  // Vitest sets NODE_ENV=test, which would give React's development build; users get the production one.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.resolve('client/vite.config.ts'), mode: 'production', logLevel: 'error', build: { outDir: clientDir, emptyOutDir: true, sourcemap: false } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  app = await startAutomatedApp({ clientDir });
  answersWav = await buildAnswersWav();
  browser = await launch(answersWav);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  rmSync(workDir, { recursive: true, force: true });
});

/** What the candidate saw, in order: screens and question ids, sampled from the page's data attributes. */
async function watchScreens(page: Page, until: () => boolean): Promise<string[]> {
  const seen: string[] = [];
  while (!until()) {
    const step = await page
      .evaluate(() => {
        const live = document.querySelector('[data-testid="live-question"]');
        if (live) return `question ${live.getAttribute('data-question-id')}`;
        const screen = document.querySelector('main [data-testid^="candidate-"]');
        return screen ? String(screen.getAttribute('data-testid')).replace('candidate-', '') : 'loading';
      })
      .catch(() => 'gone');
    if (seen.at(-1) !== step && step !== 'question ') seen.push(step);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return seen;
}

describe('automated interview in the real browser', () => {
  it('consent → question 1 → answer → next question → answer → end; consent stored; the report shows the AI-run interview', async () => {
    const { interview, link } = await app.createInterview({
      title: 'First round',
      role: 'Backend engineer',
      candidateName: 'E2E Candidate',
      language: 'en',
      plannedQuestions: [
        { id: 'q1', text: 'Tell me about a system you designed.' },
        { id: 'q2', text: 'How do you test concurrent code?' },
      ],
      timeBudgetMinutes: 5,
      turnTaking: { answerEndPauseMs: 1500, thinkingPauseMs: 2000, noAnswerTimeoutMs: 16_000 },
    });
    const testStartedMs = Date.now();
    const page = await browser.newPage({ viewport: { width: 900, height: 760 } });
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    // The link as the recruiter sends it (origin of the request that created it).
    await page.goto(link.url);
    await page.getByTestId('candidate-consent').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('candidate-consent').innerText()).toContain('recorded and scored by an AI');
    await page.screenshot({ path: path.join(OUTPUT, 'automated-consent-en.png') });
    // Nothing is captured before consent: no session, no frames.
    expect(app.speech.app.sessions.get(interview.id)).toBeUndefined();
    expect(await page.getByTestId('consent-agree').isDisabled()).toBe(true);
    await page.getByTestId('consent-checkbox').check();
    await page.getByTestId('consent-agree').click();

    await page.getByTestId('candidate-mic').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="mic-status"][data-heard="true"]').waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(OUTPUT, 'automated-mic-check.png') });
    await page.getByTestId('mic-start').click();

    let ended = false;
    const screens = watchScreens(page, () => ended);
    await page.locator('[data-testid="live-question"][data-question-id="q1"]').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(OUTPUT, 'automated-question.png') });
    await page.getByTestId('candidate-ended').waitFor({ timeout: 120_000 });
    await page.locator('[data-testid="candidate-ended"][data-saving="false"]').waitFor({ timeout: 60_000 });
    ended = true;
    // The watcher may catch the mic-check screen for a moment after the click: only what follows it counts.
    const seen = (await screens).filter((screen, index, all) => !(screen === 'mic' && all.slice(0, index).every((s) => s === 'mic')));
    await page.screenshot({ path: path.join(OUTPUT, 'automated-ended.png') });
    expect(await page.getByTestId('candidate-ended').getAttribute('data-reason')).toBe('completed');
    await page.close();

    // What the candidate saw: question 1, then a follow-up or question 2, …, then the end.
    expect(seen[0]).toBe('question q1');
    expect(seen.at(-1)).toBe('ended');
    expect(seen).toContain('question q2');

    // What the server did, in order: consent → q1 → its answer (VAD speech) → next → its answer → end.
    const events = app.automated.store.events(interview.id);
    writeFileSync(path.join(OUTPUT, 'automated-e2e-events.json'), JSON.stringify({ seen, events }, null, 1));
    const story = events
      .filter((event) => ['consent', 'started', 'question', 'answer-end', 'ended'].includes(event.type))
      .filter((event) => event.type !== 'question' || event.data.repeat !== true)
      .map((event) =>
        event.type === 'question'
          ? `question ${String(event.data.questionId)}`
          : event.type === 'answer-end'
            ? `answer ${String(event.data.questionId)}${event.data.empty ? ' (empty)' : ''}`
            : event.type === 'ended'
              ? `ended ${String(event.data.reason)}`
              : event.type,
      );
    expect(story[0]).toBe('consent');
    expect(story[1]).toBe('started');
    expect(story[2]).toBe('question q1');
    expect(story[3]).toBe('answer q1');
    expect(story.at(-1)).toBe('ended completed');
    expect(story).toContain('question q2');
    expect(story).toContain('answer q2');
    expect(story.filter((step) => step.endsWith('(empty)'))).toEqual([]);

    // The consent and its time are stored with the interview.
    const stored = app.repository.getInterview(interview.id);
    expect(stored?.consent).toMatchObject({ given: true, method: 'checkbox' });
    expect(stored?.consent?.note).toContain('automated-consent@1');
    expect(stored?.consent?.atMs).toBeGreaterThanOrEqual(testStartedMs);
    const firstFrameEvent = events.find((event) => event.type === 'started');
    expect(stored?.consent?.atMs).toBeLessThanOrEqual(firstFrameEvent?.atMs ?? 0);

    // The recruiter's review data and report: the same ones a live interview has, marked as automated (AI-run).
    const detail = app.repository.getInterviewDetail(interview.id);
    expect(detail?.interview.mode).toBe('automated');
    expect(detail?.interview.statusMessage).toContain('AI-run');
    const vivaTurns = detail?.turns.filter((turn) => turn.channel === 'interviewer').map((turn) => turn.text) ?? [];
    expect(vivaTurns[0]).toBe('Tell me about a system you designed.');
    expect(vivaTurns).toContain('How do you test concurrent code?');
    const answers = detail?.turns.filter((turn) => turn.channel === 'candidate') ?? [];
    expect(answers.length).toBeGreaterThanOrEqual(2);
    const reportPage = await browser.newPage();
    // The report is the recruiter's: the browser carries their session cookie.
    const session = browserSession(app.speech.app, app.admin.user);
    await reportPage.context().addCookies([{ name: session.name, value: session.value, url: app.origin }]);
    await reportPage.goto(`${app.origin}/api/interviews/${interview.id}/report?format=html`);
    const report = await reportPage.locator('body').innerText();
    await reportPage.screenshot({ path: path.join(OUTPUT, 'automated-report.png'), fullPage: true });
    await reportPage.close();
    expect(report).toContain('Automated');
    expect(report).toContain('Tell me about a system you designed.');
    expect(report).toContain('E2E Candidate');
    expect(consoleErrors.filter((text) => !/favicon/i.test(text))).toEqual([]);
  }, 240_000);

  it('shows the consent in Chinese for a Chinese interview, and refuses a withdrawn link', async () => {
    const { interview, link } = await app.createInterview({
      role: '后端工程师',
      language: 'zh',
      plannedQuestions: [{ id: 'q1', text: '请介绍一个你设计过的系统。' }],
      timeBudgetMinutes: 10,
    });
    const page = await browser.newPage({ viewport: { width: 900, height: 760 } });
    await page.goto(link.url);
    await page.getByTestId('candidate-consent').waitFor({ timeout: 15_000 });
    const text = await page.getByTestId('candidate-consent').innerText();
    expect(text).toContain('由 AI 评分');
    expect(text).toContain('后端工程师');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await page.screenshot({ path: path.join(OUTPUT, 'automated-consent-zh.png') });
    await page.close();

    await app.admin.fetch(`${app.origin}/api/automated-interviews/${interview.id}/links/${link.linkId}`, { method: 'DELETE' });
    const again = await browser.newPage();
    await again.goto(link.url);
    await again.locator('[data-testid="candidate-error"][data-code="link-revoked"]').waitFor({ timeout: 15_000 });
    // Without a valid link the interview's language is unknown: the page speaks the browser's (en-US here).
    expect(await again.getByTestId('candidate-error').innerText()).toContain('withdrawn');
    await again.close();
  }, 60_000);
});
