import { useState } from 'react';
import type { FeedbackLetter } from '../../../protocol/prep.ts';
import type { PrepApi } from '../api/prep-api.ts';
import { problemOf } from '../api/replies.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { buildFeedbackRequest, type FeedbackDecision } from '../state/feedback-request.ts';
import type { InterviewState } from '../state/interview-reducer.ts';
import { apiErrorText } from './api-error.ts';

type LetterState = { state: 'idle' } | { state: 'busy' } | { state: 'done'; letter: FeedbackLetter } | { state: 'error'; message: string };

/** Copies text to the clipboard; false when the browser refuses (no permission, insecure origin). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Review-screen panel: writes a feedback letter from the scored answers, in the interview language, with copy. */
export function FeedbackLetterPanel({ state, api }: { state: InterviewState; api: PrepApi }) {
  const { t, locale } = useI18n();
  const [decision, setDecision] = useState<FeedbackDecision>('undecided');
  const [letter, setLetter] = useState<LetterState>({ state: 'idle' });
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const request = buildFeedbackRequest(state, decision, locale);

  const write = async () => {
    if (!request) return;
    setLetter({ state: 'busy' });
    setCopied('idle');
    try {
      setLetter({ state: 'done', letter: await api.feedback(request, AbortSignal.timeout(180_000)) });
    } catch (error) {
      setLetter({ state: 'error', message: apiErrorText(t, problemOf(error)) });
    }
  };

  return (
    <section className="panel" data-testid="feedback-panel" aria-labelledby="feedback-heading">
      <h2 id="feedback-heading" className="panel__title">
        {t('feedback.heading')}
      </h2>
      <div className="prep__actions">
        <label className="prep__inline">
          {t('feedback.decision')}
          <select data-testid="feedback-decision" value={decision} onChange={(e) => setDecision(e.currentTarget.value as FeedbackDecision)}>
            <option value="advance">{t('feedback.advance')}</option>
            <option value="reject">{t('feedback.reject')}</option>
            <option value="undecided">{t('feedback.undecided')}</option>
          </select>
        </label>
        <button type="button" className="button" data-testid="feedback-button" disabled={!request || letter.state === 'busy'} onClick={() => void write()}>
          {letter.state === 'busy' ? t('feedback.writing') : t('feedback.button')}
        </button>
        {!request && <span className="field__hint">{t('feedback.noScores')}</span>}
      </div>
      {letter.state === 'error' && (
        <p className="banner banner--error" role="alert" data-testid="feedback-error">
          {t('feedback.failed', { message: letter.message })}
        </p>
      )}
      {letter.state === 'done' && (
        <div data-testid="feedback-letter" lang={letter.letter.language === 'zh' ? 'zh-CN' : 'en'}>
          <p>
            <strong data-testid="feedback-subject">{letter.letter.subject}</strong>
          </p>
          <pre className="letter" data-testid="feedback-text">
            {letter.letter.text}
          </pre>
          <div className="prep__actions">
            <button
              type="button"
              className="button button--small"
              data-testid="feedback-copy"
              onClick={() => void copyText(`${letter.letter.subject}\n\n${letter.letter.text}`).then((ok) => setCopied(ok ? 'copied' : 'failed'))}
            >
              {t('feedback.copy')}
            </button>
            {copied !== 'idle' && (
              <span className="field__hint" role="status" data-testid="feedback-copy-status">
                {t(copied === 'copied' ? 'feedback.copied' : 'feedback.copyFailed')}
              </span>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
