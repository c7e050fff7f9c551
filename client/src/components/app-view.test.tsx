// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppView } from '../app.tsx';
import { I18nProvider } from '../i18n/i18n.tsx';
import { LevelStore } from '../session/level-store.ts';
import type { InterviewSession } from '../session/use-interview-session.ts';
import { initialInterviewState, type InterviewState } from '../state/interview-reducer.ts';

afterEach(cleanup);

function session(state: InterviewState, overrides: Partial<InterviewSession> = {}): InterviewSession {
  return {
    state,
    levels: new LevelStore(),
    start: vi.fn(async () => {}),
    stop: vi.fn(async () => {}),
    retryAnalysis: vi.fn(async () => {}),
    flipRole: vi.fn(),
    setQuestionCovered: vi.fn(),
    reset: vi.fn(async () => {}),
    ...overrides,
  };
}

const liveState = (extra: Partial<InterviewState> = {}): InterviewState => ({
  ...initialInterviewState(),
  phase: 'live',
  sessionId: 's1',
  connection: 'connected',
  channels: ['interviewer', 'candidate'],
  startedAt: new Date().toISOString(),
  ...extra,
});

const renderApp = (s: InterviewSession) =>
  render(
    <I18nProvider locale="en">
      <AppView session={s} />
    </I18nProvider>,
  );

