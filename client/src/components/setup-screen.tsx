import { useRef, useState, type FormEvent } from 'react';
import type { Language } from '../../../protocol/index.ts';
import type { CaptureMode } from '../audio/audio-capture.ts';
import type { MessageKey } from '../i18n/dictionary.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { Problem } from '../state/interview-reducer.ts';
import { newRowKey, type SetupForm, type SetupIssue } from '../state/setup-form.ts';
import { QuestionEditor } from './question-editor.tsx';

/** Props of the setup screen. */
export interface SetupScreenProps {
  form: SetupForm;
  onChange: (form: SetupForm) => void;
  onStart: () => void;
  starting: boolean;
  startError: Problem | null;
  issues: SetupIssue[];
  /** Posts a resume file and returns its text (injected so tests need no network). */
  parseResume?: (file: File, signal: AbortSignal) => Promise<string>;
}

/** Error a resume upload can end with; `unavailable` means the server has no such endpoint (404). */
export class ResumeUploadError extends Error {
  constructor(
    readonly kind: 'unavailable' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

/**
 * POSTs the file as the raw request body to `/api/resumes/parse?llm=false` (text extraction only: the live
 * session needs the text, not the structured resume) and returns the extracted text.
 */
export async function postResumeFile(file: File, signal: AbortSignal, baseUrl = ''): Promise<string> {
  const response = await fetch(`${baseUrl}/api/resumes/parse?llm=false`, {
    method: 'POST',
    headers: { 'content-type': file.type || 'application/octet-stream', 'x-file-name': encodeURIComponent(file.name) },
    body: file,
    signal,
  });
  if (response.status === 404) throw new ResumeUploadError('unavailable', 'not found');
  const payload: unknown = await response.json().catch(() => null);
  const record = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  // Accept a bare { text } and the ack shape { ok: true, data: { text } }.
  const data = (record.ok === true && record.data && typeof record.data === 'object' ? record.data : record) as Record<string, unknown>;
  if (response.ok && typeof data.text === 'string') return data.text;
  const error = record.error as { message?: unknown } | undefined;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`;
  throw new ResumeUploadError('failed', message);
}

const START_ERROR_KEYS = new Set(['permission-denied', 'no-tab-audio', 'unsupported', 'device-failed', 'server-unreachable', 'timeout']);

/** Message of a start failure in the interface language (server messages are shown as sent). */
export function startErrorText(t: (key: MessageKey, params?: Record<string, string>) => string, error: Problem): string {
  if (START_ERROR_KEYS.has(error.code)) return t(`error.${error.code}` as MessageKey, { message: error.message });
  return t('setup.startFailed', { message: `${error.message} (${error.code})` });
}

/** The setup form: context for the model, rubric, planned questions, language and how audio is captured. */
export function SetupScreen({ form, onChange, onStart, starting, startError, issues, parseResume = postResumeFile }: SetupScreenProps) {
  const { t } = useI18n();
  const [upload, setUpload] = useState<{ state: 'idle' | 'busy' | 'done' | 'error'; text: string }>({ state: 'idle', text: '' });
  const fileInput = useRef<HTMLInputElement>(null);
  const set = <K extends keyof SetupForm>(key: K, value: SetupForm[K]) => onChange({ ...form, [key]: value });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Enter in a text field would submit the form; only the start button starts the interview.
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    if (submitter?.dataset.testid !== 'start-button') return;
    if (!starting) onStart();
  };

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setUpload({ state: 'busy', text: t('setup.uploading', { name: file.name }) });
    try {
      const text = await parseResume(file, AbortSignal.timeout(60_000));
      onChange({ ...form, resume: text });
      setUpload({ state: 'done', text: t('setup.uploadDone', { name: file.name }) });
    } catch (error) {
      if (error instanceof ResumeUploadError && error.kind === 'unavailable') setUpload({ state: 'error', text: t('setup.uploadUnavailable') });
      else setUpload({ state: 'error', text: t('setup.uploadFailed', { message: error instanceof Error ? error.message : String(error) }) });
    } finally {
      if (fileInput.current) fileInput.current.value = '';
    }
  };

  const issueText = (issue: SetupIssue) => t(issue.messageKey, issue.row !== undefined ? { row: String(issue.row + 1) } : undefined);

  return (
    <form className="setup" onSubmit={submit} data-testid="setup-form" aria-labelledby="setup-heading">
      <h1 id="setup-heading" className="visually-hidden">
        {t('setup.heading')}
      </h1>
      <div className="setup__grid">
        <section className="panel setup__context">
          <div className="field-row">
            <label className="field">
              <span className="field__label">{t('setup.title')}</span>
              <input
                data-testid="setup-title"
                value={form.title}
                maxLength={200}
                placeholder={t('setup.titlePlaceholder')}
                onChange={(e) => set('title', e.currentTarget.value)}
              />
            </label>
            <label className="field">
              <span className="field__label">{t('setup.role')}</span>
              <input
                data-testid="setup-role"
                value={form.role}
                maxLength={200}
                placeholder={t('setup.rolePlaceholder')}
                onChange={(e) => set('role', e.currentTarget.value)}
              />
            </label>
          </div>
          <label className="field">
            <span className="field__label">{t('setup.jobDescription')}</span>
            <textarea data-testid="setup-job-description" rows={6} value={form.jobDescription} onChange={(e) => set('jobDescription', e.currentTarget.value)} />
          </label>
          <div className="field">
            <div className="field__label-row">
              <label className="field__label" htmlFor="setup-resume">
                {t('setup.resume')}
              </label>
              <input
                ref={fileInput}
                id="setup-resume-file"
                type="file"
                className="visually-hidden"
                accept=".pdf,.docx,.txt,.md,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain"
                data-testid="setup-resume-file"
                onChange={(e) => void onFile(e.currentTarget.files?.[0])}
              />
              <button
                type="button"
                className="button button--small"
                data-testid="setup-resume-upload"
                disabled={upload.state === 'busy'}
                title={t('setup.uploadHint')}
                onClick={() => fileInput.current?.click()}
              >
                {t('setup.upload')}
              </button>
            </div>
            <textarea
              id="setup-resume"
              data-testid="setup-resume"
              rows={8}
              value={form.resume}
              placeholder={t('setup.resumePlaceholder')}
              onChange={(e) => set('resume', e.currentTarget.value)}
            />
            {upload.state !== 'idle' && (
              <p className={`field__note ${upload.state === 'error' ? 'field__note--error' : ''}`} data-testid="setup-resume-status" role="status">
                {upload.text}
              </p>
            )}
          </div>
        </section>

        <section className="panel setup__plan">
          <fieldset className="group">
            <legend className="field__label">{t('setup.rubric')}</legend>
            <p className="field__hint">{t('setup.rubricHint')}</p>
            <div className="rows__head" aria-hidden="true">
              {t('setup.weightShort')}
            </div>
            <ul className="rows">
              {form.rubric.map((row, index) => (
                <li key={row.key} className="rows__row" data-testid="setup-rubric-row">
                  <input
                    aria-label={t('setup.dimensionName', { n: index + 1 })}
                    data-testid={`setup-rubric-name-${index}`}
                    value={row.name}
                    maxLength={120}
                    onChange={(e) => {
                      const name = e.currentTarget.value;
                      set('rubric', form.rubric.map((r) => (r.key === row.key ? { ...r, name } : r)));
                    }}
                  />
                  <input
                    className="rows__weight"
                    aria-label={t('setup.weight', { n: index + 1 })}
                    title={t('setup.weightShort')}
                    data-testid={`setup-rubric-weight-${index}`}
                    inputMode="decimal"
                    value={row.weight}
                    onChange={(e) => {
                      const weight = e.currentTarget.value;
                      set('rubric', form.rubric.map((r) => (r.key === row.key ? { ...r, weight } : r)));
                    }}
                  />
                  <button
                    type="button"
                    className="icon-button"
                    aria-label={t('setup.removeDimension', { n: index + 1 })}
                    title={t('setup.removeDimension', { n: index + 1 })}
                    onClick={() => set('rubric', form.rubric.filter((r) => r.key !== row.key))}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
            <button
              type="button"
              className="button button--small button--ghost"
              data-testid="setup-add-dimension"
              disabled={form.rubric.length >= 12}
              onClick={() => set('rubric', [...form.rubric, { key: newRowKey(), name: '', weight: '1' }])}
            >
              + {t('setup.addDimension')}
            </button>
          </fieldset>

          <QuestionEditor rows={form.questions} onChange={(rows) => set('questions', rows)} />

          <div className="field-row">
            <label className="field">
              <span className="field__label">{t('setup.sessionLanguage')}</span>
              <select data-testid="setup-language" value={form.language} onChange={(e) => set('language', e.currentTarget.value as Language)}>
                <option value="en">{t('setup.language.en')}</option>
                <option value="zh">{t('setup.language.zh')}</option>
                <option value="auto">{t('setup.language.auto')}</option>
              </select>
            </label>
          </div>

          <fieldset className="group" data-testid="setup-capture-mode">
            <legend className="field__label">{t('setup.captureMode')}</legend>
            {(
              [
                ['mic-and-tab', 'setup.capture.micAndTab', 'setup.capture.micAndTabHint'],
                ['single-mic', 'setup.capture.singleMic', 'setup.capture.singleMicHint'],
              ] as const
            ).map(([mode, label, hint]) => (
              <label key={mode} className={`choice ${form.captureMode === mode ? 'choice--selected' : ''}`}>
                <input
                  type="radio"
                  name="capture-mode"
                  value={mode}
                  data-testid={`setup-capture-${mode}`}
                  checked={form.captureMode === mode}
                  onChange={() => set('captureMode', mode as CaptureMode)}
                />
                <span>
                  <span className="choice__label">{t(label)}</span>
                  <span className="choice__hint">{t(hint)}</span>
                </span>
              </label>
            ))}
          </fieldset>

          {(issues.length > 0 || startError) && (
            <div className="form-errors" role="alert" data-testid="setup-error">
              {issues.map((issue, i) => (
                <p key={i}>{issueText(issue)}</p>
              ))}
              {startError && <p>{startErrorText(t, startError)}</p>}
            </div>
          )}

          <button type="submit" className="button button--primary button--large" data-testid="start-button" disabled={starting}>
            {starting ? t('setup.starting') : t('setup.start')}
          </button>
        </section>
      </div>
    </form>
  );
}
