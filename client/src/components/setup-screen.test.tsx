// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFakeFetch, type FakeRoutes } from '../api/fake-fetch.ts';
import { createPrepApi, type PrepApi } from '../api/prep-api.ts';
import { I18nProvider } from '../i18n/i18n.tsx';
import { useSetupSession, type SetupSession } from '../session/use-setup-session.ts';
import { defaultSetupForm } from '../state/setup-form.ts';
import { SetupScreen } from './setup-screen.tsx';

afterEach(cleanup);

function Harness({ api, onStart }: { api: PrepApi; onStart: (session: SetupSession) => void }) {
  const session = useSetupSession(api, () => defaultSetupForm());
  return <SetupScreen session={session} onStart={() => onStart(session)} starting={false} startError={null} />;
}

function renderSetup(routes: FakeRoutes = {}, onStart: (session: SetupSession) => void = () => {}) {
  const fake = createFakeFetch(routes);
  render(
    <I18nProvider locale="en">
      <Harness api={createPrepApi({ fetch: fake.fetch })} onStart={onStart} />
    </I18nProvider>,
  );
  return { fake };
}

const pick = (file: File) => fireEvent.change(screen.getByTestId('setup-resume-file'), { target: { files: [file] } });

describe('SetupScreen', () => {
  it('fills the resume textarea with the text the server extracted from an uploaded file', async () => {
    const { fake } = renderSetup({ 'POST /api/resumes/parse': { json: { text: 'text of cv.pdf', kind: 'pdf', resume: null, llmError: null } } });
    pick(new File(['%PDF'], 'cv.pdf', { type: 'application/pdf' }));
    await waitFor(() => expect((screen.getByTestId('setup-resume') as HTMLTextAreaElement).value).toBe('text of cv.pdf'));
    expect(screen.getByTestId('setup-resume-status').textContent).toBe('Resume text filled in from cv.pdf.');
    expect(fake.calls[0]?.path).toBe('/api/resumes/parse?llm=false');
  });

  it('says plainly when the server has no resume parser (404)', async () => {
    renderSetup();
    pick(new File(['x'], 'cv.docx'));
    await waitFor(() => expect(screen.getByTestId('setup-resume-status').textContent).toContain('cannot read resume files yet (404)'));
    expect((screen.getByTestId('setup-resume') as HTMLTextAreaElement).value).toBe('');
  });

  it('edits the rubric and planned questions, and starts only from the start button', () => {
    const onStart = vi.fn<(session: SetupSession) => void>();
    renderSetup({}, onStart);
    expect(screen.getAllByTestId('setup-rubric-row')).toHaveLength(3);
    fireEvent.click(screen.getByTestId('setup-add-dimension'));
    fireEvent.change(screen.getByTestId('setup-rubric-name-3'), { target: { value: 'Ownership' } });
    fireEvent.change(screen.getByTestId('setup-rubric-weight-3'), { target: { value: '2' } });
    fireEvent.change(screen.getByTestId('setup-question-0'), { target: { value: 'Tell me about a hard bug.\nWhat did you change afterwards?' } });
    fireEvent.click(screen.getByTestId('setup-capture-single-mic'));
    fireEvent.submit(screen.getByTestId('setup-form')); // Enter in a field: no submitter, no start
    expect(onStart).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('start-button'));
    expect(onStart).toHaveBeenCalledTimes(1);
    const form = onStart.mock.calls[0]![0].actions.form();
    expect(form.rubric.map((r) => [r.name, r.weight])).toContainEqual(['Ownership', '2']);
    // A long question keeps every line: the question fields are multi-line.
    expect(screen.getByTestId('setup-question-0').tagName).toBe('TEXTAREA');
    expect(form.questions[0]?.text).toBe('Tell me about a hard bug.\nWhat did you change afterwards?');
    expect(form.captureMode).toBe('single-mic');
  });

  it('records the candidate name and the time the interviewer ticked recording consent', () => {
    const onStart = vi.fn<(session: SetupSession) => void>();
    renderSetup({}, onStart);
    fireEvent.change(screen.getByTestId('setup-role'), { target: { value: 'SRE' } });
    fireEvent.change(screen.getByTestId('setup-candidate-name'), { target: { value: 'Wang Fang' } });
    const before = Date.now();
    fireEvent.click(screen.getByTestId('setup-consent'));
    expect(screen.getByTestId('setup-consent-note').textContent).toMatch(/^Recorded at /);
    fireEvent.click(screen.getByTestId('start-button'));
    const context = onStart.mock.calls[0]![0].actions.validate('en');
    expect(context?.candidateName).toBe('Wang Fang');
    expect(context?.consent?.given).toBe(true);
    expect(context?.consent?.atMs).toBeGreaterThanOrEqual(before);
    // Unticking takes the consent back out.
    fireEvent.click(screen.getByTestId('setup-consent'));
    expect(onStart.mock.calls[0]![0].actions.validate('en')?.consent).toBeUndefined();
  });
});
