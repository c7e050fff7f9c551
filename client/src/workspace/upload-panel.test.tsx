// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFakeFetch, type FakeRoutes } from '../api/fake-fetch.ts';
import { I18nProvider } from '../i18n/i18n.tsx';
import { detail } from './fixtures.ts';
import { UploadPanel } from './upload-panel.tsx';
import { createWorkspaceApi } from './workspace-api.ts';

afterEach(() => cleanup());

const status = (state: string, progress: number, stage: string | null, error: { code: string; message: string } | null = null) => ({
  json: { interviewId: 'iv-9', jobId: 'j1', state, progress, stage, error, uploadBytes: 4, startedAtMs: 1, finishedAtMs: null },
});

function renderPanel(statusReplies: ReturnType<typeof status>[]) {
  const routes: FakeRoutes = {
    'POST /api/interviews': { status: 201, json: { ...detail().interview, id: 'iv-9' } },
    'POST /api/interviews/iv-9/recording': { status: 202, json: { jobId: 'j1', interviewId: 'iv-9', uploadBytes: 4, format: 'wav', durationMs: 11_000 } },
    'GET /api/interviews/iv-9/recording/status': (_body, index) => statusReplies[Math.min(index, statusReplies.length - 1)] ?? status('done', 1, null),
  };
  const fake = createFakeFetch(routes);
  const onDone = vi.fn();
  render(
    <I18nProvider locale="en">
      <UploadPanel api={createWorkspaceApi({ fetch: fake.fetch })} onClose={() => {}} onDone={onDone} />
    </I18nProvider>,
  );
  return { fake, onDone };
}

function chooseFileAndFill() {
  const file = new File([new Uint8Array([1, 2, 3, 4])], 'call.wav', { type: 'audio/wav' });
  fireEvent.change(screen.getByTestId('upload-file'), { target: { files: [file] } });
  fireEvent.change(screen.getByTestId('upload-candidate'), { target: { value: 'Grace Hopper' } });
  fireEvent.change(screen.getByTestId('upload-role'), { target: { value: 'Compiler engineer' } });
  fireEvent.change(screen.getByTestId('upload-plan'), { target: { value: 'Why compilers?\n\nA hard bug you fixed' } });
}

describe('upload a recording', () => {
  it('asks for a file first', () => {
    renderPanel([]);
    fireEvent.click(screen.getByTestId('upload-start'));
    expect(screen.getByText('Choose a recording first.')).toBeTruthy();
  });

  it('creates the interview, uploads the file, shows the processing stage and opens the interview when done', async () => {
    const { fake, onDone } = renderPanel([status('processing', 0.5, 'transcribing'), status('done', 1, 'done')]);
    chooseFileAndFill();
    expect(screen.getByTestId('upload-drop').textContent).toContain('call.wav');
    fireEvent.click(screen.getByTestId('upload-start'));
    await waitFor(() => expect(screen.getByTestId('upload-progress').textContent).toBe('Transcribing… 50%'));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('iv-9'), { timeout: 5000 });

    const create = fake.calls.find((call) => call.method === 'POST' && call.path === '/api/interviews');
    expect(create?.body).toMatchObject({
      mode: 'recording',
      language: 'en',
      candidateName: 'Grace Hopper',
      role: 'Compiler engineer',
      plannedQuestions: [
        { id: 'q1', text: 'Why compilers?' },
        { id: 'q2', text: 'A hard bug you fixed' },
      ],
    });
    expect(fake.calls.some((call) => call.path === '/api/interviews/iv-9/recording?language=en')).toBe(true);
  });

  it('shows why processing failed', async () => {
    const { onDone } = renderPanel([status('failed', 0.2, 'decoding', { code: 'not-audio', message: 'no audio stream in call.wav' })]);
    chooseFileAndFill();
    fireEvent.click(screen.getByTestId('upload-start'));
    await waitFor(() => expect(screen.getByTestId('upload-progress').textContent).toBe('The recording could not be processed: no audio stream in call.wav'));
    expect(onDone).not.toHaveBeenCalled();
  });
});
