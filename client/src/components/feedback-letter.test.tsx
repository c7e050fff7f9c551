// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FeedbackRequest } from '../../../protocol/prep.ts';
import { createFakeFetch, type FakeRoutes } from '../api/fake-fetch.ts';
import { createPrepApi } from '../api/prep-api.ts';
import { demoState } from '../dev/demo-session.tsx';
import { I18nProvider } from '../i18n/i18n.tsx';
import { interviewLanguage } from '../state/feedback-request.ts';
import type { InterviewState } from '../state/interview-reducer.ts';
import { ReviewScreen } from './review-screen.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const letter = {
  subject: '您的面试反馈',
  greeting: '您好，',
  paragraphs: ['感谢您参加面试。'],
  strengths: ['讲清楚了背压'],
  improvements: ['多谈故障恢复'],
  closing: '祝好',
  language: 'zh',
  text: '您好，\n\n感谢您参加面试。\n\n祝好',
  model: 'Qwen2.5-7B-Instruct',
  promptVersion: 'feedback-letter@1',
};

function renderReview(state: InterviewState, routes: FakeRoutes) {
  const fake = createFakeFetch(routes);
  render(
    <I18nProvider locale="en">
      <ReviewScreen state={state} api={createPrepApi({ fetch: fake.fetch })} onNewInterview={() => {}} onRetry={() => {}} />
    </I18nProvider>,
  );
  return fake;
}

describe('Feedback letter on the review screen', () => {
  it('posts the scored answers with their questions in the interview language and shows the letter with copy', async () => {
    const writeText = vi.fn(async () => {});
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const state = { ...demoState('review'), language: 'zh' as const };
    const fake = renderReview(state, { 'POST /api/feedback': { json: { letter } } });
    fireEvent.change(screen.getByTestId('feedback-decision'), { target: { value: 'advance' } });
    fireEvent.click(screen.getByTestId('feedback-button'));
    expect((await screen.findByTestId('feedback-text')).textContent).toBe(letter.text);
    expect(screen.getByTestId('feedback-subject').textContent).toBe('您的面试反馈');

    const body = FeedbackRequest.parse(fake.calls[0]!.body);
    expect(body.language).toBe('zh');
    expect(body.decision).toBe('advance');
    expect(body.role).toBe('Senior backend engineer');
    // t2, t4 and t6 are scored in the demo review, each after an interviewer question.
    expect(body.answers.map((answer) => [answer.question?.slice(0, 30), answer.score.label])).toEqual([
      ['Thanks for joining. Can you wa', 'answer'],
      ['How did you decide on one seco', 'non-answer'],
      ['OK. Tell me about a time you d', 'answer'],
    ]);

    fireEvent.click(screen.getByTestId('feedback-copy'));
    expect((await screen.findByTestId('feedback-copy-status')).textContent).toBe('Copied.');
    expect(writeText).toHaveBeenCalledWith(`您的面试反馈\n\n${letter.text}`);
  });

  it('shows the API error when the LLM is down', async () => {
    renderReview(demoState('review'), { 'POST /api/feedback': { status: 503, json: { error: { code: 'llm-unreachable', message: 'connect ECONNREFUSED' } } } });
    fireEvent.click(screen.getByTestId('feedback-button'));
    expect((await screen.findByTestId('feedback-error')).textContent).toContain('The language model cannot be reached (connect ECONNREFUSED)');
  });

  it('takes the language from the candidate’s words when the session was auto-detect', () => {
    const state = demoState('review');
    const zhTurns = Object.fromEntries(Object.entries(state.turns).map(([id, turn]) => [id, { ...turn, text: turn.channel === 'candidate' ? '我们用 Kafka 按客户分区，高峰每秒四万条事件' : turn.text }]));
    expect(interviewLanguage({ ...state, language: 'auto', turns: zhTurns }, 'en')).toBe('zh');
    expect(interviewLanguage({ ...state, language: 'auto' }, 'zh')).toBe('en');
    expect(interviewLanguage({ ...state, language: 'auto', turns: {} }, 'zh')).toBe('zh');
  });
});
