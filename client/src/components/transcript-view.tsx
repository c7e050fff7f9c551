import { useEffect, useRef } from 'react';
import type { AnswerScore, Channel } from '../../../protocol/index.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { cssEscape } from './css-escape.ts';
import { formatClock } from '../state/export.ts';
import { findQuote } from '../state/highlight.ts';
import type { AnalysisFailure, FollowUpState, Turn } from '../state/interview-reducer.ts';

/** An evidence quote to mark in one turn. */
export interface Highlight {
  turnId: string;
  quote: string;
}

/** Props of the transcript. */
export interface TranscriptViewProps {
  turns: Turn[];
  roleOverrides: Record<string, Channel>;
  /** Speakers can be switched by a click (single-microphone mode). */
  canFlipRoles: boolean;
  highlight: Highlight | null;
  scores?: Record<string, AnswerScore>;
  analysisErrors?: Record<string, AnalysisFailure>;
  followUps?: Record<string, FollowUpState>;
  onFlipRole?: (turnId: string) => void;
  onRetry?: (turnId: string) => void;
  onSelectTurn?: (turnId: string) => void;
}

function TurnText({ text, quote }: { text: string; quote: string | null }) {
  const range = quote ? findQuote(text, quote) : null;
  if (!range) return <>{text}</>;
  return (
    <>
      {text.slice(0, range[0])}
      <mark data-testid="evidence-highlight">{text.slice(range[0], range[1])}</mark>
      {text.slice(range[1])}
    </>
  );
}

/** Live transcript: partial text in place (grey, italic) until the final replaces it; one row per turn. */
export function TranscriptView(props: TranscriptViewProps) {
  const { turns, roleOverrides, canFlipRoles, highlight, scores = {}, analysisErrors = {}, followUps = {} } = props;
  const { t } = useI18n();
  const listRef = useRef<HTMLOListElement>(null);
  const stickToBottom = useRef(true);
  const lastTurn = turns.at(-1);

  // Follow new speech only while the reader is at the bottom; scrolling up to reread stops the jumping.
  useEffect(() => {
    const list = listRef.current;
    if (list && stickToBottom.current) list.scrollTop = list.scrollHeight;
  }, [turns.length, lastTurn?.text]);

  // Bring the highlighted turn into view by scrolling the transcript box only: scrolling the page would move
  // the evidence out from under the pointer and end the hover that asked for it.
  useEffect(() => {
    const list = listRef.current;
    if (!highlight || !list) return;
    const element = list.querySelector<HTMLElement>(`[data-turn-id="${cssEscape(highlight.turnId)}"]`);
    if (!element) return;
    const top = element.offsetTop - list.offsetTop;
    const bottom = top + element.offsetHeight;
    if (top < list.scrollTop) list.scrollTop = top;
    else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = Math.max(top, bottom - list.clientHeight);
  }, [highlight]);

  if (turns.length === 0) {
    return (
      <p className="transcript__empty" data-testid="transcript-empty">
        {t('live.transcriptEmpty')}
      </p>
    );
  }
  return (
    <ol
      className="transcript"
      ref={listRef}
      data-testid="transcript"
      aria-live="polite"
      onScroll={(event) => {
        const list = event.currentTarget;
        stickToBottom.current = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
      }}
    >
      {turns.map((turn) => {
        const channel = roleOverrides[turn.turnId] ?? turn.channel;
        const score = scores[turn.turnId];
        const failure = analysisErrors[turn.turnId];
        const streaming = followUps[turn.turnId] && !followUps[turn.turnId]?.suggestions;
        const quote = highlight?.turnId === turn.turnId ? highlight.quote : null;
        const speaker = t(`channel.${channel}`);
        return (
          <li
            key={turn.turnId}
            className={`turn turn--${channel} ${turn.isFinal ? 'turn--final' : 'turn--partial'} ${quote ? 'turn--highlighted' : ''}`}
            data-testid="transcript-turn"
            data-turn-id={turn.turnId}
            data-channel={channel}
            data-final={String(turn.isFinal)}
          >
            <div className="turn__meta">
              <time className="turn__time">{formatClock(turn.startMs)}</time>
              {canFlipRoles ? (
                <button
                  type="button"
                  className={`speaker speaker--${channel} speaker--button`}
                  data-testid="flip-role"
                  aria-label={t('live.switchSpeaker', { role: speaker })}
                  title={t('live.switchSpeaker', { role: speaker })}
                  onClick={() => props.onFlipRole?.(turn.turnId)}
                >
                  {speaker} ⇄
                </button>
              ) : (
                <span className={`speaker speaker--${channel}`}>{speaker}</span>
              )}
            </div>
            <p className="turn__text" data-testid="turn-text">
              <TurnText text={turn.text} quote={quote} />
              {!turn.isFinal && <span className="visually-hidden"> ({t('live.transcribing')})</span>}
            </p>
            {(score || failure || streaming) && (
              <div className="turn__analysis">
                {score &&
                  (score.overall !== null && score.label === 'answer' ? (
                    <button type="button" className="chip chip--score" data-testid="turn-score" onClick={() => props.onSelectTurn?.(turn.turnId)}>
                      {score.overall.toFixed(1)}/10
                    </button>
                  ) : (
                    <span className={`badge badge--${score.label}`} data-testid="turn-score">
                      {t(`score.label.${score.label}`)}
                    </span>
                  ))}
                {!score && !failure && streaming && <span className="muted">{t('score.pending')}</span>}
                {failure && (
                  <span className="analysis-error" data-testid="analysis-error" role="alert">
                    {t('analysis.failed', { message: failure.message })}
                    {failure.retryable && (
                      <button
                        type="button"
                        className="button button--small"
                        data-testid="retry-button"
                        disabled={failure.retrying}
                        onClick={() => props.onRetry?.(turn.turnId)}
                      >
                        {failure.retrying ? t('analysis.retrying') : t('analysis.retry')}
                      </button>
                    )}
                  </span>
                )}
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}
