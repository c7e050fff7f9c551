// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CreateAutomatedInterviewRequest } from '../../../protocol/automated.ts';
import { createFakeFetch, type FakeRoutes } from '../api/fake-fetch.ts';
import { createPrepApi } from '../api/prep-api.ts';
import { I18nProvider } from '../i18n/i18n.tsx';
import type { PrepApi } from '../api/prep-api.ts';
import type { AutomatedSeed } from '../session/automated-controller.ts';
import { useAutomatedSession } from '../session/use-automated-session.ts';
import { AutomatedScreen } from './automated-screen.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const expiresAtMs = Date.UTC(2030, 0, 2, 9, 30);
const link = { linkId: 'l1', interviewId: 'iv1', expiresAtMs, createdAtMs: expiresAtMs - 72 * 3_600_000, revokedAtMs: null };
const token = 'v1.eyJpIjoiaXYxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const status = (state: string, revokedAtMs: number | null = null) => ({
  interviewId: 'iv1',
  state,
  timeBudgetMs: 900_000,
  startedAtMs: null,
  endedAtMs: null,
  endReason: null,
  consent: null,
  links: [{ ...link, revokedAtMs }],
  events: [],
});

const emptySeed: AutomatedSeed = { title: '', role: '', candidateName: '', jobDescription: '', questions: [] };

function Harness({ api, seed }: { api: PrepApi; seed: AutomatedSeed }) {
  const session = useAutomatedSession(api, 'en', 20);
  return <AutomatedScreen session={session} api={api} seed={() => seed} />;
}

function renderScreen(routes: FakeRoutes, seed: AutomatedSeed = emptySeed) {
  const fake = createFakeFetch(routes);
  render(
    <I18nProvider locale="en">
      <Harness api={createPrepApi({ fetch: fake.fetch })} seed={seed} />
    </I18nProvider>,
  );
  return fake;
}

