import { useRef, useState, type RefObject } from 'react';
import type { InterviewPlan, JobMatch, PrepLanguage } from '../../../protocol/prep.ts';
import type { PrepApi } from '../api/prep-api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { Preparation } from '../state/setup-form.ts';
import { apiErrorText } from './api-error.ts';

/** Fields the Prepare screen edits; kept by the app so switching screens loses nothing. */
export interface PrepareDraft {
  role: string;
  jobDescription: string;
  resume: string;
  count: number;
  language: PrepLanguage;
  blind: boolean;
}

/** An empty draft in the interface language. */
export function emptyPrepareDraft(language: PrepLanguage): PrepareDraft {
  return { role: '', jobDescription: '', resume: '', count: 8, language, blind: false };
}

type Outcome<T> = { state: 'idle' } | { state: 'busy' } | { state: 'done'; value: T } | { state: 'error'; message: string };

/** A verbatim resume quote, or nothing when the model gave none. */
function Quote({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <blockquote className="prep__quote" data-testid="prep-quote">
      “{text}”
    </blockquote>
  );
}

/** Job-match result: score, matched and missing skills, experience, red flags and summary, each claim with its quote. */
export function MatchView({ match }: { match: JobMatch }) {
  const { t } = useI18n();
  return (
    <section className="panel prep__result" data-testid="prep-match" aria-labelledby="prep-match-heading">
      <h2 id="prep-match-heading" className="panel__title">
        {t('prep.match.heading')}
        <span className="prep__score" data-testid="prep-match-score" aria-label={t('prep.match.scoreLabel', { score: match.score })}>
          {match.score}
          <span className="muted">/100</span>
        </span>
      </h2>
      <div className="prep__bar" aria-hidden="true">
        <div className="prep__bar-fill" style={{ width: `${match.score}%` }} />
      </div>
      <p data-testid="prep-match-summary">{match.summary}</p>
      <h3 className="panel__sub">{t('prep.match.skillsMatched')}</h3>
      {match.skillsMatched.length === 0 ? (
        <p className="muted">{t('prep.none')}</p>
      ) : (
        <ul className="prep__claims">
          {match.skillsMatched.map((item, index) => (
            <li key={index} data-testid="prep-skill-matched">
              <strong>{item.skill}</strong>
              <Quote text={item.quote} />
            </li>
          ))}
        </ul>
      )}
      <h3 className="panel__sub">{t('prep.match.skillsMissing')}</h3>
      {match.skillsMissing.length === 0 ? (
        <p className="muted">{t('prep.none')}</p>
      ) : (
        <ul className="prep__chips">
          {match.skillsMissing.map((item, index) => (
            <li key={index} className={`prep__tag ${item.importance === 'required' ? 'prep__tag--required' : ''}`} data-testid="prep-skill-missing">
              {item.skill} · {t(item.importance === 'required' ? 'prep.match.required' : 'prep.match.niceToHave')}
            </li>
          ))}
        </ul>
      )}
      <h3 className="panel__sub">{t('prep.match.experience')}</h3>
      <p>{match.experienceEvaluation.assessment}</p>
      <Quote text={match.experienceEvaluation.quote} />
      <h3 className="panel__sub">{t('prep.match.redFlags')}</h3>
      {match.redFlags.length === 0 ? (
        <p className="muted">{t('prep.none')}</p>
      ) : (
        <ul className="prep__claims">
          {match.redFlags.map((item, index) => (
            <li key={index} data-testid="prep-red-flag">
              <strong>{item.flag}</strong>
              <Quote text={item.quote} />
            </li>
          ))}
        </ul>
      )}
      {match.unverifiedClaims.length > 0 && (
        <details className="prep__unverified">
          <summary>{t('prep.match.unverified', { count: match.unverifiedClaims.length })}</summary>
          <ul>
            {match.unverifiedClaims.map((claim, index) => (
              <li key={index}>
                {claim.claim} — <q>{claim.quote}</q>
              </li>
            ))}
          </ul>
        </details>
      )}
      <p className="score-card__versions">{t('prep.versions', { model: match.model, prompt: match.promptVersion })}</p>
    </section>
  );
}

