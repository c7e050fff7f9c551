import { useState } from 'react';
import { openBrowserCapture } from './audio/browser-capture.ts';
import { createPrepApi, type PrepApi } from './api/prep-api.ts';
import { AutomatedScreen } from './components/automated-screen.tsx';
import { Banners } from './components/banners.tsx';
import { ScreeningScreen } from './components/screening-screen.tsx';
import { emptyPrepareDraft, PrepareScreen, type PrepareDraft } from './components/prepare-screen.tsx';
import { LiveScreen } from './components/live-screen.tsx';
import { ReviewScreen } from './components/review-screen.tsx';
import { SetupScreen } from './components/setup-screen.tsx';
import { I18nProvider, useI18n } from './i18n/i18n.tsx';
import { useInterviewSession, type InterviewSession } from './session/use-interview-session.ts';
import type { ConnectionStatus, Phase } from './state/interview-reducer.ts';
import { applyPreparation, defaultSetupForm, toSessionContext, type SetupForm, type SetupIssue } from './state/setup-form.ts';

/** Screens reachable from the navigation while no interview is running. */
export type AppScreen = 'interview' | 'prepare' | 'screening' | 'automated';
const SCREENS: AppScreen[] = ['interview', 'prepare', 'screening', 'automated'];

function Nav({ screen, onSelect }: { screen: AppScreen; onSelect: (screen: AppScreen) => void }) {
  const { t } = useI18n();
  return (
    <nav className="nav" aria-label={t('nav.label')}>
      {SCREENS.map((name) => (
        <button
          key={name}
          type="button"
          className={`nav__item ${screen === name ? 'nav__item--current' : ''}`}
          aria-current={screen === name ? 'page' : undefined}
          data-testid={`nav-${name}`}
          onClick={() => onSelect(name)}
        >
          {t(`nav.${name}`)}
        </button>
      ))}
    </nav>
  );
}

function Header({ phase, connection }: { phase: Phase; connection: ConnectionStatus }) {
  const { t, locale, setLocale } = useI18n();
  const step = phase === 'setup' || phase === 'starting' ? 'setup' : phase === 'review' ? 'review' : 'live';
  return (
    <header className="header">
      <div className="brand">
        <span className="brand__name">Viva</span>
        <span className="brand__tagline">{t('app.tagline')}</span>
      </div>
      <ol className="steps" aria-label="progress">
        {(['setup', 'live', 'review'] as const).map((name) => (
          <li key={name} className={`steps__step ${step === name ? 'steps__step--current' : ''}`} aria-current={step === name ? 'step' : undefined}>
            {t(`header.phase.${name}`)}
          </li>
        ))}
      </ol>
      <div className="header__end">
        {connection !== 'idle' && <span className={`link-dot link-dot--${connection}`} data-testid="connection-status" data-status={connection} title={connection} />}
        <button
          type="button"
          className="button button--small button--ghost"
          data-testid="language-switch"
          lang={locale === 'en' ? 'zh' : 'en'}
          aria-label={t('header.switchLanguageLabel')}
          onClick={() => setLocale(locale === 'en' ? 'zh' : 'en')}
        >
          {t('header.switchLanguage')}
        </button>
      </div>
    </header>
  );
}

/** Renders the screen of the current phase from a session (real or demo). */
export function AppView({
  session,
  api: givenApi,
  initialScreen = 'interview',
  initialDraft,
}: {
  session: InterviewSession;
  api?: PrepApi;
  initialScreen?: AppScreen;
  initialDraft?: PrepareDraft;
}) {
  const { t, locale } = useI18n();
  const { state } = session;
  const [api] = useState<PrepApi>(() => givenApi ?? createPrepApi());
  const [screen, setScreen] = useState<AppScreen>(initialScreen);
  const [draft, setDraft] = useState<PrepareDraft>(() => initialDraft ?? emptyPrepareDraft(locale));
  // Other screens are reachable only between interviews; a running interview always shows its own screen.
  const idle = state.phase === 'setup';
  const shown: AppScreen = idle ? screen : 'interview';
  const [form, setForm] = useState<SetupForm>(() =>
    defaultSetupForm([t('rubric.default.technical'), t('rubric.default.clarity'), t('rubric.default.problemSolving')]),
  );
  const [issues, setIssues] = useState<SetupIssue[]>([]);

  const start = () => {
    const result = toSessionContext(form);
    if (!result.ok) {
      setIssues(result.issues);
      return;
    }
    setIssues([]);
    void session.start({ context: result.context, language: form.language, captureMode: form.captureMode });
  };

  return (
    <div className="app">
      <Header phase={state.phase} connection={state.connection} />
      <Banners state={state} />
      {idle && <Nav screen={screen} onSelect={setScreen} />}
      <main className="main">
        {/* Kept mounted while hidden, so results and a screening's polling survive switching screens. */}
        <div hidden={shown !== 'prepare'}>
          <PrepareScreen
            api={api}
            draft={draft}
            onDraftChange={setDraft}
            onUseInSetup={(preparation) => {
              setForm((current) => applyPreparation(current, preparation));
              setScreen('interview');
            }}
          />
        </div>
        <div hidden={shown !== 'screening'}>
          <ScreeningScreen api={api} />
        </div>
        <div hidden={shown !== 'automated'}>
          <AutomatedScreen api={api} seed={() => ({ role: form.role, jobDescription: form.jobDescription, questions: form.questions })} />
        </div>
        {shown === 'interview' && (state.phase === 'setup' || state.phase === 'starting') && (
          <SetupScreen form={form} onChange={setForm} onStart={start} starting={state.phase === 'starting'} startError={state.startError} issues={issues} />
        )}
        {(state.phase === 'live' || state.phase === 'stopping') && (
          <LiveScreen
            state={state}
            levels={session.levels}
            onStop={() => void session.stop()}
            onRetry={(turnId) => void session.retryAnalysis(turnId)}
            onFlipRole={session.flipRole}
            onSetCovered={session.setQuestionCovered}
          />
        )}
        {state.phase === 'review' && (
          <ReviewScreen state={state} api={api} onNewInterview={() => void session.reset()} onRetry={(turnId) => void session.retryAnalysis(turnId)} />
        )}
      </main>
    </div>
  );
}

function RealApp() {
  const session = useInterviewSession({ openCapture: openBrowserCapture });
  return <AppView session={session} />;
}

/** The interviewer's screen. */
export function App() {
  return (
    <I18nProvider>
      <RealApp />
    </I18nProvider>
  );
}
