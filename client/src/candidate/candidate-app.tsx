import { useEffect, useReducer, useRef, useState } from 'react';
import { io } from 'socket.io-client';
import type { AutomatedLanguage } from '../../../protocol/index.ts';
import { openBrowserCapture } from '../audio/browser-capture.ts';
import { levelToFraction } from '../components/level-meter.tsx';
import { LevelStore, useChannelLevel } from '../session/level-store.ts';
import { CandidateController, type CandidateSocket } from './candidate-controller.ts';
import { candidateText, type CandidateKey } from './candidate-dictionary.ts';
import { candidateReducer, initialCandidateState, type CandidateState } from './candidate-state.ts';
import { createBrowserSpeechOutput } from './speech-output.ts';
import './candidate.css';

type T = (key: CandidateKey, params?: Record<string, string | number>) => string;

/** The link token: everything after `#` (kept out of server logs and Referer headers). */
export function tokenFromLocation(hash: string): string {
  return decodeURIComponent(hash.replace(/^#/, '').trim());
}

function MicMeter({ store, t }: { store: LevelStore; t: T }) {
  const level = useChannelLevel(store, 'candidate');
  const fraction = levelToFraction(level.rms);
  return (
    <span className="cand-meter" role="meter" aria-label={t('mic.level')} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(fraction * 100)} data-testid="mic-level">
      <span className="cand-meter__fill" style={{ transform: `scaleX(${fraction})` }} />
    </span>
  );
}

function Countdown({ state, t }: { state: CandidateState; t: T }) {
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNowMs(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  if (!state.info) return null;
  const running = state.phase !== 'paused' && state.phase !== 'ended' && state.elapsedAtMs > 0;
  const elapsed = state.elapsedMs + (running ? Math.max(0, nowMs - state.elapsedAtMs) : 0);
  const minutes = Math.max(0, Math.ceil((state.info.timeBudgetMs - elapsed) / 60_000));
  return <span className="cand-muted" data-testid="time-left">{t('live.remaining', { minutes })}</span>;
}

const KNOWN_ERRORS = new Set([
  'link-invalid',
  'link-expired',
  'link-revoked',
  'interview-ended',
  'server-unreachable',
  'permission-denied',
  'unsupported',
  'device-failed',
]);

function ErrorScreen({ state, t }: { state: CandidateState; t: T }) {
  const code = state.error?.code ?? 'generic';
  const key = `error.${code}` as CandidateKey;
  const known = KNOWN_ERRORS.has(code);
  return (
    <section className="cand-card cand-card--error" data-testid="candidate-error" data-code={code} role="alert">
      <p>{known ? t(key, { message: state.error?.message ?? '' }) : t('error.generic', { message: state.error?.message ?? code })}</p>
    </section>
  );
}

function ConsentScreen({ state, t, onAgree }: { state: CandidateState; t: T; onAgree: () => void }) {
  const [checked, setChecked] = useState(false);
  const info = state.info;
  if (!info) return null;
  return (
    <section className="cand-card" data-testid="candidate-consent">
      <h1>{t('consent.heading')}</h1>
      {info.title && (
        <p className="cand-strong" data-testid="candidate-title">
          {info.title}
        </p>
      )}
      {info.candidateName && <p data-testid="candidate-greeting">{t('consent.greeting', { name: info.candidateName })}</p>}
      <p>{t('consent.intro', { role: info.role ?? '—' })}</p>
      <p>{t('consent.how', { count: info.questionCount, minutes: Math.round(info.timeBudgetMs / 60_000) })}</p>
      <p className="cand-strong">{t('consent.recorded')}</p>
      <p className="cand-muted">{t('consent.before')}</p>
      <label className="cand-check">
        <input type="checkbox" data-testid="consent-checkbox" checked={checked} onChange={(event) => setChecked(event.target.checked)} />
        <span>{t('consent.checkbox')}</span>
      </label>
      <button type="button" className="button button--primary button--large" data-testid="consent-agree" disabled={!checked} onClick={onAgree}>
        {t('consent.agree')}
      </button>
    </section>
  );
}

function MicScreen({ state, t, levels, onOpen, onStart }: { state: CandidateState; t: T; levels: LevelStore; onOpen: () => void; onStart: () => void }) {
  useEffect(() => {
    if (state.mic === 'closed' && !state.error) onOpen();
  }, [state.mic, state.error, onOpen]);
  return (
    <section className="cand-card" data-testid="candidate-mic">
      <h1>{t('mic.heading')}</h1>
      <p>{state.mic === 'open' ? t('mic.hint') : t('mic.opening')}</p>
      <MicMeter store={levels} t={t} />
      <p className={state.heardVoice ? 'cand-ok' : 'cand-muted'} data-testid="mic-status" data-heard={String(state.heardVoice)}>
        {state.heardVoice ? t('mic.heard') : t('mic.silent')}
      </p>
      <p className="cand-muted">{t('mic.headphones')}</p>
      <button
        type="button"
        className="button button--primary button--large"
        data-testid="mic-start"
        disabled={state.mic !== 'open' || state.starting}
        onClick={onStart}
      >
        {t('mic.start')}
      </button>
    </section>
  );
}

function LiveScreen({ state, t, levels }: { state: CandidateState; t: T; levels: LevelStore }) {
  const question = state.question;
  const phaseKey: CandidateKey =
    state.phase === 'speaking' ? 'live.speaking' : state.phase === 'thinking' ? 'live.thinking' : state.phase === 'waiting' ? 'live.waiting' : state.phase === 'paused' ? 'live.paused' : 'live.listening';
  return (
    <section className="cand-card cand-live" data-testid="candidate-live" data-phase={state.phase}>
      <div className="cand-live__head">
        <span className="cand-muted" data-testid="question-progress">
          {question ? (question.kind === 'follow-up' ? t('live.followUp', { n: question.index }) : t('live.question', { n: question.index, total: question.total })) : ''}
        </span>
        <Countdown state={state} t={t} />
      </div>
      <p
        className="cand-question"
        data-testid="live-question"
        data-question-id={question?.questionId ?? ''}
        data-kind={question?.kind ?? ''}
        lang={state.info?.language === 'zh' ? 'zh-CN' : 'en'}
        aria-live="polite"
      >
        {question?.text ?? ''}
      </p>
      <p className={`cand-phase cand-phase--${state.phase}`} data-testid="live-phase" data-phase={state.phase} data-viva-speaking={String(state.vivaSpeaking)}>
        <span className="cand-phase__dot" aria-hidden="true" />
        {t(state.online ? phaseKey : 'live.paused')}
      </p>
      <MicMeter store={levels} t={t} />
      <p className="cand-muted">{t('live.interrupt')}</p>
    </section>
  );
}

function EndedScreen({ state, t }: { state: CandidateState; t: T }) {
  const reason = state.end?.reason ?? 'completed';
  return (
    <section className="cand-card" data-testid="candidate-ended" data-reason={reason} data-saving={String(state.saving)}>
      <h1>{t('ended.heading')}</h1>
      <p>{t(`ended.${reason}` as CandidateKey)}</p>
      <p className="cand-muted">{state.saving ? t('ended.saving') : t('ended.close')}</p>
    </section>
  );
}

/** The candidate's page at `/interview#<token>`: consent, mic check, then Viva's questions until the end. */
export default function CandidateApp() {
  const [state, dispatch] = useReducer(candidateReducer, initialCandidateState);
  const [levels] = useState(() => new LevelStore());
  const controller = useRef<CandidateController | null>(null);
  const [locale, setLocale] = useState<AutomatedLanguage | null>(null);
  const shownLocale: AutomatedLanguage = locale ?? state.info?.language ?? (globalThis.navigator?.language?.toLowerCase().startsWith('zh') ? 'zh' : 'en');
  const t: T = (key, params) => candidateText(shownLocale, key, params);

  useEffect(() => {
    const token = tokenFromLocation(window.location.hash);
    const current = new CandidateController({
      token,
      dispatch,
      createSocket: () => io({ autoConnect: false, transports: ['websocket', 'polling'] }) as CandidateSocket,
      openCapture: openBrowserCapture,
      speech: createBrowserSpeechOutput(),
      levels,
    });
    controller.current = current;
    if (token === '') dispatch({ type: 'failed', error: { code: 'link-invalid', message: 'no token in the link' } });
    else void current.join();
    return () => {
      current.dispose();
      if (controller.current === current) controller.current = null;
    };
  }, [levels]);

  useEffect(() => {
    document.documentElement.lang = shownLocale === 'zh' ? 'zh-CN' : 'en';
    document.title = shownLocale === 'zh' ? 'Viva — AI 面试' : 'Viva — AI interview';
  }, [shownLocale]);

  const openMic = useRef(() => void controller.current?.openMic()).current;

  return (
    <div className="cand">
      <header className="cand-header">
        <span className="brand__name">Viva</span>
        <span className="cand-muted">{t('brand.tagline')}</span>
        <button type="button" className="button button--small button--ghost cand-header__lang" data-testid="candidate-language" onClick={() => setLocale(shownLocale === 'en' ? 'zh' : 'en')}>
          {t('switchLanguage')}
        </button>
      </header>
      <main className="cand-main">
        {state.screen === 'loading' && <p className="cand-muted">{t('loading')}</p>}
        {state.screen === 'error' && <ErrorScreen state={state} t={t} />}
        {state.screen === 'consent' && <ConsentScreen state={state} t={t} onAgree={() => void controller.current?.consent(shownLocale)} />}
        {state.screen === 'mic' && <MicScreen state={state} t={t} levels={levels} onOpen={openMic} onStart={() => void controller.current?.begin()} />}
        {state.screen === 'live' && <LiveScreen state={state} t={t} levels={levels} />}
        {state.screen === 'ended' && <EndedScreen state={state} t={t} />}
        {state.screen !== 'error' && state.error && (
          <p className="cand-inline-error" role="alert" data-testid="candidate-inline-error" data-code={state.error.code}>
            {t('error.generic', { message: state.error.message })}
          </p>
        )}
      </main>
    </div>
  );
}