describe('AI interview screen', () => {
  it('creates an interview from role, questions and budget, shows the link with copy and expiry, polls status, revokes', async () => {
    const writeText = vi.fn(async () => {});
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    let revoked = false;
    const fake = renderScreen(
      {
        'POST /api/automated-interviews': { status: 201, json: { interview: { id: 'iv1', role: 'SRE' }, link: { ...link, token, url: `http://viva.test/interview#${token}` } } },
        'GET /api/automated-interviews/iv1': (_body, call) => ({ json: status(call === 0 ? 'invited' : 'consented', revoked ? 1 : null) }),
        'DELETE /api/automated-interviews/iv1/links/l1': () => {
          revoked = true;
          return { status: 204 };
        },
      },
      { ...emptySeed, title: 'SRE first round', candidateName: 'Wang Fang', role: 'SRE', jobDescription: 'Runs Kubernetes', questions: [{ key: 'a', text: 'Tell me about an outage.' }, { key: 'b', text: '  ' }, { key: 'c', text: 'How do you alert?' }] },
    );
    expect((screen.getByTestId('auto-create') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId('auto-from-setup'));
    fireEvent.change(screen.getByTestId('auto-language'), { target: { value: 'zh' } });
    fireEvent.change(screen.getByTestId('auto-minutes'), { target: { value: '15' } });
    fireEvent.click(screen.getByTestId('auto-create'));

    expect((await screen.findByTestId('auto-link') as HTMLInputElement).value).toBe(`http://viva.test/interview#${token}`);
    const body = CreateAutomatedInterviewRequest.parse(fake.calls[0]!.body);
    expect(body).toMatchObject({
      title: 'SRE first round',
      candidateName: 'Wang Fang',
      role: 'SRE',
      jobDescription: 'Runs Kubernetes',
      language: 'zh',
      timeBudgetMinutes: 15,
      linkValidHours: 72,
      plannedQuestions: [
        { id: 'q1', text: 'Tell me about an outage.' },
        { id: 'q2', text: 'How do you alert?' },
      ],
    });
    expect(screen.getByTestId('auto-expiry').textContent).toContain('2030');

    fireEvent.click(screen.getByTestId('auto-copy'));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(`http://viva.test/interview#${token}`));

    // The first status says invited, later polls consented.
    expect(screen.getByTestId('auto-interview').querySelector('h2')?.textContent).toBe('SRE first round · Wang Fang');
    await waitFor(() => expect(screen.getByTestId('auto-status').textContent).toBe('Status: Candidate agreed to recording'));
    // Nothing has run yet, so there is no report to open.
    expect(screen.queryByTestId('auto-report')).toBeNull();
    fireEvent.click(screen.getByTestId('auto-revoke'));
    await waitFor(() => expect(screen.getByTestId('auto-link-row').dataset.revoked).toBe('true'));
    expect(fake.calls.some((call) => call.method === 'DELETE' && call.path === '/api/automated-interviews/iv1/links/l1')).toBe(true);
    expect(screen.queryByTestId('auto-revoke')).toBeNull();
  });

  it('links an ended interview to its report and stops polling it', async () => {
    const fake = renderScreen(
      {
        'POST /api/automated-interviews': { status: 201, json: { interview: { id: 'iv1', role: 'SRE' }, link: { ...link, token, url: `http://viva.test/interview#${token}` } } },
        'GET /api/automated-interviews/iv1': { json: { ...status('ended'), endReason: 'time-up' } },
      },
      { ...emptySeed, role: 'SRE', questions: [{ key: 'a', text: 'Why SRE?' }] },
    );
    fireEvent.click(screen.getByTestId('auto-from-setup'));
    fireEvent.click(screen.getByTestId('auto-create'));
    await waitFor(() => expect(screen.getByTestId('auto-status').textContent).toBe('Status: Ended: time budget used up'));
    expect(screen.getByTestId('auto-report').getAttribute('href')).toBe('/api/interviews/iv1/report?format=html&lang=en');
    expect(screen.getByTestId('auto-review').getAttribute('href')).toBe('/interviews/iv1');
    const polls = fake.calls.filter((call) => call.method === 'GET').length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.calls.filter((call) => call.method === 'GET').length).toBe(polls);
  });

  it('sends one create request however often the button is clicked while it runs', async () => {
    let release: () => void = () => {};
    const fake = renderScreen(
      {
        'POST /api/automated-interviews': () =>
          new Promise((resolve) => {
            release = () => resolve({ status: 201, json: { interview: { id: 'iv1', role: 'SRE' }, link: { ...link, token, url: `http://viva.test/interview#${token}` } } });
          }),
        'GET /api/automated-interviews/iv1': { json: status('invited') },
      },
      { ...emptySeed, role: 'SRE', questions: [{ key: 'a', text: 'Why SRE?' }] },
    );
    fireEvent.click(screen.getByTestId('auto-from-setup'));
    fireEvent.click(screen.getByTestId('auto-create'));
    await waitFor(() => expect((screen.getByTestId('auto-create') as HTMLButtonElement).disabled).toBe(true));
    fireEvent.click(screen.getByTestId('auto-create'));
    release();
    await screen.findByTestId('auto-link');
    expect(fake.calls.filter((call) => call.method === 'POST')).toHaveLength(1);
  });

  it('shows the server validation message when creation is refused', async () => {
    renderScreen({
      'POST /api/automated-interviews': { status: 400, json: { error: { code: 'invalid-request', message: 'invalid body: timeBudgetMinutes: Too big' } } },
    });
    fireEvent.change(screen.getByTestId('auto-role'), { target: { value: 'SRE' } });
    fireEvent.change(screen.getByTestId('auto-question-0'), { target: { value: 'Why SRE?' } });
    fireEvent.click(screen.getByTestId('auto-create'));
    expect((await screen.findByTestId('auto-error')).textContent).toBe('Could not create the interview: invalid body: timeBudgetMinutes: Too big (invalid-request)');
  });
});
