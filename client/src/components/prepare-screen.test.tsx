// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFakeFetch } from '../api/fake-fetch.ts';
import { createPrepApi } from '../api/prep-api.ts';
import { AppView } from '../app.tsx';
import { demoJobDescription, demoMatch, demoPlan, demoPrepRoutes, demoResume } from '../dev/prep-fixtures.ts';
import { I18nProvider } from '../i18n/i18n.tsx';
import { LevelStore } from '../session/level-store.ts';
import type { InterviewSession } from '../session/use-interview-session.ts';
import { initialInterviewState } from '../state/interview-reducer.ts';

afterEach(cleanup);

function idleSession(): InterviewSession {
  return {
    state: initialInterviewState(),
    levels: new LevelStore(),
    start: vi.fn(async () => {}),
    stop: vi.fn(async () => {}),
    retryAnalysis: vi.fn(async () => {}),
    flipRole: vi.fn(),
    setQuestionCovered: vi.fn(),
    reset: vi.fn(async () => {}),
  };
}

function renderPrepare(routes = demoPrepRoutes) {
  const fake = createFakeFetch(routes);
  const session = idleSession();
  render(
    <I18nProvider locale="en">
      <AppView session={session} api={createPrepApi({ fetch: fake.fetch })} />
    </I18nProvider>,
  );
  fireEvent.click(screen.getByTestId('nav-prepare'));
  fireEvent.change(screen.getByTestId('prep-role'), { target: { value: 'Senior backend engineer' } });
  fireEvent.change(screen.getByTestId('prep-jd'), { target: { value: demoJobDescription } });
  fireEvent.change(screen.getByTestId('prep-resume'), { target: { value: demoResume } });
  return { calls: fake.calls, session };
}

