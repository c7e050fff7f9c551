import { useEffect, useMemo, useRef, useState } from 'react';
import type { InterviewDetail } from '../../../protocol/interviews.ts';
import { cssEscape } from '../components/css-escape.ts';
import { SuggestionList } from '../components/followup-panel.tsx';
import { ScoreCard } from '../components/score-card.tsx';
import { TranscriptView, type Highlight } from '../components/transcript-view.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { formatClock } from '../state/export.ts';
import { isAnswerHead, turnsOf } from './detail-model.ts';
import { TurnCorrection, type SubmitCorrection } from './turn-correction.tsx';
import { useTurnPlayback } from './use-turn-playback.ts';
import { useWorkspaceText } from './workspace-text.ts';

/**
 * The stored transcript, one row per turn with its speaker, a play button when its audio was kept (playback goes on
 * through the following turns, the playing line marked and kept in view), the answer's score card with evidence that
 * lights up in the text, and the follow-ups suggested for it. An answer's analyses sit under its first turn; each turn
 * can be corrected (speaker, text), which re-scores the answer it belongs to.
 */
export function DetailTurns({ detail, audioUrl, onCorrect }: { detail: InterviewDetail; audioUrl: (turnId: string) => string; onCorrect?: SubmitCorrection }) {
  const { t } = useI18n();
  const { w } = useWorkspaceText();
  const [highlight, setHighlight] = useState<Highlight | null>(null);
  const turns = useMemo(() => turnsOf(detail), [detail]);
  const withAudio = useMemo(() => detail.turns.filter((turn) => turn.hasAudio).map((turn) => turn.turnId), [detail]);
  const playback = useTurnPlayback(withAudio, audioUrl);
  const listRef = useRef<HTMLOListElement>(null);

  // The line being played stays in view, like a karaoke transcript.
  useEffect(() => {
    if (!playback.current) return;
    const row = listRef.current?.querySelector<HTMLElement>(`[data-turn-id="${cssEscape(playback.current)}"]`);
    row?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, [playback.current]);

  if (detail.turns.length === 0) return <p className="muted">{w('ws.noTurns')}</p>;
  return (
    <>
      <audio ref={playback.audioRef} preload="none" data-testid="turn-audio" hidden />
      <ol className="timeline" ref={listRef}>
        {detail.turns.map((stored, index) => {
          const turn = turns[index];
          if (!turn) return null;
          const isCurrent = playback.current === stored.turnId;
          const time = formatClock(stored.startMs);
          const suggestions = stored.suggestions?.suggestions;
          const head = isAnswerHead(stored);
          const pending = head && !stored.score && !stored.failure;
          const continues = stored.channel === 'candidate' && !head && stored.answerId;
          return (
            <li
              key={stored.turnId}
              className={`timeline__item ${isCurrent ? 'timeline__item--playing' : ''}`}
              data-testid="detail-turn"
              data-turn-id={stored.turnId}
              data-channel={stored.channel}
              data-answer-id={stored.answerId ?? undefined}
              data-playing={isCurrent && playback.playing ? 'true' : undefined}
              aria-current={isCurrent ? 'true' : undefined}
            >
              <div className="ws-turn">
                {stored.hasAudio ? (
                  <button
                    type="button"
                    className="icon-button ws-play"
                    data-testid="play-turn"
                    aria-label={isCurrent && playback.playing ? w('ws.pauseTurn', { time }) : w('ws.playTurn', { time })}
                    title={isCurrent && playback.playing ? w('ws.pause') : w('ws.play')}
                    onClick={() => playback.toggle(stored.turnId)}
                  >
                    {isCurrent && playback.playing ? '❚❚' : '▶'}
                  </button>
                ) : (
                  <span className="ws-play ws-play--none" aria-hidden="true" />
                )}
                <TranscriptView
                  turns={[turn]}
                  roleOverrides={{}}
                  canFlipRoles={false}
                  highlight={highlight}
                  analysisErrors={head && stored.failure ? { [stored.turnId]: { ...stored.failure, retrying: false, retryable: false } } : {}}
                />
              </div>
              {continues && <p className="muted ws-continues">{w('ws.answerContinues')}</p>}
              {onCorrect && <TurnCorrection key={`${stored.turnId}:${stored.channel}:${stored.text}`} turn={stored} onSubmit={onCorrect} />}
              {head && (stored.score || suggestions || pending) && (
                <div className="timeline__analysis">
                  {stored.score && (
                    <ScoreCard
                      turnId={stored.turnId}
                      score={stored.score}
                      title={t('score.answerAt', { time })}
                      onEvidence={(turnId, quote) => setHighlight(quote ? { turnId, quote } : null)}
                    />
                  )}
                  {pending && <p className="muted" data-testid="score-pending">{w('ws.pendingScore')}</p>}
                  {suggestions && suggestions.length > 0 && (
                    <div className="panel panel--inset">
                      <h3 className="panel__title">{w('ws.suggestions')}</h3>
                      <SuggestionList suggestions={suggestions} />
                    </div>
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ol>
    </>
  );
}
