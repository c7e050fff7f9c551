import { useRef, type ReactNode } from 'react';
import { TEXT_FILE_TYPES } from '../api/upload-client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { PrepareSession } from '../session/use-prepare-session.ts';
import { isRunning } from '../state/job.ts';
import { prepareReady, type PrepareFileField } from '../state/prepare-reducer.ts';
import type { Preparation } from '../state/setup-form.ts';
import { apiErrorText } from './api-error.ts';
import { JobStatus } from './job-status.tsx';
import { MatchView, PlanView } from './prep-results.tsx';

/** Props of the Prepare screen. */
export interface PrepareScreenProps {
  session: PrepareSession;
  /** Fills the setup form and switches to it. */
  onUseInSetup: (preparation: Preparation) => void;
}

/** Before the interview: JD and resume in, job match and a tailored question plan out, then into the setup form. */
export function PrepareScreen({ session, onUseInSetup }: PrepareScreenProps) {
  const { t } = useI18n();
  const { state, actions } = session;
  const { draft, match, plan } = state;
  const ready = prepareReady(draft);

  return (
    <div className="prep" data-testid="prepare-screen">
      <h1 className="visually-hidden">{t('prep.heading')}</h1>
      <section className="panel prep__inputs">
        <p className="field__hint">{t('prep.intro')}</p>
        <label className="field">
          <span className="field__label">{t('setup.role')}</span>
          <input data-testid="prep-role" value={draft.role} maxLength={200} placeholder={t('setup.rolePlaceholder')} onChange={(e) => actions.edit({ role: e.currentTarget.value })} />
        </label>
        <TextWithFile session={session} field="jobDescription" id="prep-jd" label={t('setup.jobDescription')} rows={7} />
        <TextWithFile session={session} field="resume" id="prep-resume" label={t('setup.resume')} rows={9} placeholder={t('setup.resumePlaceholder')} />
        <div className="prep__actions">
          <label className="prep__inline">
            <input type="checkbox" data-testid="prep-blind" checked={draft.blind} onChange={(e) => actions.edit({ blind: e.currentTarget.checked })} />
            {t('prep.blind')}
          </label>
          <button type="button" className="button button--primary" data-testid="prep-match-button" disabled={!ready || isRunning(match)} onClick={() => void actions.match()}>
            {isRunning(match) ? t('prep.working') : t('prep.matchButton')}
          </button>
        </div>
        <div className="prep__actions">
          <label className="prep__inline">
            {t('prep.count')}
            <input
              type="number"
              className="prep__count"
              data-testid="prep-count"
              min={1}
              max={30}
              value={draft.count}
              onChange={(e) => actions.edit({ count: Math.min(30, Math.max(1, Math.round(Number(e.currentTarget.value) || 1))) })}
            />
          </label>
          <label className="prep__inline">
            {t('prep.language')}
            <select data-testid="prep-language" value={draft.language} onChange={(e) => actions.edit({ language: e.currentTarget.value === 'zh' ? 'zh' : 'en' })}>
              <option value="en">{t('setup.language.en')}</option>
              <option value="zh">{t('setup.language.zh')}</option>
            </select>
          </label>
          <button type="button" className="button button--primary" data-testid="prep-plan-button" disabled={!ready || isRunning(plan)} onClick={() => void actions.plan()}>
            {isRunning(plan) ? t('prep.working') : t('prep.planButton')}
          </button>
        </div>
        {!ready && <p className="field__hint">{t('prep.needBoth')}</p>}
        <div className="prep__actions">
          <button
            type="button"
            className="button"
            data-testid="prep-use-in-setup"
            disabled={draft.jobDescription.trim() === '' && draft.resume.trim() === ''}
            onClick={() => onUseInSetup(actions.preparation())}
          >
            {t('prep.useInSetup')}
          </button>
          <span className="field__hint">{t(plan.state === 'done' ? 'prep.useInSetupHintPlan' : 'prep.useInSetupHint')}</span>
        </div>
      </section>
      <div className="prep__results">
        <JobStatus job={match} testId="prep-match-progress" detail={isRunning(match) ? t('prep.matching') : undefined} />
        {match.state === 'error' && (
          <p className="banner banner--error" role="alert" data-testid="prep-match-error">
            {t('prep.matchFailed', { message: apiErrorText(t, match.problem) })}
          </p>
        )}
        {match.state === 'done' && <MatchView match={match.value} />}
        <JobStatus job={plan} testId="prep-plan-progress" detail={isRunning(plan) ? t('prep.planning', { count: draft.count }) : undefined} />
        {plan.state === 'error' && (
          <p className="banner banner--error" role="alert" data-testid="prep-plan-error">
            {t('prep.planFailed', { message: apiErrorText(t, plan.problem) })}
          </p>
        )}
        {plan.state === 'done' && <PlanView plan={plan.value} />}
        {match.state === 'idle' && plan.state === 'idle' && (
          <section className="panel" data-testid="prep-empty">
            <h2 className="panel__title">{t('prep.empty')}</h2>
            <ul className="steps-list">
              <li>{t('prep.emptyMatch')}</li>
              <li>{t('prep.emptyPlan')}</li>
              <li>{t('prep.emptyUse')}</li>
            </ul>
          </section>
        )}
      </div>
    </div>
  );
}

/** A text field that a file can fill: label, upload button, the textarea, and the upload's progress or outcome with the file name. */
function TextWithFile({ session, field, id, label, rows, placeholder }: { session: PrepareSession; field: PrepareFileField; id: string; label: ReactNode; rows: number; placeholder?: string }) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const upload = session.state.uploads[field];
  return (
    <div className="field">
      <div className="field__label-row">
        <label className="field__label" htmlFor={id}>
          {label}
        </label>
        <input
          ref={input}
          type="file"
          className="visually-hidden"
          tabIndex={-1}
          accept={TEXT_FILE_TYPES}
          data-testid={`${id}-file`}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            e.currentTarget.value = '';
            if (file) void session.actions.upload(field, file);
          }}
        />
        <button type="button" className="button button--small" disabled={isRunning(upload.job)} onClick={() => input.current?.click()}>
          {t('prep.uploadFile')}
        </button>
      </div>
      <textarea id={id} data-testid={id} rows={rows} value={session.state.draft[field]} placeholder={placeholder} onChange={(e) => session.actions.edit({ [field]: e.currentTarget.value })} />
      <JobStatus job={upload.job} testId="prep-upload-progress" detail={upload.fileName ?? undefined} showDuration={false} />
      {(upload.job.state === 'done' || upload.job.state === 'error') && (
        <p className={`field__note ${upload.job.state === 'error' ? 'field__note--error' : ''}`} role="status" data-testid="prep-upload-status">
          {upload.job.state === 'done' ? t('prep.uploadDone', { name: upload.fileName ?? '' }) : apiErrorText(t, upload.job.problem)}
        </p>
      )}
    </div>
  );
}
