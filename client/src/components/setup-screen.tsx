import { useRef, type FormEvent } from 'react';
import type { Language } from '../../../protocol/index.ts';
import type { CaptureMode } from '../audio/audio-capture.ts';
import type { MessageKey } from '../i18n/dictionary.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { SetupSession } from '../session/use-setup-session.ts';
import type { Problem } from '../state/interview-reducer.ts';
import { isRunning } from '../state/job.ts';
import { newRowKey, rubricRowName, type SetupForm, type SetupIssue } from '../state/setup-form.ts';
import { apiErrorText } from './api-error.ts';
import { JobStatus } from './job-status.tsx';
import { TEXT_FILE_TYPES } from '../api/upload-client.ts';
import { QuestionEditor } from './question-editor.tsx';

/** Props of the setup screen. */
export interface SetupScreenProps {
  session: SetupSession;
  onStart: () => void;
  starting: boolean;
  startError: Problem | null;
}

const START_ERROR_KEYS = new Set(['permission-denied', 'no-tab-audio', 'unsupported', 'device-failed', 'server-unreachable', 'timeout']);

/** Message of a start failure in the interface language (server messages are shown as sent). */
export function startErrorText(t: (key: MessageKey, params?: Record<string, string>) => string, error: Problem): string {
  if (START_ERROR_KEYS.has(error.code)) return t(`error.${error.code}` as MessageKey, { message: error.message });
  return t('setup.startFailed', { message: `${error.message} (${error.code})` });
}

/** The setup form: who and what the interview is about, consent, rubric, planned questions, language and how audio is captured. */
export function SetupScreen({ session, onStart, starting, startError }: SetupScreenProps) {
  const { t, locale } = useI18n();
  const { form, issues, upload } = session.state;
  const fileInput = useRef<HTMLInputElement>(null);
  const set = <K extends keyof SetupForm>(key: K, value: SetupForm[K]) => session.actions.change({ ...form, [key]: value });
  const uploading = isRunning(upload.job);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Enter in a text field would submit the form; only the start button starts the interview.
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    if (submitter?.dataset.testid !== 'start-button') return;
    if (!starting) onStart();
  };

  const issueText = (issue: SetupIssue) => t(issue.messageKey, issue.row !== undefined ? { row: String(issue.row + 1) } : undefined);
  const uploadNote =
    upload.job.state === 'done'
      ? t('setup.uploadDone', { name: upload.fileName ?? '' })
      : upload.job.state === 'error'
        ? upload.job.problem.code === 'not-found'
          ? t('setup.uploadUnavailable')
          : t('setup.uploadFailed', { message: apiErrorText(t, upload.job.problem) })
        : null;

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
          <div className="field-row">
            <label className="field">
              <span className="field__label">{t('setup.candidateName')}</span>
              <input
                data-testid="setup-candidate-name"
                value={form.candidateName}
                maxLength={200}
                autoComplete="off"
                onChange={(e) => set('candidateName', e.currentTarget.value)}
              />
            </label>
            <label className={`consent ${form.consentAtMs !== null ? 'consent--given' : ''}`}>
              <input
                type="checkbox"
                data-testid="setup-consent"
                checked={form.consentAtMs !== null}
                onChange={(e) => set('consentAtMs', e.currentTarget.checked ? Date.now() : null)}
              />
              <span>
                <span className="choice__label">{t('setup.consent')}</span>
                <span className="choice__hint" data-testid="setup-consent-note">
                  {form.consentAtMs !== null
                    ? t('setup.consentAt', { time: new Date(form.consentAtMs).toLocaleTimeString(locale === 'zh' ? 'zh-CN' : 'en', { hour: '2-digit', minute: '2-digit' }) })
                    : t('setup.consentHint')}
                </span>
              </span>
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
                accept={TEXT_FILE_TYPES}
                data-testid="setup-resume-file"
                tabIndex={-1}
                onChange={(e) => {
                  const file = e.currentTarget.files?.[0];
                  e.currentTarget.value = '';
                  if (file) void session.actions.uploadResume(file);
                }}
              />
              <button
                type="button"
                className="button button--small"
                data-testid="setup-resume-upload"
                disabled={uploading}
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
            <JobStatus job={upload.job} testId="setup-resume-progress" detail={upload.fileName ?? undefined} showDuration={false} />
            {uploadNote && (
              <p className={`field__note ${upload.job.state === 'error' ? 'field__note--error' : ''}`} data-testid="setup-resume-status" role="status">
                {uploadNote}
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
                    value={rubricRowName(row, locale)}
                    maxLength={120}
                    onChange={(e) => {
                      const name = e.currentTarget.value;
                      // An edited default row keeps what was typed in every language.
                      set('rubric', form.rubric.map((r) => (r.key === row.key ? { ...r, name, defaultKey: undefined } : r)));
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
