import { describe, expect, it } from 'vitest';
import type { InterviewJoinResult } from '../../../protocol/index.ts';
import { BargeInDetector } from './barge-in-detector.ts';
import { candidateEn, candidateText, candidateZh } from './candidate-dictionary.ts';
import { candidateReducer, initialCandidateState } from './candidate-state.ts';
import { pickVoice } from './speech-output.ts';

const INFO: InterviewJoinResult = {
  interviewId: 'iv',
  sessionId: 'iv',
  language: 'zh',
  title: null,
  role: 'Engineer',
  candidateName: null,
  questionCount: 3,
  timeBudgetMs: 600_000,
  linkExpiresAtMs: 1,
  state: 'invited',
  consentAtMs: null,
  consentTextVersion: 'automated-consent@1',
};

describe('candidate dictionary', () => {
  it('has every key in both languages with the same parameters', () => {
    const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
    for (const key of Object.keys(candidateEn) as (keyof typeof candidateEn)[]) {
      expect(candidateZh[key], key).toBeTruthy();
      expect(params(candidateZh[key]), key).toEqual(params(candidateEn[key]));
    }
    expect(candidateText('zh', 'live.question', { n: 2, total: 5 })).toBe('第 2 题，共 5 题');
  });
});

describe('candidate page state', () => {
  it('goes consent → mic → live → ended; a consented or running interview skips the consent', () => {
    let state = candidateReducer(initialCandidateState, { type: 'joined', info: INFO });
    expect(state.screen).toBe('consent');
    state = candidateReducer(state, { type: 'consented', consentAtMs: 5 });
    expect(state.screen).toBe('mic');
    const question = { questionId: 'q1', text: 'Q?', kind: 'planned' as const, index: 1, total: 3 };
    state = candidateReducer(state, { type: 'started', phase: 'speaking', question, elapsedMs: 0, atMs: 10 });
    expect(state).toMatchObject({ screen: 'live', phase: 'speaking', question });
    state = candidateReducer(state, { type: 'listening', questionId: 'q1' });
    expect(state.phase).toBe('listening');
    // A re-join after a reconnect keeps the live screen.
    expect(candidateReducer(state, { type: 'joined', info: { ...INFO, state: 'running' } }).screen).toBe('live');
    state = candidateReducer(state, { type: 'ended', end: { sessionId: 'iv', reason: 'time-up', questionsAsked: 2, answered: 2 } });
    expect(state).toMatchObject({ screen: 'ended', saving: true });
    expect(candidateReducer(state, { type: 'listening', questionId: 'q2' }).phase).toBe('ended');
    expect(candidateReducer(initialCandidateState, { type: 'joined', info: { ...INFO, state: 'running' } }).screen).toBe('mic');
  });

  it('a refused link is an error screen', () => {
    const state = candidateReducer(initialCandidateState, { type: 'failed', error: { code: 'link-expired', message: 'expired' } });
    expect(state).toMatchObject({ screen: 'error', error: { code: 'link-expired' } });
  });
});

describe('barge-in detector', () => {
  it('fires after ~300 ms of speech above the learnt floor, only while Viva speaks, once per utterance', () => {
    const detector = new BargeInDetector();
    for (let i = 0; i < 20; i++) detector.observe(0.004, false); // quiet room
    expect(detector.observe(0.1, true)).toBe(false);
    expect(detector.observe(0.1, true)).toBe(false);
    expect(detector.observe(0.1, true)).toBe(true);
    expect(detector.observe(0.1, true)).toBe(false);
    detector.reset();
    // A cough (100 ms) is not a barge-in; neither is speech while Viva is silent.
    expect(detector.observe(0.1, true)).toBe(false);
    expect(detector.observe(0.001, true)).toBe(false);
    expect(detector.observe(0.1, true)).toBe(false);
    expect(detector.observe(0.001, true)).toBe(false);
    expect(detector.observe(0.3, false)).toBe(false);
  });

  it('a noisy room raises the threshold', () => {
    const detector = new BargeInDetector();
    for (let i = 0; i < 100; i++) detector.observe(0.03, false);
    expect(detector.threshold).toBeGreaterThan(0.1);
    expect([0.06, 0.06, 0.06, 0.06].map((rms) => detector.observe(rms, true))).toEqual([false, false, false, false]);
  });
});

describe('voice choice', () => {
  it('prefers the exact tag and local voices, falls back to the language, or finds none', () => {
    const voices = [
      { lang: 'en-GB', localService: true },
      { lang: 'zh-TW', localService: false },
      { lang: 'en-US', localService: false },
      { lang: 'en-US', localService: true },
    ];
    expect(pickVoice(voices, 'en')).toEqual({ lang: 'en-US', localService: true });
    expect(pickVoice(voices, 'zh')).toEqual({ lang: 'zh-TW', localService: false });
    expect(pickVoice([{ lang: 'fr-FR', localService: true }], 'zh')).toBeUndefined();
    expect(pickVoice([], 'en')).toBeUndefined();
  });
});
