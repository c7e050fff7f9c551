import type { PrepApi } from '../api/prep-api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { AutomatedSeed } from '../session/automated-controller.ts';
import type { AutomatedSession } from '../session/use-automated-session.ts';
import { automatedReady, type CreatedInterview, type InterviewWatch } from '../state/automated-reducer.ts';
import { isRunning } from '../state/job.ts';
import { apiErrorText } from './api-error.ts';
import { QuestionEditor } from './question-editor.tsx';
import { interviewPath } from '../workspace/route.ts';

/** Props of the AI interview screen. */
export interface AutomatedScreenProps {
  session: AutomatedSession;
  /** For the report address of an interview. */
  api: PrepApi;
  /** Current setup form contents, for "copy from setup". */
  seed: () => AutomatedSeed;
}

/** Recruiter screen: create an automated first-round interview, hand out its link, watch its status, revoke the link. */
export function AutomatedScreen({ session, api, seed }: AutomatedScreenProps) {
  const { t } = useI18n();
  const { state, actions } = session;
  const { form, create } = state;
  const ready = automatedReady(form);
  const busy = isRunning(create);
  return (
    <div className="wide" data-testid="automated-screen">
      <section className="panel wide__form">
        <div className="wide__head">
          <h1 className="panel__title">{t('auto.heading')}</h1>
          <p className="field__hint">{t('auto.intro')}</p>
          <button type="button" className="button button--small button--ghost" data-testid="auto-from-setup" onClick={() => actions.copyFrom(seed())}>
            {t('auto.fromSetup')}
          </button>
        </div>
        <div className="wide__main">
          <div className="field-row">
            <label className="field">
              <span className="field__label">{t('setup.title')}</span>
              <input data-testid="auto-title" value={form.title} maxLength={200} placeholder={t('setup.titlePlaceholder')} onChange={(e) => actions.edit({ title: e.currentTarget.value })} />
            </label>
            <label className="field">
              <span className="field__label">{t('auto.candidateName')}</span>
              <input data-testid="auto-candidate" value={form.candidateName} maxLength={200} onChange={(e) => actions.edit({ candidateName: e.currentTarget.value })} />
            </label>
          </div>
          <label className="field">
            <span className="field__label">{t('setup.role')}</span>
            <input data-testid="auto-role" value={form.role} maxLength={200} placeholder={t('setup.rolePlaceholder')} onChange={(e) => actions.edit({ role: e.currentTarget.value })} />
          </label>
          <label className="field">
            <span className="field__label">{t('setup.jobDescription')}</span>
            <textarea data-testid="auto-jd" rows={8} value={form.jobDescription} onChange={(e) => actions.edit({ jobDescription: e.currentTarget.value })} />
          </label>
        </div>
        <div className="wide__side">
          <QuestionEditor rows={form.questions} onChange={(questions) => actions.edit({ questions })} testIdPrefix="auto" hintKey="auto.questionsHint" />
          <div className="prep__actions">
            <label className="prep__inline">
              {t('auto.language')}
              <select data-testid="auto-language" value={form.language} onChange={(e) => actions.edit({ language: e.currentTarget.value === 'zh' ? 'zh' : 'en' })}>
                <option value="en">{t('setup.language.en')}</option>
                <option value="zh">{t('setup.language.zh')}</option>
              </select>
            </label>
            <label className="prep__inline">
              {t('auto.timeBudget')}
              <input type="number" className="prep__count" data-testid="auto-minutes" min={1} max={180} value={form.minutes} onChange={(e) => actions.edit({ minutes: e.currentTarget.value })} />
            </label>
            <label className="prep__inline">
              {t('auto.validHours')}
              <input type="number" className="prep__count" data-testid="auto-valid-hours" min={1} max={1440} value={form.validHours} onChange={(e) => actions.edit({ validHours: e.currentTarget.value })} />
            </label>
          </div>
          <div className="prep__actions">
            <button type="button" className="button button--primary" data-testid="auto-create" disabled={!ready || busy} onClick={() => void actions.create()}>
              {busy ? t('auto.creating') : t('auto.create')}
            </button>
            {!ready && <span className="field__hint">{t('auto.needQuestions')}</span>}
          </div>
          {create.state === 'error' && (
            <p className="banner banner--error" role="alert" data-testid="auto-error">
              {t('auto.failed', { message: apiErrorText(t, create.problem) })}
            </p>
          )}
        </div>
      </section>
      <div className="wide__results wide__results--cards">
        {state.created.length === 0 && (
          <section className="panel prep__empty-panel" data-testid="auto-empty">
            <h2 className="panel__title">{t('auto.createdHeading')}</h2>
            <ol className="steps-list">
              <li>{t('auto.howTo.create')}</li>
              <li>{t('auto.howTo.send')}</li>
              <li>{t('auto.howTo.watch')}</li>
            </ol>
          </section>
        )}
        {state.created.map((entry) => (
          <CreatedInterviewPanel key={entry.interviewId} entry={entry} watch={state.watches[entry.interviewId]} session={session} api={api} />
        ))}
      </div>
    </div>
  );
}

