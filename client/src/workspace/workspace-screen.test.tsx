// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeFetch, type FakeRoutes } from '../api/fake-fetch.ts';
import { I18nProvider } from '../i18n/i18n.tsx';
import type { Locale } from '../i18n/dictionary.ts';
import { csvField, csvRow } from './detail-model.ts';
import { detail, listItem, page, reportJson } from './fixtures.ts';
import { createWorkspaceApi } from './workspace-api.ts';
import { WorkspaceScreen } from './workspace-screen.tsx';

function renderWorkspace(routes: FakeRoutes, locale: Locale = 'en') {
  const fake = createFakeFetch(routes);
  render(
    <I18nProvider locale={locale}>
      <WorkspaceScreen api={createWorkspaceApi({ fetch: fake.fetch })} />
    </I18nProvider>,
  );
  return fake;
}

const listCalls = (calls: { method: string; path: string }[]) => calls.filter((call) => call.method === 'GET' && call.path.startsWith('/api/interviews?') || call.path === '/api/interviews');

beforeEach(() => {
  window.history.replaceState(null, '', '/interviews');
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('interview list', () => {
  it('shows each interview with candidate, role, duration, status, overall and recommendation, in English and Chinese', async () => {
    const items = [listItem(), listItem({ id: 'iv-2', candidateName: null, state: 'scoring', counts: { turns: 6, answers: 5, scored: 2, failed: 1, pending: 2 }, overall: null, recommendation: 'insufficient-evidence', mode: 'recording' })];
    renderWorkspace({ 'GET /api/interviews': { json: page(items) } });
    const rows = await screen.findAllByTestId('interview-row');
    expect(rows).toHaveLength(2);
    expect(within(rows[0] as HTMLElement).getByTestId('open-interview').textContent).toBe('Ada Lovelace');
    expect(rows[0]?.textContent).toContain('Backend engineer');
    expect(rows[0]?.textContent).toContain('30:05');
    expect(within(rows[0] as HTMLElement).getByTestId('interview-overall').textContent).toBe('7.4');
    expect(within(rows[0] as HTMLElement).getByTestId('interview-recommendation').textContent).toBe('Hire');
    expect(within(rows[1] as HTMLElement).getByTestId('interview-state').textContent).toBe('Scoring 3 of 5…');
    expect(within(rows[1] as HTMLElement).getByTestId('open-interview').textContent).toBe('Unnamed candidate');
    expect(screen.getByTestId('page-info').textContent).toBe('1–2 of 2');
    cleanup();

    renderWorkspace({ 'GET /api/interviews': { json: page(items) } }, 'zh');
    const zhRows = await screen.findAllByTestId('interview-row');
    expect(within(zhRows[1] as HTMLElement).getByTestId('interview-state').textContent).toBe('评分中 3 / 5…');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('面试记录');
    expect(within(zhRows[0] as HTMLElement).getByTestId('interview-recommendation').textContent).toBe('录用');
  });

  it('sends the search, the role and status filters and the page to the server, and says when nothing matches', async () => {
    const fake = renderWorkspace({
      'GET /api/interviews': (_body, index) => (index === 0 ? { json: page([listItem()], 41) } : { json: page([], 0) }),
    });
    await screen.findAllByTestId('interview-row');
    fireEvent.click(screen.getByTestId('page-next'));
    await waitFor(() => expect(listCalls(fake.calls).at(-1)?.path).toContain('offset=20'));

    fireEvent.change(screen.getByTestId('interview-search'), { target: { value: 'sharded tenant' } });
    await waitFor(() => expect(listCalls(fake.calls).at(-1)?.path).toBe('/api/interviews?limit=20&offset=0&q=sharded+tenant'));
    fireEvent.change(screen.getByTestId('filter-role'), { target: { value: 'Data scientist' } });
    fireEvent.change(screen.getByTestId('filter-state'), { target: { value: 'scoring' } });
    await waitFor(() => expect(listCalls(fake.calls).at(-1)?.path).toContain('role=Data+scientist&state=scoring'));
    expect((await screen.findByTestId('list-empty')).textContent).toBe('No interview matches these filters.');
    fireEvent.click(screen.getByTestId('clear-filters'));
    await waitFor(() => expect(listCalls(fake.calls).at(-1)?.path).toBe('/api/interviews?limit=20&offset=0'));
  });

  it('shows a failed load with a retry', async () => {
    renderWorkspace({ 'GET /api/interviews': (_body, index) => (index === 0 ? { status: 503, json: { error: { code: 'storage-unavailable', message: 'disk full' } } } : { json: page([listItem()]) }) });
    expect((await screen.findByTestId('list-error')).textContent).toContain('disk full');
    fireEvent.click(screen.getByText('Try again'));
    expect(await screen.findAllByTestId('interview-row')).toHaveLength(1);
  });
});

describe('one interview', () => {
  const detailRoutes = (extra: FakeRoutes = {}): FakeRoutes => ({
    'GET /api/interviews': { json: page([listItem()]) },
    'GET /api/interviews/iv-1': { json: detail() },
    'GET /api/interviews/iv-1/report': { json: reportJson },
    ...extra,
  });

  it('opens from the list at /interviews/:id with the transcript, score card, evidence, follow-ups and exports', async () => {
    renderWorkspace(detailRoutes());
    fireEvent.click(await screen.findByTestId('open-interview'));
    await screen.findByTestId('interview-detail');
    expect(window.location.pathname).toBe('/interviews/iv-1');
    expect(screen.getByTestId('detail-candidate').textContent).toBe('Ada Lovelace');
    const turns = screen.getAllByTestId('detail-turn');
    expect(turns.map((turn) => turn.dataset.channel)).toEqual(['interviewer', 'candidate', 'candidate']);
    expect(screen.getByTestId('score-card').textContent).toContain('8.0');
    expect(screen.getByText('How did you rebalance shards?')).toBeTruthy();
    expect(screen.getByTestId('score-pending').textContent).toBe('Scoring…');
    expect(screen.getByTestId('detail-summary').textContent).toContain('1 of 2 answers scored');

    fireEvent.mouseEnter(screen.getByTestId('evidence-quote'));
    expect(screen.getByTestId('evidence-highlight').textContent).toBe('we sharded by tenant');

    expect(screen.getByTestId('export-html').getAttribute('href')).toBe('/api/interviews/iv-1/report?format=html&lang=en&download=1');
    expect(screen.getByTestId('export-md').getAttribute('href')).toContain('format=md');
    expect(screen.getAllByTestId('play-turn')).toHaveLength(2); // the third turn kept no audio
  });

  it('opens straight from the address (a reload), and plays turns one after another with the line following', async () => {
    window.history.replaceState(null, '', '/interviews/iv-1');
    const play = vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(async () => undefined);
    vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(() => undefined);
    renderWorkspace(detailRoutes());
    const buttons = await screen.findAllByTestId('play-turn');
    fireEvent.click(buttons[0] as HTMLElement);
    const audio = screen.getByTestId('turn-audio') as HTMLAudioElement;
    await waitFor(() => expect(screen.getAllByTestId('detail-turn')[0]?.dataset.playing).toBe('true'));
    expect(audio.src).toContain('/api/interviews/iv-1/turns/t1/audio');
    await act(async () => {
      audio.dispatchEvent(new Event('ended'));
    });
    await waitFor(() => expect(audio.src).toContain('/turns/t2/audio'));
    await waitFor(() => expect(screen.getAllByTestId('detail-turn')[1]?.dataset.playing).toBe('true'));
    expect(play).toHaveBeenCalledTimes(2);
  });

  it('deletes only after confirmation, then returns to the list', async () => {
    window.history.replaceState(null, '', '/interviews/iv-1');
    const fake = renderWorkspace(detailRoutes({ 'DELETE /api/interviews/iv-1': { status: 204 } }));
    fireEvent.click(await screen.findByTestId('delete-interview'));
    fireEvent.click(screen.getByTestId('delete-no'));
    expect(fake.calls.some((call) => call.method === 'DELETE')).toBe(false);
    fireEvent.click(screen.getByTestId('delete-interview'));
    fireEvent.click(screen.getByTestId('delete-yes'));
    await screen.findByTestId('interviews-list');
    expect(fake.calls.filter((call) => call.method === 'DELETE').map((call) => call.path)).toEqual(['/api/interviews/iv-1']);
    expect(window.location.pathname).toBe('/interviews');
  });

  it('says so when the interview does not exist', async () => {
    window.history.replaceState(null, '', '/interviews/gone');
    renderWorkspace({});
    expect((await screen.findByTestId('detail-error')).textContent).toBe('No such interview (it may have been deleted).');
  });
});

describe('compare candidates of one role', () => {
  const PLANNED = { index: 0, text: 'How did you scale the database?' };
  const reportOf = (overall: number, depth: number, answer: string, askedFirst?: string) => ({
    summary: { ...reportJson.summary, recommendation: 'hire', weightedOverall: overall, dimensions: [{ id: 'depth', name: 'Technical depth', weight: 1, average: depth, count: 1 }] },
    questions: [
      // The second interviewer asked something else first, and the planned question in their own words.
      ...(askedFirst ? [{ index: 1, source: 'interviewer', text: askedFirst, planned: null, answers: [{ turnId: 'a0', text: 'Yes.', status: 'scored', score: null }] }] : []),
      {
        index: askedFirst ? 2 : 1,
        source: 'interviewer',
        text: askedFirst ? 'So how did you go about scaling that database?' : 'How did you scale the database?',
        planned: PLANNED,
        answers: [{ turnId: 'a1', text: answer, status: 'scored', score: { overall, dimensions: [{ id: 'depth', score: depth, evidence: [{ quote: 'read replicas' }] }] } }],
      },
    ],
  });

  it('puts the newest interviews of the chosen role side by side: overall, dimensions and answers to the same planned question', async () => {
    const fake = renderWorkspace({
      'GET /api/interviews': { json: page([listItem(), listItem({ id: 'iv-2', candidateName: 'Grace Hopper', overall: 6.1, recommendation: 'lean-no-hire' })]) },
      'GET /api/interviews/iv-1/report': { json: reportOf(7.4, 8, 'We sharded and added read replicas.') },
      'GET /api/interviews/iv-2/report': { json: reportOf(6.1, 6, 'Mostly vertical scaling, then read replicas.', 'Did you own the on-call rota?') },
    });
    await screen.findAllByTestId('interview-row');
    expect((screen.getByTestId('open-compare') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId('filter-role'), { target: { value: 'Backend engineer' } });
    fireEvent.click(screen.getByTestId('open-compare'));
    await screen.findByTestId('compare-view');
    expect(window.location.search).toBe('?compare=Backend+engineer');
    await waitFor(() => expect(screen.getAllByTestId('compare-candidate').map((head) => head.textContent)).toEqual(['Ada Lovelace7.4/10Hire', 'Grace Hopper6.1/10Hire']));
    expect(screen.getByTestId('compare-dimension').textContent).toBe('Technical depth8.06.0');
    // Lined up by the planned question each answer answers (matched by what was asked), not by the order asked in.
    const question = screen.getAllByTestId('compare-question')[0]!;
    expect(question.textContent).toContain('How did you scale the database?');
    expect(within(question).getAllByTestId('compare-answer').map((answer) => answer.querySelector('mark')?.textContent)).toEqual(['read replicas', 'read replicas']);
    expect(fake.calls.some((call) => call.path.startsWith('/api/interviews?') && call.path.includes('role=Backend+engineer'))).toBe(true);
  });
});

describe('CSV row for an ATS', () => {
  it('has a header and one row with the numbers, quoting commas and defusing formulas', () => {
    const stored = detail();
    stored.interview.candidateName = '=HYPERLINK("x"), Ada';
    const [header, row] = csvRow(stored, { ...reportJson, questions: [] }, 'http://viva/report').split('\r\n');
    expect(header).toBe('interview_id,candidate,role,date,duration_s,answers,scored,overall,recommendation,dimensions,report_url');
    expect(row).toBe(`iv-1,"'=HYPERLINK(""x""), Ada",Backend engineer,2026-03-03T09:30:00.000Z,30,2,1,8,insufficient-evidence,Technical depth: 8.0,http://viva/report`);
    expect(csvField(null)).toBe('');
  });
});
