import type { FollowUpSuggestion } from '../../../protocol/index.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatClock } from '../state/export.ts';
import type { FollowUpState, Turn } from '../state/interview-reducer.ts';
import { followUpDrafts } from '../state/streaming-followups.ts';

/** The validated suggestions of one answer. */
export function SuggestionList({ suggestions }: { suggestions: FollowUpSuggestion[] }) {
  const { t } = useI18n();
  return (
    <ol className="suggestions">
      {suggestions.map((suggestion, index) => (
        <li key={index} className="suggestion" data-testid="followup-suggestion">
          <p className="suggestion__question">{suggestion.question}</p>
          {suggestion.buildsOn && (
            <p className="suggestion__detail">
              <span className="suggestion__label">{t('followup.buildsOn')}</span>
              <q data-testid="followup-builds-on">{suggestion.buildsOn}</q>
            </p>
          )}
          <p className="suggestion__detail">
            <span className="suggestion__label">{t('followup.probes')}</span>
            <span data-testid="followup-probes">{suggestion.probes}</span>
          </p>
        </li>
      ))}
    </ol>
  );
}

/** Follow-up text as it streams, as question drafts: the server streams plain text, one question per line. */
function StreamingText({ raw }: { raw: string }) {
  if (raw === '') return null;
  // Shown like the final list (one draft per line), so the validated suggestions replace the drafts without a jump.
  const questions = followUpDrafts(raw);
  return (
    <ol className="suggestions suggestions--draft">
      {questions.map((question, index) => (
        <li key={index} className="suggestion">
          <p className="suggestion__question">{question}</p>
        </li>
      ))}
    </ol>
  );
}

/** Follow-ups for the most recent answer that has any: raw text while streaming, then the validated list. */
export function FollowUpPanel({ turns, followUps }: { turns: Turn[]; followUps: Record<string, FollowUpState> }) {
  const { t } = useI18n();
  const latest = [...turns].reverse().find((turn) => followUps[turn.turnId]);
  const state = latest ? followUps[latest.turnId] : undefined;
  return (
    <section className="panel followups" data-testid="followup-panel" aria-labelledby="followups-heading" aria-live="polite">
      <h2 id="followups-heading" className="panel__title">
        {t('live.followups')}
      </h2>
      {!latest || !state ? (
        <p className="muted">{t('live.followupsEmpty')}</p>
      ) : (
        <>
          <p className="panel__sub" data-turn-id={latest.turnId}>
            {t('live.forAnswerAt', { time: formatClock(latest.startMs) })}
          </p>
          {state.suggestions ? (
            <SuggestionList suggestions={state.suggestions} />
          ) : (
            <div className="followups__stream" data-testid="followup-stream">
              <span className="muted">{t('live.followupsStreaming')}</span>
              <StreamingText raw={state.streamText} />
            </div>
          )}
        </>
      )}
    </section>
  );
}
