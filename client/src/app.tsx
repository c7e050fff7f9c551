import { useState } from 'react';
import { openBrowserCapture } from './audio/browser-capture.ts';
import { AuthGate, type Account } from './auth/auth-gate.tsx';
import { createPrepApi, type PrepApi } from './api/prep-api.ts';
import { AppHeader, FirstRunHint, type AppScreen } from './components/app-header.tsx';
import { AutomatedScreen } from './components/automated-screen.tsx';
import { Banners } from './components/banners.tsx';
import { LiveScreen } from './components/live-screen.tsx';
import { PrepareScreen } from './components/prepare-screen.tsx';
import { ReviewScreen } from './components/review-screen.tsx';
import { ScreeningScreen } from './components/screening-screen.tsx';
import { SetupScreen } from './components/setup-screen.tsx';
import { I18nProvider, useI18n } from './i18n/i18n.tsx';
import { useAutomatedSession } from './session/use-automated-session.ts';
import { useInterviewSession, type InterviewSession } from './session/use-interview-session.ts';
import { usePrepareSession } from './session/use-prepare-session.ts';
import { useScreeningSession } from './session/use-screening-session.ts';
import { useSetupSession } from './session/use-setup-session.ts';
import { emptyPrepareDraft, type PrepareDraft } from './state/prepare-reducer.ts';
import { defaultSetupForm } from './state/setup-form.ts';
import { isWorkspacePath, pathForScreen } from './workspace/route.ts';
import { WorkspaceScreen } from './workspace/workspace-screen.tsx';

export type { AppScreen } from './components/app-header.tsx';

/** Renders the screen of the current phase from a session (real or demo); every screen's state lives in its own hook here, so switching screens loses nothing. */
export function AppView({
  session,
  api: givenApi,
  initialScreen = 'interview',
  initialDraft,
  pollIntervalMs,
  account,
}: {
  session: InterviewSession;
  /** The signed-in account (its name and sign-out in the header); absent in tests and demos. */
  account?: Account;
  api?: PrepApi;
  initialScreen?: AppScreen;
  initialDraft?: PrepareDraft;
  /** Screening and AI interview status polls (tests make them fast). */
  pollIntervalMs?: number;
}) {
  const { t, locale } = useI18n();
  const { state } = session;
  const [api] = useState<PrepApi>(() => givenApi ?? createPrepApi());
  const [screen, setScreen] = useState<AppScreen>(initialScreen);
  const setup = useSetupSession(api, () => defaultSetupForm());
  const prepare = usePrepareSession(api, () => initialDraft ?? emptyPrepareDraft(locale));
  const screening = useScreeningSession(api, pollIntervalMs);
  const automated = useAutomatedSession(api, locale, pollIntervalMs);
  // Other screens are reachable only between interviews; a running interview always shows its own screen.
  const shown: AppScreen = state.phase === 'setup' ? screen : 'interview';

  const start = () => {
    const context = setup.actions.validate(locale);
    if (!context) return;
    void session.start({ context, language: setup.state.form.language, captureMode: setup.state.form.captureMode });
  };

  return (
    <div className="app">
      <AppHeader
        screen={shown}
        phase={state.phase}
        connection={state.connection}
        {...(account ? { account } : {})}
        onSelect={(next) => {
          pathForScreen(next === 'interviews');
          setScreen(next);
        }}
      />
      <Banners state={state} />
      <main className="main">
        {shown === 'interview' && state.phase === 'setup' && <FirstRunHint onSelect={setScreen} />}
        {shown === 'prepare' && (
          <PrepareScreen
            session={prepare}
            onUseInSetup={(preparation) => {
              setup.actions.applyPreparation({ ...preparation, title: preparation.role.trim() ? t('prep.defaultTitle', { role: preparation.role.trim() }) : undefined });
              setScreen('interview');
            }}
          />
        )}
        {shown === 'screening' && <ScreeningScreen session={screening} api={api} />}
        {shown === 'interviews' && <WorkspaceScreen prepApi={api} />}
        {shown === 'automated' && <AutomatedScreen session={automated} api={api} seed={() => setup.actions.form()} />}
        {shown === 'interview' && (state.phase === 'setup' || state.phase === 'starting') && (
          <SetupScreen session={setup} onStart={start} starting={state.phase === 'starting'} startError={state.startError} />
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

function RealApp({ account }: { account: Account }) {
  // Mounted only once signed in: the socket's handshake then carries the session cookie.
  const session = useInterviewSession({ openCapture: openBrowserCapture });
  // `/interviews` and `/interviews/:id` open the workspace, so its links survive a reload.
  return <AppView session={session} account={account} initialScreen={isWorkspacePath(window.location.pathname) ? 'interviews' : 'interview'} />;
}

/** The interviewer's screen, behind the sign-in. */
export function App() {
  return (
    <I18nProvider>
      <AuthGate>{(account) => <RealApp account={account} />}</AuthGate>
    </I18nProvider>
  );
}
