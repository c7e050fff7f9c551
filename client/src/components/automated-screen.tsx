import { useEffect, useRef, useState } from 'react';
import type { AutomatedInterviewStatus, AutomatedLanguage, IssuedCandidateLink } from '../../../protocol/automated.ts';
import type { PrepApi } from '../api/prep-api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { newRowKey, type QuestionRow } from '../state/setup-form.ts';
import { apiErrorText } from './api-error.ts';
import { copyText } from './feedback-letter.tsx';
import { QuestionEditor } from './question-editor.tsx';

/** What the recruiter may copy over from the interview setup form. */
export interface AutomatedSeed {
  role: string;
  jobDescription: string;
  questions: QuestionRow[];
}

/** An interview created from this screen, with its first link (the only time the token is shown). */
interface Created {
  interviewId: string;
  role: string;
  link: IssuedCandidateLink;
}

type StatusEntry = { status: AutomatedInterviewStatus; error: null } | { status: AutomatedInterviewStatus | null; error: string };

/** Props of the AI interview screen. */
export interface AutomatedScreenProps {
  api: PrepApi;
  /** Current setup form contents, for "copy from setup". */
  seed: () => AutomatedSeed;
  /** Time between status polls. */
  pollIntervalMs?: number;
}

/** Recruiter screen: create an automated first-round interview, hand out its link, watch its status, revoke the link. */
export function AutomatedScreen({ api, seed, pollIntervalMs = 5000 }: AutomatedScreenProps) {
  const { t, locale } = useI18n();
  const [role, setRole] = useState('');
  const [jobDescription, setJobDescription] = useState('');
  const [candidateName, setCandidateName] = useState('');
  const [language, setLanguage] = useState<AutomatedLanguage>(locale);
  const [questions, setQuestions] = useState<QuestionRow[]>(() => [{ key: newRowKey(), text: '' }]);
  const [minutes, setMinutes] = useState('20');
  const [validHours, setValidHours] = useState('72');
  const [creating, setCreating] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const [created, setCreated] = useState<Created[]>([]);
  const [statuses, setStatuses] = useState<Record<string, StatusEntry>>({});
  const [copied, setCopied] = useState<string | null>(null);
  const createdRef = useRef<Created[]>([]);
  const refreshRef = useRef<(interviewId?: string) => Promise<void>>(async () => {});

  refreshRef.current = async (only?: string) => {
    const targets = createdRef.current.filter((entry) => (only ? entry.interviewId === only : statuses[entry.interviewId]?.status?.state !== 'ended'));
    await Promise.all(
      targets.map(async ({ interviewId }) => {
        try {
          const status = await api.automatedStatus(interviewId, AbortSignal.timeout(15_000));
          setStatuses((current) => ({ ...current, [interviewId]: { status, error: null } }));
        } catch (error) {
          const message = t('auto.statusFailed', { message: apiErrorText(t, error) });
          setStatuses((current) => ({ ...current, [interviewId]: { status: current[interviewId]?.status ?? null, error: message } }));
        }
      }),
    );
  };

  // One poller for the screen's lifetime; it reads the latest list through refs instead of restarting on every change.
  useEffect(() => {
    const timer = setInterval(() => void refreshRef.current(), pollIntervalMs);
    return () => clearInterval(timer);
  }, [pollIntervalMs]);

  const plannedQuestions = questions
    .map((row) => row.text.trim())
    .filter((text) => text !== '')
    .map((text, index) => ({ id: `q${index + 1}`, text }));
  const ready = role.trim() !== '' && plannedQuestions.length > 0;

  const create = async () => {
    setCreating({ busy: true, error: null });
    try {
      const result = await api.createAutomated(
        {
          role: role.trim(),
          ...(jobDescription.trim() ? { jobDescription: jobDescription.trim() } : {}),
          ...(candidateName.trim() ? { candidateName: candidateName.trim() } : {}),
          language,
          plannedQuestions,
          timeBudgetMinutes: Number(minutes),
          linkValidHours: Number(validHours),
        },
        AbortSignal.timeout(30_000),
      );
      const entry: Created = { interviewId: result.interviewId, role: role.trim(), link: result.link };
      createdRef.current = [entry, ...createdRef.current];
      setCreated(createdRef.current);
      setCreating({ busy: false, error: null });
      await refreshRef.current(result.interviewId);
    } catch (error) {
      setCreating({ busy: false, error: apiErrorText(t, error) });
    }
  };

  const revoke = async (interviewId: string, linkId: string) => {
    try {
      await api.revokeLink(interviewId, linkId, AbortSignal.timeout(15_000));
      await refreshRef.current(interviewId);
    } catch (error) {
      const message = t('auto.revokeFailed', { message: apiErrorText(t, error) });
      setStatuses((current) => ({ ...current, [interviewId]: { status: current[interviewId]?.status ?? null, error: message } }));
    }
  };

  const fromSetup = () => {
    const from = seed();
    if (from.role.trim()) setRole(from.role);
    if (from.jobDescription.trim()) setJobDescription(from.jobDescription);
    const texts = from.questions.filter((row) => row.text.trim() !== '');
    if (texts.length > 0) setQuestions(texts.map((row) => ({ key: newRowKey(), text: row.text })));
  };

  const date = (ms: number) => new Date(ms).toLocaleString(locale === 'zh' ? 'zh-CN' : 'en');

  return (
    <div className="prep" data-testid="automated-screen">
      <section className="panel prep__inputs">
        <h1 className="panel__title">{t('auto.heading')}</h1>
        <p className="field__hint">{t('auto.intro')}</p>
        <div className="prep__actions">
          <button type="button" className="button button--small button--ghost" data-testid="auto-from-setup" onClick={fromSetup}>
            {t('auto.fromSetup')}
          </button>
        </div>
        <div className="field-row">
          <label className="field">
            <span className="field__label">{t('setup.role')}</span>
            <input data-testid="auto-role" value={role} maxLength={200} placeholder={t('setup.rolePlaceholder')} onChange={(e) => setRole(e.currentTarget.value)} />
          </label>
          <label className="field">
            <span className="field__label">{t('auto.candidateName')}</span>
            <input data-testid="auto-candidate" value={candidateName} maxLength={200} onChange={(e) => setCandidateName(e.currentTarget.value)} />
          </label>
        </div>
        <label className="field">
          <span className="field__label">{t('setup.jobDescription')}</span>
          <textarea data-testid="auto-jd" rows={4} value={jobDescription} onChange={(e) => setJobDescription(e.currentTarget.value)} />
        </label>
        <QuestionEditor rows={questions} onChange={setQuestions} testIdPrefix="auto" hintKey="auto.questionsHint" />
        <div className="prep__actions">
          <label className="prep__inline">
            {t('auto.language')}
            <select data-testid="auto-language" value={language} onChange={(e) => setLanguage(e.currentTarget.value === 'zh' ? 'zh' : 'en')}>
              <option value="en">{t('setup.language.en')}</option>
              <option value="zh">{t('setup.language.zh')}</option>
            </select>
          </label>
          <label className="prep__inline">
            {t('auto.timeBudget')}
            <input type="number" className="prep__count" data-testid="auto-minutes" min={1} max={180} value={minutes} onChange={(e) => setMinutes(e.currentTarget.value)} />
          </label>
          <label className="prep__inline">
            {t('auto.validHours')}
            <input type="number" className="prep__count" data-testid="auto-valid-hours" min={1} max={1440} value={validHours} onChange={(e) => setValidHours(e.currentTarget.value)} />
          </label>
        </div>
        <div className="prep__actions">
          <button type="button" className="button button--primary" data-testid="auto-create" disabled={!ready || creating.busy} onClick={() => void create()}>
            {creating.busy ? t('auto.creating') : t('auto.create')}
          </button>
          {!ready && <span className="field__hint">{t('auto.needQuestions')}</span>}
        </div>
        {creating.error && (
          <p className="banner banner--error" role="alert" data-testid="auto-error">
            {t('auto.failed', { message: creating.error })}
          </p>
        )}
      </section>
      <div className="prep__results">
        {created.map((entry) => {
          const status = statuses[entry.interviewId];
          const current = status?.status;
          const links = current?.links ?? [];
          return (
            <section key={entry.interviewId} className="panel" data-testid="auto-interview" data-interview-id={entry.interviewId}>
              <h2 className="panel__title">{entry.role}</h2>
              <p className="field__label">{t('auto.link')}</p>
              <div className="link-box">
                <input readOnly value={entry.link.url} data-testid="auto-link" aria-label={t('auto.link')} onFocus={(e) => e.currentTarget.select()} />
                <button
                  type="button"
                  className="button button--small"
                  data-testid="auto-copy"
                  onClick={() => void copyText(entry.link.url).then((ok) => setCopied(ok ? entry.link.linkId : null))}
                >
                  {t('auto.copy')}
                </button>
              </div>
              <p className="field__hint" data-testid="auto-expiry">
                {t('auto.expires', { date: date(entry.link.expiresAtMs) })}
                {copied === entry.link.linkId && <span role="status"> · {t('auto.copied')}</span>}
              </p>
              <p data-testid="auto-status">
                <strong>{t('auto.status')}:</strong>{' '}
                {current ? (current.state === 'ended' && current.endReason ? t('auto.endReason', { reason: current.endReason }) : t(`auto.state.${current.state}`)) : '…'}
              </p>
              {status?.error && (
                <p className="field__note field__note--error" role="alert" data-testid="auto-status-error">
                  {status.error}
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
                        <button type="button" className="button button--small button--ghost" data-testid="auto-revoke" onClick={() => void revoke(entry.interviewId, link.linkId)}>
                          {t('auto.revoke')}
                        </button>
                      )}
                    </li>
                  );
                })}
              </ul>
            </section>
          );
        })}
      </div>
    </div>
  );
}