/** One created interview: its link with copy and expiry, its status, every link with Revoke, and the report once it ran. */
function CreatedInterviewPanel({ entry, watch, session, api }: { entry: CreatedInterview; watch: InterviewWatch | undefined; session: AutomatedSession; api: PrepApi }) {
  const { t, locale } = useI18n();
  const current = watch?.status ?? null;
  const links = current?.links ?? [];
  const date = (ms: number) => new Date(ms).toLocaleString(locale === 'zh' ? 'zh-CN' : 'en');
  const heading = [entry.title || entry.role, entry.candidateName].filter((part) => part !== '').join(' · ');
  return (
    <section className="panel" data-testid="auto-interview" data-interview-id={entry.interviewId}>
      <h2 className="panel__title">{heading}</h2>
      <p className="field__label">{t('auto.link')}</p>
      <div className="link-box">
        <input readOnly value={entry.link.url} data-testid="auto-link" aria-label={t('auto.link')} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="button button--small" data-testid="auto-copy" onClick={() => void session.actions.copyLink(entry.link.linkId, entry.link.url)}>
          {t('auto.copy')}
        </button>
      </div>
      <p className="field__hint" data-testid="auto-expiry">
        {t('auto.expires', { date: date(entry.link.expiresAtMs) })}
        {session.state.copiedLinkId === entry.link.linkId && <span role="status"> · {t('auto.copied')}</span>}
      </p>
      <p data-testid="auto-status">
        <strong>{t('auto.status')}:</strong>{' '}
        {current ? (current.state === 'ended' && current.endReason ? t('auto.endReason', { reason: t(`auto.reason.${current.endReason}`) }) : t(`auto.state.${current.state}`)) : '…'}
      </p>
      {current && (current.state === 'running' || current.state === 'ended') && (
        <p className="prep__actions">
          <a className="button button--small" data-testid="auto-review" href={interviewPath(entry.interviewId)}>
            {t('auto.openReview')}
          </a>
          <a className="button button--small" data-testid="auto-report" href={api.interviewReportUrl(entry.interviewId, locale)} target="_blank" rel="noreferrer">
            {t('auto.openReport')}
          </a>
        </p>
      )}
      {watch?.problem && (
        <p className="field__note field__note--error" role="alert" data-testid="auto-status-error">
          {t(watch.problem.kind === 'revoke' ? 'auto.revokeFailed' : 'auto.statusFailed', { message: apiErrorText(t, watch.problem.problem) })}
        </p>
      )}
      <ul className="prep__claims">
        {links.map((link) => {
          const revoked = link.revokedAtMs !== null;
          return (
            <li key={link.linkId} data-testid="auto-link-row" data-revoked={String(revoked)}>
              {t('auto.expires', { date: date(link.expiresAtMs) })}{' '}
              {revoked ? (
                <span className="prep__tag prep__tag--required">{t('auto.revoked')}</span>
              ) : (
                <button type="button" className="button button--small button--ghost" data-testid="auto-revoke" onClick={() => void session.actions.revoke(entry.interviewId, link.linkId)}>
                  {t('auto.revoke')}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