/** The question plan: each question with its kind, competency, and the JD or resume text it is based on. */
export function PlanView({ plan }: { plan: InterviewPlan }) {
  const { t } = useI18n();
  return (
    <section className="panel prep__result" data-testid="prep-plan" aria-labelledby="prep-plan-heading">
      <h2 id="prep-plan-heading" className="panel__title">
        {t('prep.plan.heading')}
        <span className="panel__count">{plan.questions.length}</span>
      </h2>
      {plan.warnings.map((warning, index) => (
        <p key={index} className="field__note">
          {warning}
        </p>
      ))}
      <ol className="prep__questions">
        {plan.questions.map((question) => (
          <li key={question.id} data-testid="prep-plan-question">
            <p className="prep__question-text">{question.text}</p>
            <p className="muted">
              <span className="prep__tag">{t(`prep.kind.${question.kind}`)}</span> {question.competency} ·{' '}
              {t(question.basis === 'jd' ? 'prep.plan.fromJd' : 'prep.plan.fromResume')}
            </p>
            {question.quote && <Quote text={question.quote} />}
            {question.rationale && <p className="field__hint">{question.rationale}</p>}
          </li>
        ))}
      </ol>
      <p className="score-card__versions">{t('prep.versions', { model: plan.model, prompt: plan.promptVersion })}</p>
    </section>
  );
}

/** Props of the Prepare screen. */
export interface PrepareScreenProps {
  api: PrepApi;
  draft: PrepareDraft;
  /** Takes an updater too: an upload finishing late must not undo what was typed meanwhile. */
  onDraftChange: (next: PrepareDraft | ((current: PrepareDraft) => PrepareDraft)) => void;
  /** Fills the setup form and switches to it. */
  onUseInSetup: (preparation: Preparation) => void;
}

