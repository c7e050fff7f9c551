import { useEffect, useMemo, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { cssEscape } from './css-escape.ts';
import type { LevelStore } from '../session/level-store.ts';
import { formatClock } from '../state/export.ts';
import { orderedTurns, type InterviewState } from '../state/interview-reducer.ts';
import { FollowUpPanel } from './followup-panel.tsx';
import { LevelMeter } from './level-meter.tsx';
import { PlannedQuestions } from './planned-questions.tsx';
import { ScoreCard } from './score-card.tsx';
import { TranscriptView, type Highlight } from './transcript-view.tsx';

/** Seconds since `startedAt`, ticking once a second. */
function Elapsed({ startedAt }: { startedAt: string | null }) {
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNowMs(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  if (!startedAt) return null;
  return (
    <time className="elapsed" data-testid="elapsed">
      {formatClock(nowMs - Date.parse(startedAt))}
    </time>
  );
}

/** Props of the live screen. */
export interface LiveScreenProps {
  state: InterviewState;
  levels: LevelStore;
  onStop: () => void;
  onRetry: (turnId: string) => void;
  onFlipRole: (turnId: string) => void;
  onSetCovered: (questionId: string, covered: boolean) => void;
}

/** The screen during the interview: controls and meters, transcript, follow-ups, score cards, planned questions. */
export function LiveScreen({ state, levels, onStop, onRetry, onFlipRole, onSetCovered }: LiveScreenProps) {
  const { t } = useI18n();
  const [highlight, setHighlight] = useState<Highlight | null>(null);
  const turns = useMemo(() => orderedTurns(state.turns), [state.turns]);
  const scored = useMemo(() => turns.filter((turn) => state.scores[turn.turnId]).reverse(), [turns, state.scores]);
  const stopping = state.phase === 'stopping';
  const onEvidence = (turnId: string, quote: string | null) => setHighlight(quote ? { turnId, quote } : null);
  const focusCard = (turnId: string) => {
    const card = document.querySelector<HTMLElement>(`[data-testid="score-card"][data-turn-id="${cssEscape(turnId)}"]`);
    card?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
    card?.querySelector<HTMLElement>('button')?.focus();
  };

  return (
    <div className="live" data-testid="live-view">
      <div className="controls">
        <button type="button" className="button button--stop" data-testid="stop-button" onClick={onStop} disabled={stopping}>
          <span className="rec-dot" aria-hidden="true" />
          {stopping ? t('live.stopping') : t('live.stop')}
        </button>
        <Elapsed startedAt={state.startedAt} />
        <div className="meters">
          {state.channels.map((channel) => (
            <LevelMeter key={channel} store={levels} channel={channel} speaking={state.speaking[channel]} />
          ))}
        </div>
      </div>
      <div className="live__grid">
        <section className="panel live__transcript" aria-labelledby="transcript-heading">
          <h2 id="transcript-heading" className="panel__title">
            {t('live.transcript')}
          </h2>
          <TranscriptView
            turns={turns}
            roleOverrides={state.roleOverrides}
            canFlipRoles={state.captureMode === 'single-mic'}
            highlight={highlight}
            scores={state.scores}
            analysisErrors={state.analysisErrors}
            followUps={state.followUps}
            onFlipRole={onFlipRole}
            onRetry={onRetry}
            onSelectTurn={focusCard}
          />
        </section>
        <div className="live__side">
          <FollowUpPanel turns={turns} followUps={state.followUps} />
          <section className="panel scores" aria-labelledby="scores-heading">
            <h2 id="scores-heading" className="panel__title">
              {t('score.heading')}
            </h2>
            {scored.length === 0 ? (
              <p className="muted">{t('score.empty')}</p>
            ) : (
              <div className="scores__list">
                {scored.map((turn) => {
                  const score = state.scores[turn.turnId];
                  return score ? (
                    <ScoreCard
                      key={turn.turnId}
                      turnId={turn.turnId}
                      score={score}
                      title={t('score.answerAt', { time: formatClock(turn.startMs) })}
                      onEvidence={onEvidence}
                    />
                  ) : null;
                })}
              </div>
            )}
          </section>
          <PlannedQuestions questions={state.context.plannedQuestions ?? []} state={state} onSetCovered={onSetCovered} />
        </div>
      </div>
    </div>
  );
}
