// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeFetch, type FakeRoutes } from '../api/fake-fetch.ts';
import { createPrepApi } from '../api/prep-api.ts';
import { demoMatch } from '../dev/prep-fixtures.ts';
import { I18nProvider } from '../i18n/i18n.tsx';
import type { PrepApi } from '../api/prep-api.ts';
import { useScreeningSession } from '../session/use-screening-session.ts';
import { ScreeningScreen } from './screening-screen.tsx';

function Harness({ api }: { api: PrepApi }) {
  return <ScreeningScreen session={useScreeningSession(api, 20)} api={api} />;
}

afterEach(cleanup);

const progress = (done: number) => ({ total: 3, done, ranked: done, failed: 0, resumed: 0, inFlight: 1 });

function renderScreening(routes: FakeRoutes) {
  const fake = createFakeFetch(routes);
  const api = createPrepApi({ fetch: fake.fetch });
  render(
    <I18nProvider locale="en">
      <Harness api={api} />
    </I18nProvider>,
  );
  fireEvent.change(screen.getByTestId('screen-files'), {
    target: { files: [new File(['Alice: Go, Kafka'], 'alice.txt', { type: 'text/plain' }), new File(['Bob'], 'bob.txt'), new File(['%PDF-bad'], 'scan.pdf')] },
  });
  // The chosen files are listed by name before anything is sent.
  expect(screen.getAllByTestId('screen-file').map((item) => item.querySelector('.file-list__name')?.textContent)).toEqual(['alice.txt', 'bob.txt', 'scan.pdf']);
  fireEvent.change(screen.getByTestId('screen-jd'), { target: { value: 'Backend engineer, Go and Kafka' } });
  fireEvent.click(screen.getByTestId('screen-blind'));
  return fake;
}

describe('Screening screen', () => {
  it('uploads the files, polls the progress until complete, then shows the ranked table, failures and download links', async () => {
    const seen: string[] = [];
    const fake = renderScreening({
      'POST /api/screenings': { status: 202, json: { id: 'scr-1', status: 'running' } },
      'GET /api/screenings/scr-1': (_body, call) => {
        const reply = call < 2 ? { id: 'scr-1', status: 'running', progress: progress(call + 1), error: null } : { id: 'scr-1', status: 'complete', progress: progress(3), error: null };
        seen.push(reply.status);
        return { json: reply };
      },
      'GET /api/screenings/scr-1/result': {
        json: {
          status: 'complete',
          total: 3,
          ranked: [
            { rank: 1, file: 'alice.txt', candidateName: null, match: { ...demoMatch, score: 81, summary: 'Strong Go.' } },
            { rank: 2, file: 'bob.txt', candidateName: null, match: { ...demoMatch, score: 40, summary: 'Little backend work.' } },
          ],
          failed: [{ file: 'scan.pdf', code: 'no-text', reason: 'no text layer (scanned image?)', retryable: false }],
          pending: [],
        },
      },
    });
    fireEvent.click(screen.getByTestId('screen-start'));
    // Progress is shown while the server reports "running": what is happening, for how long, and how far; no second start.
    expect((await screen.findByTestId('screen-progress-text')).textContent).toMatch(/^[12] of 3 screened$/);
    expect(screen.getByTestId('screen-status').textContent).toMatch(/The language model is screening · \d+:\d\d$/);
    expect((screen.getByTestId('screen-start') as HTMLButtonElement).disabled).toBe(true);
    await screen.findByTestId('screen-table');
    expect(seen).toEqual(['running', 'running', 'complete']);
    expect(fake.calls.filter((call) => call.path === '/api/screenings')).toHaveLength(1);
    expect(screen.getByTestId('screen-status').textContent).toMatch(/^Took \d+:\d\d$/);

    const start = fake.calls.find((call) => call.path === '/api/screenings')!;
    const body = start.body as { jd: string; blind: boolean; files: Array<{ name: string; contentBase64: string }> };
    expect(body.jd).toBe('Backend engineer, Go and Kafka');
    expect(body.blind).toBe(true);
    expect(body.files.map((file) => [file.name, atob(file.contentBase64)])).toEqual([
      ['alice.txt', 'Alice: Go, Kafka'],
      ['bob.txt', 'Bob'],
      ['scan.pdf', '%PDF-bad'],
    ]);

    expect(screen.getAllByTestId('screen-row').map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent))).toEqual([
      ['1', 'alice.txt', '81', 'Strong Go.'],
      ['2', 'bob.txt', '40', 'Little backend work.'],
    ]);
    expect(screen.getByTestId('screen-failed-file').textContent).toBe('scan.pdf: no text layer (scanned image?) (no-text)');
    expect(screen.getByTestId('screen-download-csv').getAttribute('href')).toBe('/api/screenings/scr-1/result?format=csv');
    expect(screen.getByTestId('screen-download-html').getAttribute('href')).toBe('/api/screenings/scr-1/result?format=html');
  });

  it('shows the server message when a screening cannot start', async () => {
    renderScreening({ 'POST /api/screenings': { status: 429, json: { error: { code: 'busy', message: '1 screening(s) already running' } } } });
    fireEvent.click(screen.getByTestId('screen-start'));
    expect((await screen.findByTestId('screen-error')).textContent).toBe('Screening failed: 1 screening(s) already running (busy)');
  });
});