/** Before the interview: JD and resume in, job match and a tailored question plan out, then into the setup form. */
export function PrepareScreen({ api, draft, onDraftChange, onUseInSetup }: PrepareScreenProps) {
  const { t } = useI18n();
  const [match, setMatch] = useState<Outcome<JobMatch>>({ state: 'idle' });
  const [plan, setPlan] = useState<Outcome<InterviewPlan>>({ state: 'idle' });
  const [upload, setUpload] = useState<{ field: 'jobDescription' | 'resume'; error: boolean; text: string } | null>(null);
  const jdFile = useRef<HTMLInputElement>(null);
  const resumeFile = useRef<HTMLInputElement>(null);
  const set = <K extends keyof PrepareDraft>(key: K, value: PrepareDraft[K]) => onDraftChange({ ...draft, [key]: value });
  const ready = draft.jobDescription.trim() !== '' && draft.resume.trim() !== '';

  const onFile = async (field: 'jobDescription' | 'resume', input: HTMLInputElement | null) => {
    const file = input?.files?.[0];
    if (!file) return;
    setUpload({ field, error: false, text: t('setup.uploading', { name: file.name }) });
    try {
      const text = await api.parseFile(file, AbortSignal.timeout(60_000));
      onDraftChange((current) => ({ ...current, [field]: text }));
      setUpload({ field, error: false, text: t('prep.uploadDone', { name: file.name }) });
    } catch (error) {
      setUpload({ field, error: true, text: apiErrorText(t, error) });
    } finally {
      if (input) input.value = '';
    }
  };

  const runMatch = async () => {
    setMatch({ state: 'busy' });
    try {
      const value = await api.match({ jd: draft.jobDescription, resume: draft.resume, blind: draft.blind, language: draft.language }, AbortSignal.timeout(180_000));
      setMatch({ state: 'done', value });
    } catch (error) {
      setMatch({ state: 'error', message: apiErrorText(t, error) });
    }
  };

  const runPlan = async () => {
    setPlan({ state: 'busy' });
    try {
      const value = await api.plan({ jd: draft.jobDescription, resume: draft.resume, count: draft.count, language: draft.language }, AbortSignal.timeout(180_000));
      setPlan({ state: 'done', value });
    } catch (error) {
      setPlan({ state: 'error', message: apiErrorText(t, error) });
    }
  };

  const useInSetup = () =>
    onUseInSetup({
      role: draft.role,
      jobDescription: draft.jobDescription,
      resume: draft.resume,
      questions: plan.state === 'done' ? plan.value.questions.map((question) => question.text) : [],
      ...(plan.state === 'done' ? { language: plan.value.language } : {}),
    });

  const fileField = (field: 'jobDescription' | 'resume', ref: RefObject<HTMLInputElement | null>, testId: string) => (
    <>
      <input
        ref={ref}
        type="file"
        className="visually-hidden"
        accept=".pdf,.docx,.txt,.md,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,text/plain"
        data-testid={`${testId}-file`}
        onChange={(e) => void onFile(field, e.currentTarget)}
      />
      <button type="button" className="button button--small" onClick={() => ref.current?.click()}>
        {t('prep.uploadFile')}
      </button>
    </>
  );

  const note = (field: 'jobDescription' | 'resume') =>
    upload?.field === field && (
      <p className={`field__note ${upload.error ? 'field__note--error' : ''}`} role="status" data-testid="prep-upload-status">
        {upload.text}
      </p>
    );

  return (
    <div className="prep" data-testid="prepare-screen">
      <h1 className="visually-hidden">{t('prep.heading')}</h1>
      <section className="panel prep__inputs">
        <p className="field__hint">{t('prep.intro')}</p>
        <label className="field">
          <span className="field__label">{t('setup.role')}</span>
          <input data-testid="prep-role" value={draft.role} maxLength={200} placeholder={t('setup.rolePlaceholder')} onChange={(e) => set('role', e.currentTarget.value)} />
        </label>
        <div className="field">
          <div className="field__label-row">
            <label className="field__label" htmlFor="prep-jd">
              {t('setup.jobDescription')}
            </label>
            {fileField('jobDescription', jdFile, 'prep-jd')}
          </div>
          <textarea id="prep-jd" data-testid="prep-jd" rows={7} value={draft.jobDescription} onChange={(e) => set('jobDescription', e.currentTarget.value)} />
          {note('jobDescription')}
        </div>
        <div className="field">
          <div className="field__label-row">
            <label className="field__label" htmlFor="prep-resume">
              {t('setup.resume')}
            </label>
            {fileField('resume', resumeFile, 'prep-resume')}
          </div>
          <textarea
            id="prep-resume"
            data-testid="prep-resume"
            rows={9}
            value={draft.resume}
            placeholder={t('setup.resumePlaceholder')}
            onChange={(e) => set('resume', e.currentTarget.value)}
          />
          {note('resume')}
        </div>
        <div className="prep__actions">
          <label className="prep__inline">
            <input type="checkbox" data-testid="prep-blind" checked={draft.blind} onChange={(e) => set('blind', e.currentTarget.checked)} />
            {t('prep.blind')}
          </label>
          <button type="button" className="button button--primary" data-testid="prep-match-button" disabled={!ready || match.state === 'busy'} onClick={() => void runMatch()}>
            {match.state === 'busy' ? t('prep.working') : t('prep.matchButton')}
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
              onChange={(e) => set('count', Math.min(30, Math.max(1, Math.round(Number(e.currentTarget.value) || 1))))}
            />
          </label>
          <label className="prep__inline">
            {t('prep.language')}
            <select data-testid="prep-language" value={draft.language} onChange={(e) => set('language', e.currentTarget.value === 'zh' ? 'zh' : 'en')}>
              <option value="en">{t('setup.language.en')}</option>
              <option value="zh">{t('setup.language.zh')}</option>
            </select>
          </label>
          <button type="button" className="button button--primary" data-testid="prep-plan-button" disabled={!ready || plan.state === 'busy'} onClick={() => void runPlan()}>
            {plan.state === 'busy' ? t('prep.working') : t('prep.planButton')}
          </button>
        </div>
        {!ready && <p className="field__hint">{t('prep.needBoth')}</p>}
        <div className="prep__actions">
          <button
            type="button"
            className="button"
            data-testid="prep-use-in-setup"
            disabled={draft.jobDescription.trim() === '' && draft.resume.trim() === ''}
            onClick={useInSetup}
          >
            {t('prep.useInSetup')}
          </button>
          <span className="field__hint">{t(plan.state === 'done' ? 'prep.useInSetupHintPlan' : 'prep.useInSetupHint')}</span>
        </div>
      </section>
      <div className="prep__results">
        {match.state === 'error' && (
          <p className="banner banner--error" role="alert" data-testid="prep-match-error">
            {t('prep.matchFailed', { message: match.message })}
          </p>
        )}
        {match.state === 'busy' && <p className="muted">{t('prep.matching')}</p>}
        {match.state === 'done' && <MatchView match={match.value} />}
        {plan.state === 'error' && (
          <p className="banner banner--error" role="alert" data-testid="prep-plan-error">
            {t('prep.planFailed', { message: plan.message })}
          </p>
        )}
        {plan.state === 'busy' && <p className="muted">{t('prep.planning')}</p>}
        {plan.state === 'done' && <PlanView plan={plan.value} />}
        {match.state === 'idle' && plan.state === 'idle' && <p className="muted prep__empty">{t('prep.empty')}</p>}
      </div>
    </div>
  );
}
