// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AnswerScore } from '../../../protocol/index.ts';
import { I18nProvider } from '../i18n/i18n.tsx';
import { LevelStore } from '../session/level-store.ts';
import { initialInterviewState, type InterviewState } from '../state/interview-reducer.ts';
import { LiveScreen } from './live-screen.tsx';
import { ScoreCard } from './score-card.tsx';

afterEach(cleanup);

const versions = { model: 'Qwen2.5-7B-Instruct', promptVersion: 'score-en@3', rubricVersion: 'rubric-v2' };
const answer: AnswerScore = {
  label: 'answer',
  overall: 7.3,
  remark: 'Concrete and clear.',
  dimensions: [
    { id: 'technical', name: 'Technical skill', score: 8, reason: 'Knew the load.', evidence: [{ quote: 'Kafka partitioned by customer ID', startMs: 0, endMs: 1 }] },
    { id: 'clarity', name: 'Clarity', score: 6, reason: 'Rambled a bit.', evidence: [] },
  ],
  ...versions,
};
const nonAnswer: AnswerScore = { label: 'non-answer', overall: null, dimensions: [], remark: 'Did not answer the question.', ...versions };

describe('ScoreCard', () => {
  it('shows label, each dimension out of 10 with its reason, the overall, the remark and versions', () => {
    render(
      <I18nProvider locale="en">
        <ScoreCard turnId="t1" score={answer} title="Answer at 00:10" />
      </I18nProvider>,
    );
    const card = screen.getByTestId('score-card');
    expect(card.dataset.label).toBe('answer');
    expect(within(card).getByTestId('score-label').textContent).toBe('Answer');
    expect(within(card).getByTestId('score-overall').textContent).toBe('7.3/10');
    const dims = within(card).getAllByTestId('score-dimension');
    expect(dims.map((d) => within(d).getByTestId('dimension-score').textContent)).toEqual(['8/10', '6/10']);
    expect(dims[0]?.textContent).toContain('Technical skill');
    expect(dims[1]?.textContent).toContain('Rambled a bit.');
    expect(card.textContent).toContain('Concrete and clear.');
    expect(within(card).getByTestId('score-versions').textContent).toBe('model Qwen2.5-7B-Instruct · prompt score-en@3 · rubric rubric-v2');
  });

  it('shows a non-answer as a label and remark with no numbers at all', () => {
    render(
      <I18nProvider locale="en">
        <ScoreCard turnId="t2" score={nonAnswer} />
      </I18nProvider>,
    );
    const card = screen.getByTestId('score-card');
    expect(within(card).getByTestId('score-label').textContent).toBe('Non-answer');
    expect(card.textContent).toContain('Did not answer the question.');
    expect(within(card).queryByTestId('score-overall')).toBeNull();
    expect(within(card).queryAllByTestId('score-dimension')).toHaveLength(0);
    const withoutVersions = card.textContent!.replace(within(card).getByTestId('score-versions').textContent!, '');
    expect(withoutVersions).not.toMatch(/\d/);
  });

  it('labels in Chinese', () => {
    render(
      <I18nProvider locale="zh">
        <ScoreCard turnId="t2" score={{ ...nonAnswer, label: 'off-topic' }} />
      </I18nProvider>,
    );
    expect(screen.getByTestId('score-label').textContent).toBe('答非所问');
  });

  it('reports the evidence under the pointer or focus, and its leaving', () => {
    const onEvidence = vi.fn();
    render(
      <I18nProvider locale="en">
        <ScoreCard turnId="t1" score={answer} onEvidence={onEvidence} />
      </I18nProvider>,
    );
    const quote = screen.getByTestId('evidence-quote');
    fireEvent.mouseEnter(quote);
    expect(onEvidence).toHaveBeenLastCalledWith('t1', 'Kafka partitioned by customer ID');
    fireEvent.mouseLeave(quote);
    expect(onEvidence).toHaveBeenLastCalledWith('t1', null);
    fireEvent.focus(quote);
    expect(onEvidence).toHaveBeenLastCalledWith('t1', 'Kafka partitioned by customer ID');
  });

  it('on the live screen, focusing evidence highlights the quote in that turn of the transcript', () => {
    const state: InterviewState = {
      ...initialInterviewState(),
      phase: 'live',
      sessionId: 's1',
      channels: ['interviewer', 'candidate'],
      turns: {
        t1: { turnId: 't1', channel: 'candidate', text: 'I used Kafka partitioned by customer ID and Go.', startMs: 10_000, endMs: 20_000, isFinal: true, arrival: 0 },
      },
      scores: { t1: answer },
    };
    render(
      <I18nProvider locale="en">
        <LiveScreen state={state} levels={new LevelStore()} onStop={() => {}} onRetry={() => {}} onFlipRole={() => {}} onSetCovered={() => {}} />
      </I18nProvider>,
    );
    expect(screen.queryByTestId('evidence-highlight')).toBeNull();
    fireEvent.focus(screen.getByTestId('evidence-quote'));
    expect(screen.getByTestId('evidence-highlight').textContent).toBe('Kafka partitioned by customer ID');
    fireEvent.blur(screen.getByTestId('evidence-quote'));
    expect(screen.queryByTestId('evidence-highlight')).toBeNull();
  });
});