describe('AppView', () => {
  it('switches the whole interface between English and Chinese from the header', () => {
    renderApp(session(initialInterviewState()));
    expect(screen.getByTestId('start-button').textContent).toBe('Start interview');
    fireEvent.click(screen.getByTestId('language-switch'));
    expect(screen.getByTestId('start-button').textContent).toBe('开始面试');
    expect(screen.getByTestId('language-switch').textContent).toBe('English');
  });

  it('names the default rubric in the interface language; a renamed row keeps what was typed', () => {
    const s = session(initialInterviewState());
    renderApp(s);
    fireEvent.change(screen.getByTestId('setup-rubric-name-1'), { target: { value: 'Communication' } });
    fireEvent.click(screen.getByTestId('language-switch'));
    expect([0, 1, 2].map((n) => (screen.getByTestId(`setup-rubric-name-${n}`) as HTMLInputElement).value)).toEqual(['技术能力', 'Communication', '解决问题能力']);
    fireEvent.change(screen.getByTestId('setup-title'), { target: { value: '第一轮' } });
    fireEvent.click(screen.getByTestId('start-button'));
    const dimensions = vi.mocked(s.start).mock.calls[0]![0].context.rubric?.dimensions;
    // Names as shown; ids stay the English ones so scores compare across interviews.
    expect(dimensions?.map((d) => [d.id, d.name])).toEqual([
      ['technical_skill', '技术能力'],
      ['communication', 'Communication'],
      ['problem_solving', '解决问题能力'],
    ]);
  });

  it('says what is missing instead of starting an empty form, and why', () => {
    const s = session(initialInterviewState());
    renderApp(s);
    fireEvent.click(screen.getByTestId('start-button'));
    expect(s.start).not.toHaveBeenCalled();
    expect(screen.getByTestId('setup-error').textContent).toContain('Give the interview a title or the role first');
    fireEvent.change(screen.getByTestId('setup-role'), { target: { value: 'SRE' } });
    fireEvent.click(screen.getByTestId('start-button'));
    expect(s.start).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('setup-error')).toBeNull();
  });

  it('navigates between screens from the header, highlighting the current one, and points a first visit somewhere', () => {
    localStorage.removeItem('viva.firstRunHintDismissed');
    renderApp(session(initialInterviewState()));
    expect(screen.getByTestId('nav-interview').getAttribute('aria-current')).toBe('page');
    fireEvent.click(screen.getByTestId('hint-prepare'));
    expect(screen.getByTestId('prepare-screen')).toBeTruthy();
    expect(screen.getByTestId('nav-prepare').getAttribute('aria-current')).toBe('page');
    expect(screen.getByTestId('nav-interview').getAttribute('aria-current')).toBeNull();
    fireEvent.click(screen.getByTestId('nav-automated'));
    expect(screen.getByTestId('automated-screen')).toBeTruthy();
    expect(screen.getByTestId('nav-automated').getAttribute('aria-current')).toBe('page');
    // The hint belongs to the interview form, where a first visit lands.
    expect(screen.queryByTestId('first-run-hint')).toBeNull();
    fireEvent.click(screen.getByTestId('nav-interview'));
    fireEvent.click(screen.getByTestId('hint-dismiss'));
    expect(screen.queryByTestId('first-run-hint')).toBeNull();
    expect(localStorage.getItem('viva.firstRunHintDismissed')).toBe('1');
  });

  it('during an interview the navigation shows its phase and keeps the other screens out of reach', () => {
    renderApp(session(liveState()));
    expect(screen.getByTestId('nav-interview').getAttribute('aria-current')).toBe('page');
    expect(screen.getByTestId('nav-phase').textContent).toBe('Live');
    expect((screen.getByTestId('nav-prepare') as HTMLButtonElement).disabled).toBe(true);
  });

  it('starts with the validated context, or lists what to fix instead', () => {
    const s = session(initialInterviewState());
    renderApp(s);
    fireEvent.change(screen.getByTestId('setup-title'), { target: { value: 'Round 1' } });
    fireEvent.change(screen.getByTestId('setup-language'), { target: { value: 'zh' } });
    fireEvent.change(screen.getByTestId('setup-rubric-weight-1'), { target: { value: '-1' } });
    fireEvent.click(screen.getByTestId('start-button'));
    expect(screen.getByTestId('setup-error').textContent).toContain('Rubric row 2: the weight must be a number above 0');
    expect(s.start).not.toHaveBeenCalled();
    fireEvent.change(screen.getByTestId('setup-rubric-weight-1'), { target: { value: '2.5' } });
    fireEvent.click(screen.getByTestId('start-button'));
    expect(s.start).toHaveBeenCalledWith({
      language: 'zh',
      captureMode: 'mic-and-tab',
      context: expect.objectContaining({ title: 'Round 1', rubric: expect.objectContaining({ dimensions: expect.arrayContaining([expect.objectContaining({ id: 'clarity', weight: 2.5 })]) }) }),
    });
  });

  it('shows a start failure in words the interviewer can act on', () => {
    renderApp(session({ ...initialInterviewState(), startError: { code: 'no-tab-audio', message: 'x' } }));
    expect(screen.getByTestId('setup-error').textContent).toContain('tick “Share tab audio”');
  });

  it('shows the reconnecting banner with the buffered audio while the socket is down', () => {
    renderApp(session(liveState({ connection: 'reconnecting', buffer: { pendingFrames: 150, droppedFrames: 0, lostInTransitFrames: 0 } })));
    const banner = screen.getByTestId('connection-banner');
    expect(banner.dataset.status).toBe('reconnecting');
    expect(banner.textContent).toContain('reconnecting');
    expect(banner.textContent).toContain('15.0 s held');
  });

  it('shows the LLM banner when the server reports model errors, and none when all is well', () => {
    const { unmount } = renderApp(session(liveState()));
    expect(screen.queryByTestId('connection-banner')).toBeNull();
    expect(screen.queryByTestId('llm-banner')).toBeNull();
    unmount();
    renderApp(session(liveState({ llmError: { code: 'llm-unreachable', message: 'connect ECONNREFUSED' } })));
    expect(screen.getByTestId('llm-banner').textContent).toContain('llm-unreachable');
  });

  it('streams follow-up drafts, then shows the validated suggestions with what they build on and probe', () => {
    const turns = { t1: { turnId: 't1', channel: 'candidate' as const, text: 'I used Redis.', startMs: 5000, endMs: 9000, isFinal: true, arrival: 0 } };
    const { rerender } = renderApp(
      session(liveState({ turns, followUps: { t1: { streamText: '[Redis] Why Red', suggestions: null } } })),
    );
    const panel = screen.getByTestId('followup-panel');
    // The server streams plain text: a draft that starts with "[" is shown, not parsed as JSON (it used to render blank).
    expect(screen.getByTestId('followup-stream').textContent).toContain('[Redis] Why Red');
    rerender(
      <I18nProvider locale="en">
        <AppView
          session={session(
            liveState({ turns, followUps: { t1: { streamText: '', suggestions: [{ question: 'Why Redis over Memcached?', buildsOn: 'I used Redis', probes: 'Trade-offs' }] } } }),
          )}
        />
      </I18nProvider>,
    );
    expect(screen.queryByTestId('followup-stream')).toBeNull();
    expect(panel.textContent).toContain('Why Redis over Memcached?');
    expect(screen.getByTestId('followup-builds-on').textContent).toBe('I used Redis');
    expect(screen.getByTestId('followup-probes').textContent).toBe('Trade-offs');
  });

  it('ticks planned questions and lets the interviewer tick one by hand', () => {
    const s = session(
      liveState({
        context: { plannedQuestions: [{ id: 'q1', text: 'Tell me about a time you disagreed with a teammate' }, { id: 'q2', text: 'How do you handle on-call?' }] },
        turns: { a: { turnId: 'a', channel: 'interviewer', text: 'Tell me about a time you disagreed with a teammate.', startMs: 0, endMs: 1, isFinal: true, arrival: 0 } },
      }),
    );
    renderApp(s);
    const items = screen.getAllByTestId('planned-question');
    expect(items.map((i) => i.dataset.covered)).toEqual(['true', 'false']);
    fireEvent.click(items[1]!.querySelector('input')!);
    expect(s.setQuestionCovered).toHaveBeenCalledWith('q2', true);
  });

  it('review: exports JSON and Markdown as downloads', () => {
    const created: Blob[] = [];
    const createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob);
      return 'blob:x';
    });
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    renderApp(
      session({
        ...liveState(),
        phase: 'review',
        turns: { a: { turnId: 'a', channel: 'candidate', text: 'Hello', startMs: 0, endMs: 1000, isFinal: true, arrival: 0 } },
      }),
    );
    expect(screen.getByTestId('review-view')).toBeTruthy();
    expect(screen.getAllByTestId('review-turn')).toHaveLength(1);
    fireEvent.click(screen.getByTestId('export-json'));
    fireEvent.click(screen.getByTestId('export-markdown'));
    expect(click).toHaveBeenCalledTimes(2);
    expect(created.map((b) => b.type)).toEqual(['application/json;charset=utf-8', 'text/markdown;charset=utf-8']);
    click.mockRestore();
  });
});
