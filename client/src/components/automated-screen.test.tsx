// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CreateAutomatedInterviewRequest } from '../../../protocol/automated.ts';
import { createFakeFetch, type FakeRoutes } from '../api/fake-fetch.ts';
import { createPrepApi } from '../api/prep-api.ts';
import { I18nProvider } from '../i18n/i18n.tsx';
import { AutomatedScreen, type AutomatedSeed } from './automated-screen.tsx';

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

function renderScreen(routes: FakeRoutes, seed: AutomatedSeed = { role: '', jobDescription: '', questions: [] }) {
  const fake = createFakeFetch(routes);
  render(
    <I18nProvider locale="en">
      <AutomatedScreen api={createPrepApi({ fetch: fake.fetch })} seed={() => seed} pollIntervalMs={20} />
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
      { role: 'SRE', jobDescription: 'Runs Kubernetes', questions: [{ key: 'a', text: 'Tell me about an outage.' }, { key: 'b', text: '  ' }, { key: 'c', text: 'How do you alert?' }] },
    );
    expect((screen.getByTestId('auto-create') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId('auto-from-setup'));
    fireEvent.change(screen.getByTestId('auto-language'), { target: { value: 'zh' } });
    fireEvent.change(screen.getByTestId('auto-minutes'), { target: { value: '15' } });
    fireEvent.click(screen.getByTestId('auto-create'));

    expect((await screen.findByTestId('auto-link') as HTMLInputElement).value).toBe(`http://viva.test/interview#${token}`);
    const body = CreateAutomatedInterviewRequest.parse(fake.calls[0]!.body);
    expect(body).toMatchObject({
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
    await waitFor(() => expect(screen.getByTestId('auto-status').textContent).toBe('Status: Candidate agreed to recording'));
    fireEvent.click(screen.getByTestId('auto-revoke'));
    await waitFor(() => expect(screen.getByTestId('auto-link-row').dataset.revoked).toBe('true'));
    expect(fake.calls.some((call) => call.method === 'DELETE' && call.path === '/api/automated-interviews/iv1/links/l1')).toBe(true);
    expect(screen.queryByTestId('auto-revoke')).toBeNull();
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
