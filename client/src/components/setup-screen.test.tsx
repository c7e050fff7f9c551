// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { I18nProvider } from '../i18n/i18n.tsx';
import { defaultSetupForm, type SetupForm } from '../state/setup-form.ts';
import { ResumeUploadError, SetupScreen } from './setup-screen.tsx';

afterEach(cleanup);

function Harness({ parseResume, onStart = () => {} }: { parseResume: (file: File) => Promise<string>; onStart?: (form: SetupForm) => void }) {
  const [form, setForm] = useState(() => defaultSetupForm(['Technical skill', 'Clarity', 'Problem solving']));
  return (
    <I18nProvider locale="en">
      <SetupScreen form={form} onChange={setForm} onStart={() => onStart(form)} starting={false} startError={null} issues={[]} parseResume={parseResume} />
    </I18nProvider>
  );
}

const pick = (file: File) => fireEvent.change(screen.getByTestId('setup-resume-file'), { target: { files: [file] } });

describe('SetupScreen', () => {
  it('fills the resume textarea with the text the server extracted from an uploaded file', async () => {
    const parseResume = vi.fn(async (file: File) => `text of ${file.name}`);
    render(<Harness parseResume={parseResume} />);
    pick(new File(['%PDF'], 'cv.pdf', { type: 'application/pdf' }));
    await waitFor(() => expect((screen.getByTestId('setup-resume') as HTMLTextAreaElement).value).toBe('text of cv.pdf'));
    expect(screen.getByTestId('setup-resume-status').textContent).toBe('Resume text filled in from cv.pdf.');
  });

  it('says plainly when the server has no resume parser (404)', async () => {
    render(<Harness parseResume={async () => Promise.reject(new ResumeUploadError('unavailable', 'not found'))} />);
    pick(new File(['x'], 'cv.docx'));
    await waitFor(() => expect(screen.getByTestId('setup-resume-status').textContent).toContain('cannot read resume files yet (404)'));
    expect((screen.getByTestId('setup-resume') as HTMLTextAreaElement).value).toBe('');
  });

  it('edits the rubric and planned questions, and starts only from the start button', () => {
    const onStart = vi.fn();
    render(<Harness parseResume={async () => ''} onStart={onStart} />);
    expect(screen.getAllByTestId('setup-rubric-row')).toHaveLength(3);
    fireEvent.click(screen.getByTestId('setup-add-dimension'));
    fireEvent.change(screen.getByTestId('setup-rubric-name-3'), { target: { value: 'Ownership' } });
    fireEvent.change(screen.getByTestId('setup-rubric-weight-3'), { target: { value: '2' } });
    fireEvent.change(screen.getByTestId('setup-question-0'), { target: { value: 'Tell me about a hard bug.' } });
    fireEvent.click(screen.getByTestId('setup-capture-single-mic'));
    fireEvent.submit(screen.getByTestId('setup-form')); // Enter in a field: no submitter, no start
    expect(onStart).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('start-button'));
    expect(onStart).toHaveBeenCalledTimes(1);
    const form = onStart.mock.calls[0]![0] as SetupForm;
    expect(form.rubric.map((r) => [r.name, r.weight])).toContainEqual(['Ownership', '2']);
    expect(form.questions[0]?.text).toBe('Tell me about a hard bug.');
    expect(form.captureMode).toBe('single-mic');
  });
});
