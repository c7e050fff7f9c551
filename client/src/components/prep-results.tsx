import type { InterviewPlan, JobMatch } from '../../../protocol/prep.ts';
import { useI18n } from '../i18n/i18n.tsx';

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
              {item.equivalent && <span className="muted"> {t('prep.match.as', { name: item.equivalent })}</span>}
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
      {match.experienceEvaluation.assessment !== '' && <p>{match.experienceEvaluation.assessment}</p>}
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
                {claim.reason === 'not-named' && <span className="muted"> ({t('prep.match.notNamed')})</span>}
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
