// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TranscriptEvent } from '../../../protocol/index.ts';
import { I18nProvider } from '../i18n/i18n.tsx';
import { initialInterviewState, interviewReducer, orderedTurns, type InterviewAction, type InterviewState } from '../state/interview-reducer.ts';
import { TranscriptView, type TranscriptViewProps } from './transcript-view.tsx';

afterEach(cleanup);

const event = (turnId: string, text: string, extra: Partial<TranscriptEvent> = {}): TranscriptEvent => ({
  sessionId: 's1',
  turnId,
  channel: 'candidate',
  text,
  startMs: 1000,
  endMs: 2000,
  ...extra,
});

function stateAfter(...actions: InterviewAction[]): InterviewState {
  const start: InterviewAction[] = [
    { type: 'session/starting', context: {}, language: 'en', captureMode: 'single-mic', channels: ['candidate'] },
    { type: 'session/started', sessionId: 's1', startedAt: '2026-11-23T10:00:00.000Z' },
  ];
  return [...start, ...actions].reduce(interviewReducer, initialInterviewState());
}

function view(state: InterviewState, props: Partial<TranscriptViewProps> = {}) {
  return (
    <I18nProvider locale="en">
      <TranscriptView
        turns={orderedTurns(state.turns)}
        roleOverrides={state.roleOverrides}
        canFlipRoles={false}
        highlight={null}
        scores={state.scores}
        analysisErrors={state.analysisErrors}
        followUps={state.followUps}
        {...props}
      />
    </I18nProvider>
  );
}

describe('TranscriptView', () => {
  it('shows a partial in place, then replaces it with the final in the same row', () => {
    let state = stateAfter({ type: 'transcript:partial', event: event('t1', 'I built a') });
    const { rerender } = render(view(state));
    let turns = screen.getAllByTestId('transcript-turn');
    expect(turns).toHaveLength(1);
    expect(turns[0]).toHaveProperty('dataset.final', 'false');
    expect(turns[0]?.className).toContain('turn--partial');
    expect(within(turns[0]!).getByTestId('turn-text').textContent).toContain('I built a');

    state = interviewReducer(state, { type: 'transcript:partial', event: event('t1', 'I built a queue') });
    rerender(view(state));
    expect(within(screen.getByTestId('transcript-turn')).getByTestId('turn-text').textContent).toContain('I built a queue');

    state = interviewReducer(state, { type: 'transcript:final', event: event('t1', 'I built a queue in Go.') });
    rerender(view(state));
    turns = screen.getAllByTestId('transcript-turn');
    expect(turns).toHaveLength(1);
    expect(turns[0]?.dataset.final).toBe('true');
    expect(turns[0]?.className).toContain('turn--final');
    expect(within(turns[0]!).getByTestId('turn-text').textContent).toBe('I built a queue in Go.');
  });

  it('labels speakers and orders turns by time', () => {
    const state = stateAfter(
      { type: 'transcript:final', event: event('b', 'An answer', { startMs: 5000 }) },
      { type: 'transcript:final', event: event('a', 'A question?', { channel: 'interviewer', startMs: 1000 }) },
    );
    render(view(state));
    const turns = screen.getAllByTestId('transcript-turn');
    expect(turns.map((t) => t.dataset.channel)).toEqual(['interviewer', 'candidate']);
    expect(turns[0]?.textContent).toContain('Interviewer');
    expect(turns[1]?.textContent).toContain('Candidate');
  });

  it('lets the interviewer flip a turn speaker in single-mic mode', () => {
    let state = stateAfter({ type: 'transcript:final', event: event('t1', 'What is a mutex?') });
    const onFlipRole = vi.fn((turnId: string) => {
      state = interviewReducer(state, { type: 'turn/flip-role', turnId });
    });
    const { rerender } = render(view(state, { canFlipRoles: true, onFlipRole }));
    fireEvent.click(screen.getByTestId('flip-role'));
    expect(onFlipRole).toHaveBeenCalledWith('t1');
    rerender(view(state, { canFlipRoles: true, onFlipRole }));
    expect(screen.getByTestId('transcript-turn').dataset.channel).toBe('interviewer');
    expect(screen.getByTestId('flip-role').textContent).toContain('Interviewer');
  });

  it('shows an analysis error on its answer with Retry only when a retry can help', () => {
    const state = stateAfter(
      { type: 'transcript:final', event: event('t1', 'One') },
      { type: 'transcript:final', event: event('t2', 'Two', { startMs: 3000 }) },
      { type: 'analysis:error', event: { sessionId: 's1', turnId: 't1', code: 'llm-timeout', message: 'model timed out', retryable: true } },
      { type: 'analysis:error', event: { sessionId: 's1', turnId: 't2', code: 'llm-invalid-output', message: 'bad output', retryable: false } },
    );
    const onRetry = vi.fn();
    render(view(state, { onRetry }));
    const [first, second] = screen.getAllByTestId('transcript-turn');
    expect(within(first!).getByTestId('analysis-error').textContent).toContain('model timed out');
    fireEvent.click(within(first!).getByTestId('retry-button'));
    expect(onRetry).toHaveBeenCalledWith('t1');
    expect(within(second!).getByTestId('analysis-error').textContent).toContain('bad output');
    expect(within(second!).queryByTestId('retry-button')).toBeNull();
  });

  it('marks an evidence quote inside its turn only', () => {
    const state = stateAfter(
      { type: 'transcript:final', event: event('t1', 'We used Kafka partitioned by customer ID.') },
      { type: 'transcript:final', event: event('t2', 'Kafka partitioned by customer ID, again.', { startMs: 4000 }) },
    );
    render(view(state, { highlight: { turnId: 't1', quote: 'kafka partitioned by customer id' } }));
    const marks = screen.getAllByTestId('evidence-highlight');
    expect(marks).toHaveLength(1);
    expect(marks[0]?.textContent).toBe('Kafka partitioned by customer ID');
    expect(marks[0]?.closest('[data-testid="transcript-turn"]')?.getAttribute('data-turn-id')).toBe('t1');
  });
});
