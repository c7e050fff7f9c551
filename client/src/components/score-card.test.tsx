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

  it('shows "no evidence" instead of a number for a dimension whose quotes did not verify, and says how many count', () => {
    const partial: AnswerScore = {
      ...answer,
      overall: 8,
      evidencedDimensions: 1,
      dimensions: [answer.dimensions[0]!, { id: 'clarity', name: 'Clarity', score: null, reason: 'No evidence.', evidence: [] }],
    };
    render(
      <I18nProvider locale="en">
        <ScoreCard turnId="t1" score={partial} />
      </I18nProvider>,
    );
    const dims = screen.getAllByTestId('dimension-score');
    expect(dims.map((d) => d.textContent)).toEqual(['8/10', 'no evidence']);
    expect(screen.getByTestId('score-evidenced-count').textContent).toBe('from 1 of 2 dimensions with verified evidence');
  });

  it('does not score an answer with no verified evidence: no number anywhere, in English and Chinese', () => {
    const unevidenced: AnswerScore = {
      ...answer,
      overall: null,
      evidencedDimensions: 0,
      remark: 'Not scored: none of the evidence quoted for this answer is in the transcript.',
      dimensions: answer.dimensions.map((d) => ({ ...d, score: null, evidence: [] })),
    };
    const { unmount } = render(
      <I18nProvider locale="en">
        <ScoreCard turnId="t1" score={unevidenced} />
      </I18nProvider>,
    );
    const card = screen.getByTestId('score-card');
    expect(within(card).queryByTestId('score-overall')).toBeNull();
    expect(within(card).getByTestId('score-overall-none').textContent).toBe('no evidence');
    expect(card.textContent).toContain('Not scored: no verified evidence');
    const withoutVersions = card.textContent!.replace(within(card).getByTestId('score-versions').textContent!, '');
    expect(withoutVersions).not.toMatch(/\d/);
    unmount();
    render(
      <I18nProvider locale="zh">
        <ScoreCard turnId="t1" score={unevidenced} />
      </I18nProvider>,
    );
    expect(screen.getByTestId('score-overall-none').textContent).toBe('无依据');
    expect(screen.getByTestId('score-card').textContent).toContain('未评分：没有经核实的依据');
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
