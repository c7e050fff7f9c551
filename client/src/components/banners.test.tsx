// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { I18nProvider } from '../i18n/i18n.tsx';
import { initialInterviewState, interviewReducer } from '../state/interview-reducer.ts';
import { Banners } from './banners.tsx';

afterEach(cleanup);

// A storage failure of the live session (server `storage:error`) must be visible on the interviewer's screen.
describe('not recording', () => {
  const live = { ...initialInterviewState(), phase: 'live' as const };
  const failed = interviewReducer(live, {
    type: 'storage:error',
    event: { sessionId: 's1', operation: 'saveTurn', code: 'SQLITE_FULL', message: 'database or disk is full', atMs: 1 },
  });

  it('shows a banner saying the interview is not being recorded, in English and Chinese', () => {
    render(
      <I18nProvider locale="en">
        <Banners state={failed} />
      </I18nProvider>,
    );
    expect(screen.getByTestId('not-recording-banner').textContent).toContain('Not recording');
    expect(screen.getByTestId('not-recording-banner').textContent).toContain('database or disk is full');
    cleanup();
    render(
      <I18nProvider locale="zh">
        <Banners state={failed} />
      </I18nProvider>,
    );
    expect(screen.getByTestId('not-recording-banner').textContent).toContain('未在记录');
  });

  it('shows nothing while storage works', () => {
    render(
      <I18nProvider locale="en">
        <Banners state={live} />
      </I18nProvider>,
    );
    expect(screen.queryByTestId('not-recording-banner')).toBeNull();
  });
});