describe('Prepare screen', () => {
  it('shows the match score, skills, red flags and summary, each claim with its resume quote', async () => {
    const { calls } = renderPrepare();
    fireEvent.click(screen.getByTestId('prep-blind'));
    fireEvent.click(screen.getByTestId('prep-match-button'));
    const match = await screen.findByTestId('prep-match');
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/api/match', body: { jd: demoJobDescription, resume: demoResume, blind: true, language: 'en' } });
    expect(screen.getByTestId('prep-match-score').textContent).toBe('78/100');
    const skills = screen.getAllByTestId('prep-skill-matched');
    expect(skills).toHaveLength(3);
    expect(within(skills[1]!).getByText('Kafka')).toBeTruthy();
    expect(within(skills[1]!).getByTestId('prep-quote').textContent).toBe('“Designed an event pipeline on Kafka partitioned by customer ID”');
    expect(screen.getAllByTestId('prep-skill-missing').map((li) => li.textContent)).toEqual(['PostgreSQL · required', 'Kubernetes · nice to have']);
    const flag = screen.getByTestId('prep-red-flag');
    expect(within(flag).getByTestId('prep-quote').textContent).toContain('Left after 8 months at two jobs in 2016');
    expect(screen.getByTestId('prep-match-summary').textContent).toBe(demoMatch.summary);
    expect(match.textContent).toContain('Left out, quote not in the resume or not naming the skill: 1');
  });

  it('plans questions and "Use in interview setup" fills the setup form with role, JD, resume, questions and language', async () => {
    const { calls, session } = renderPrepare();
    fireEvent.change(screen.getByTestId('prep-count'), { target: { value: '3' } });
    fireEvent.change(screen.getByTestId('prep-language'), { target: { value: 'zh' } });
    fireEvent.click(screen.getByTestId('prep-plan-button'));
    await screen.findByTestId('prep-plan');
    expect(calls[0]).toMatchObject({ path: '/api/plans', body: { count: 3, language: 'zh' } });
    expect(screen.getAllByTestId('prep-plan-question').map((li) => li.querySelector('.prep__question-text')?.textContent)).toEqual(demoPlan.questions.map((q) => q.text));

    fireEvent.click(screen.getByTestId('prep-use-in-setup'));
    expect(screen.getByTestId('setup-form')).toBeTruthy();
    expect((screen.getByTestId('setup-role') as HTMLInputElement).value).toBe('Senior backend engineer');
    // The empty title is filled from the role, so the interview has a name in its review and report.
    expect((screen.getByTestId('setup-title') as HTMLInputElement).value).toBe('Senior backend engineer interview');
    expect((screen.getByTestId('setup-job-description') as HTMLTextAreaElement).value).toBe(demoJobDescription);
    expect((screen.getByTestId('setup-resume') as HTMLTextAreaElement).value).toBe(demoResume);
    expect(screen.getAllByTestId('setup-question-row')).toHaveLength(3);
    expect((screen.getByTestId('setup-question-2') as HTMLInputElement).value).toBe(demoPlan.questions[2]!.text);
    // The plan's language (en in the fixture) becomes the spoken language the live session uses.
    expect((screen.getByTestId('setup-language') as HTMLSelectElement).value).toBe('en');

    // Starting the interview sends the planned questions in the session context, so the live screen ticks them off.
    fireEvent.click(screen.getByTestId('start-button'));
    expect(session.start).toHaveBeenCalledTimes(1);
    const started = vi.mocked(session.start).mock.calls[0]![0];
    expect(started.language).toBe('en');
    expect(started.context.role).toBe('Senior backend engineer');
    expect(started.context.plannedQuestions?.map((q) => q.text)).toEqual(demoPlan.questions.map((q) => q.text));
  });

  it('shows what a slow match is doing and for how long, and sends one request however often it is clicked', async () => {
    let answer: () => void = () => {};
    const { calls } = renderPrepare({
      ...demoPrepRoutes,
      'POST /api/match': () => new Promise((resolve) => (answer = () => resolve({ json: { match: demoMatch } }))),
    });
    fireEvent.click(screen.getByTestId('prep-match-button'));
    const progress = await screen.findByTestId('prep-match-progress');
    expect(progress.textContent).toMatch(/^Waiting for the language model · Matching the resume against the job description · 0:0\d$/);
    expect((screen.getByTestId('prep-match-button') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId('prep-match-button').textContent).toBe('Working…');
    answer();
    await screen.findByTestId('prep-match');
    expect(screen.getByTestId('prep-match-progress').textContent).toMatch(/^Took 0:0\d$/);
    expect(calls.filter((call) => call.path === '/api/match')).toHaveLength(1);
  });

  it('fills the JD from an uploaded file with the text the server extracted', async () => {
    const { calls } = renderPrepare({ ...demoPrepRoutes, 'POST /api/resumes/parse': { json: { text: 'JD from the PDF', kind: 'pdf', resume: null, llmError: null } } });
    fireEvent.change(screen.getByTestId('prep-jd-file'), { target: { files: [new File(['%PDF'], 'jd.pdf', { type: 'application/pdf' })] } });
    await waitFor(() => expect((screen.getByTestId('prep-jd') as HTMLTextAreaElement).value).toBe('JD from the PDF'));
    expect(screen.getByTestId('prep-upload-status').textContent).toBe('Text filled in from jd.pdf.');
    expect(calls.at(-1)?.path).toBe('/api/resumes/parse?llm=false');
    expect((screen.getByTestId('prep-resume') as HTMLTextAreaElement).value).toBe(demoResume);
  });

  it('says the language model is unreachable when the API answers llm-unreachable, and keeps the inputs', async () => {
    renderPrepare({
      'POST /api/match': { status: 503, json: { error: { code: 'llm-unreachable', message: 'connect ECONNREFUSED 127.0.0.1:8000' } } },
    });
    fireEvent.click(screen.getByTestId('prep-match-button'));
    const error = await screen.findByTestId('prep-match-error');
    expect(error.textContent).toBe(
      'Match failed: The language model cannot be reached (connect ECONNREFUSED 127.0.0.1:8000). Check that the LLM server is running, then try again.',
    );
    expect((screen.getByTestId('prep-resume') as HTMLTextAreaElement).value).toBe(demoResume);
    await waitFor(() => expect((screen.getByTestId('prep-match-button') as HTMLButtonElement).disabled).toBe(false));
  });
});
