import { isUnevidencedAnswer, type AnswerScore } from '../../../protocol/index.ts';
import { useI18n } from '../i18n/i18n.tsx';

/** Props of a score card. */
export interface ScoreCardProps {
  turnId: string;
  score: AnswerScore;
  /** Heading, e.g. "Answer at 03:12". */
  title?: string;
  /** Called with the evidence quote under the pointer or focus, and null when it leaves. */
  onEvidence?: (turnId: string, quote: string | null) => void;
}

/**
 * Score card of one answer: numbers only for real answers with verified evidence; "no evidence" on a dimension whose
 * quotes did not verify; a labelled note for empty, off-topic or non-answers and for answers with no verified evidence.
 */
export function ScoreCard({ turnId, score, title, onEvidence }: ScoreCardProps) {
  const { t } = useI18n();
  const scored = score.label === 'answer' && score.overall !== null;
  const unevidenced = isUnevidencedAnswer(score);
  const evidenced = score.evidencedDimensions;
  const show = (quote: string | null) => onEvidence?.(turnId, quote);
  return (
    <article className={`score-card ${scored ? '' : 'score-card--unscored'}`} data-testid="score-card" data-turn-id={turnId} data-label={score.label}>
      <header className="score-card__head">
        {title && <h3 className="score-card__title">{title}</h3>}
        <span className={`badge badge--${score.label}`} data-testid="score-label">
          {t(`score.label.${score.label}`)}
        </span>
        {scored && (
          <span className="score-card__overall" data-testid="score-overall" aria-label={t('score.overall')}>
            {score.overall?.toFixed(1)}
            <small>/10</small>
          </span>
        )}
        {unevidenced && (
          <span className="score-card__overall score-card__overall--none" data-testid="score-overall-none">
            {t('score.noEvidence')}
          </span>
        )}
      </header>
      {score.remark && <p className="score-card__remark">{score.remark}</p>}
      {!scored && <p className="score-card__note">{unevidenced ? t('score.unevidenced') : t('score.notScored')}</p>}
      {scored && evidenced !== undefined && evidenced < score.dimensions.length && (
        <p className="score-card__note" data-testid="score-evidenced-count">
          {t('score.evidencedCount', { count: String(evidenced), total: String(score.dimensions.length) })}
        </p>
      )}
      {scored && (
        <ul className="dimensions">
          {score.dimensions.map((dimension) => (
            <li key={dimension.id} className="dimension" data-testid="score-dimension" data-dimension-id={dimension.id}>
              <div className="dimension__row">
                <span className="dimension__name">{dimension.name}</span>
                <span className="dimension__bar" aria-hidden="true">
                  <span style={{ width: `${(dimension.score ?? 0) * 10}%` }} />
                </span>
                <span className={`dimension__score${dimension.score === null ? ' dimension__score--none' : ''}`} data-testid="dimension-score">
                  {dimension.score === null ? t('score.noEvidence') : `${dimension.score}/10`}
                </span>
              </div>
              <p className="dimension__reason">{dimension.reason}</p>
              {dimension.evidence.length > 0 && (
                <div className="evidence" aria-label={t('score.evidence')}>
                  {dimension.evidence.map((evidence, index) => (
                    <button
                      key={index}
                      type="button"
                      className="evidence__quote"
                      data-testid="evidence-quote"
                      title={t('score.showInTranscript')}
                      onMouseEnter={() => show(evidence.quote)}
                      onMouseLeave={() => show(null)}
                      onFocus={() => show(evidence.quote)}
                      onBlur={() => show(null)}
                    >
                      “{evidence.quote}”
                    </button>
                  ))}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <footer className="score-card__versions" data-testid="score-versions">
        {t('score.versions', { model: score.model, prompt: score.promptVersion, rubric: score.rubricVersion })}
      </footer>
    </article>
  );
}
