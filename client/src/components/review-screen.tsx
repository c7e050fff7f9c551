import { useMemo, useState } from 'react';
import type { Channel } from '../../../protocol/index.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { buildExport, buildMarkdown, dimensionMeans, downloadText, exportFileStem, formatClock, meanOverall } from '../state/export.ts';
import { effectiveChannel, orderedTurns, type InterviewState } from '../state/interview-reducer.ts';
import type { PrepApi } from '../api/prep-api.ts';
import { FeedbackLetterPanel } from './feedback-letter.tsx';
import { SuggestionList } from './followup-panel.tsx';
import { ScoreCard } from './score-card.tsx';
import { TranscriptView, type Highlight } from './transcript-view.tsx';

/** After the stop: the whole interview on a timeline with each answer's scores and suggestions, and exports. */
export function ReviewScreen({
  state,
  onNewInterview,
  onRetry,
  api,
}: {
  state: InterviewState;
  onNewInterview: () => void;
  onRetry: (turnId: string) => void;
  /** Enables the feedback letter (absent: no letter panel). */
  api?: PrepApi;
}) {
  const { t } = useI18n();
  const [highlight, setHighlight] = useState<Highlight | null>(null);
  const turns = useMemo(() => orderedTurns(state.turns), [state.turns]);
  const mean = meanOverall(state);
  const means = dimensionMeans(state);
  const stem = exportFileStem(state);
  const totalMs = Math.max(1, ...turns.map((turn) => turn.endMs));

  return (
    <div className="review" data-testid="review-view" data-session-id={state.sessionId ?? undefined}>
      <header className="review__head panel">
        <div>
          <h1 className="review__title">{state.context.title || t('review.untitled')}</h1>
          {state.context.role && <p className="muted">{state.context.role}</p>}
          <p data-testid="review-summary">
            {t('review.summary', { turns: turns.length, answers: Object.keys(state.scores).length, mean: mean === null ? '—' : mean.toFixed(1) })}
          </p>
          <ReviewProgress state={state} />
          {state.stopError && (
            <p className="banner banner--warn" role="alert" data-testid="stop-error">
              {t('review.stopFailed', { message: `${state.stopError.code}: ${state.stopError.message}` })}
            </p>
          )}
          {state.stopResult && (
            <ul className="review__stats">
              {(Object.entries(state.stopResult.stats) as [Channel, NonNullable<(typeof state.stopResult.stats)[Channel]>][]).map(([channel, stats]) => (
                <li key={channel}>
                  {t('review.audioStats', { channel: t(`channel.${channel}`), seconds: (stats.audioMs / 1000).toFixed(0), turns: stats.turns, gaps: stats.gaps })}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="review__actions">
          <button
            type="button"
            className="button"
            data-testid="export-json"
            onClick={() => downloadText(`${stem}.json`, `${JSON.stringify(buildExport(state, new Date()), null, 2)}\n`, 'application/json')}
          >
            {t('review.exportJson')}
          </button>
          <button
            type="button"
            className="button"
            data-testid="export-markdown"
            onClick={() => downloadText(`${stem}.md`, buildMarkdown(state, t, new Date()), 'text/markdown')}
          >
            {t('review.exportMarkdown')}
          </button>
          <button type="button" className="button button--ghost" data-testid="new-interview" onClick={onNewInterview}>
            {t('review.newInterview')}
          </button>
        </div>
      </header>

      {api && <FeedbackLetterPanel state={state} api={api} />}

      {means.length > 0 && (
        <section className="panel" aria-labelledby="means-heading">
          <h2 id="means-heading" className="panel__title">
            {t('review.dimensionMeans')}
          </h2>
          <ul className="dimensions dimensions--summary">
            {means.map((m) => (
              <li key={m.id} className="dimension">
                <div className="dimension__row">
                  <span className="dimension__name">{m.name}</span>
                  <span className="dimension__bar" aria-hidden="true">
                    <span style={{ width: `${m.mean * 10}%` }} />
                  </span>
                  <span className="dimension__score">{m.mean.toFixed(1)}/10</span>
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}

      {turns.length > 0 && (
        <div className="timeline-bar" aria-hidden="true" data-testid="review-timeline-bar">
          {turns.map((turn) => (
            <span
              key={turn.turnId}
              className={`timeline-bar__turn timeline-bar__turn--${effectiveChannel(state, turn)}`}
              style={{ left: `${(turn.startMs / totalMs) * 100}%`, width: `${Math.max(0.4, ((turn.endMs - turn.startMs) / totalMs) * 100)}%` }}
            />
          ))}
        </div>
      )}

      <section className="review__timeline" aria-label={t('export.transcript')}>
        {turns.length === 0 ? (
          <p className="muted">{t('review.noTurns')}</p>
        ) : (
          <ol className="timeline">
            {turns.map((turn) => {
              const score = state.scores[turn.turnId];
              const suggestions = state.followUps[turn.turnId]?.suggestions;
              return (
                <li key={turn.turnId} className="timeline__item" data-testid="review-turn" data-turn-id={turn.turnId} data-channel={effectiveChannel(state, turn)}>
                  <TranscriptView
                    turns={[turn]}
                    roleOverrides={state.roleOverrides}
                    canFlipRoles={false}
                    highlight={highlight}
                    analysisErrors={state.analysisErrors}
                    onRetry={onRetry}
                  />
                  {(score || suggestions) && (
                    <div className="timeline__analysis">
                      {score && (
                        <ScoreCard
                          turnId={turn.turnId}
                          score={score}
                          title={t('score.answerAt', { time: formatClock(turn.startMs) })}
                          onEvidence={(turnId, quote) => setHighlight(quote ? { turnId, quote } : null)}
                        />
                      )}
                      {suggestions && (
                        <div className="panel panel--inset">
                          <h3 className="panel__title">{t('review.suggestions')}</h3>
                          <SuggestionList suggestions={suggestions} />
                        </div>
                      )}
                    </div>
                  )}
                </li>
              );
            })}
          </ol>
        )}
      </section>
    </div>
  );
}

/** "Stopped — finishing 2 turns · scoring 3 of 5…": what the server is still doing after the stop (nothing once done). */
function ReviewProgress({ state }: { state: InterviewState }) {
  const { t } = useI18n();
  const parts: string[] = [];
  if (state.finishing && state.finishing.turns > 0) parts.push(t('review.finishing', { turns: state.finishing.turns }));
  else if (state.finishing) parts.push(t('review.finishingAudio'));
  const progress = state.analysisProgress;
  if (progress && progress.pending > 0) parts.push(t('review.scoring', { done: progress.done, total: progress.total }));
  if (parts.length === 0) return null;
  return (
    <p className="muted" role="status" data-testid="review-progress">
      {parts.join(' · ')}
    </p>
  );
}
