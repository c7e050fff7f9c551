import { Fragment, useState } from 'react';
import type { Account } from '../auth/auth-gate.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import type { ConnectionStatus, Phase } from '../state/interview-reducer.ts';

/** Screens reachable from the navigation while no interview is running. */
export type AppScreen = 'prepare' | 'interview' | 'screening' | 'automated' | 'interviews';
/** In the order a recruiter works: screen many resumes, prepare one candidate, interview, or send an AI interview; then review. */
const SCREENS: AppScreen[] = ['screening', 'prepare', 'interview', 'automated', 'interviews'];

/**
 * The header: brand, the navigation between screens (real tabs; the current one is highlighted, and the interview's
 * tab names its phase once it is live or in review, when the other screens are out of reach), connection, language.
 */
export function AppHeader({
  screen,
  phase,
  connection,
  account,
  onSelect,
}: {
  screen: AppScreen;
  phase: Phase;
  connection: ConnectionStatus;
  account?: Account;
  onSelect: (screen: AppScreen) => void;
}) {
  const { t, locale, setLocale } = useI18n();
  // Between interviews every screen is reachable; during and after one, the interview's own screen stays until "New interview".
  const locked = phase !== 'setup';
  const current: AppScreen = locked ? 'interview' : screen;
  const phaseLabel = phase === 'live' || phase === 'stopping' ? t('header.phase.live') : phase === 'review' ? t('header.phase.review') : null;
  return (
    <header className="header">
      <div className="brand">
        <span className="brand__name">Viva</span>
        <span className="brand__tagline">{t('app.tagline')}</span>
      </div>
      <nav className="nav" aria-label={t('nav.label')}>
        {SCREENS.map((name) => (
          <button
            key={name}
            type="button"
            className={`nav__item ${current === name ? 'nav__item--current' : ''}`}
            aria-current={current === name ? 'page' : undefined}
            data-testid={`nav-${name}`}
            disabled={locked && name !== 'interview'}
            title={locked && name !== 'interview' ? t('nav.lockedHint') : undefined}
            onClick={() => onSelect(name)}
          >
            {t(`nav.${name}`)}
            {name === 'interview' && phaseLabel && (
              <span className="nav__phase" data-testid="nav-phase">
                {phaseLabel}
              </span>
            )}
          </button>
        ))}
      </nav>
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
        {account && (
          <button
            type="button"
            className="button button--small button--ghost"
            data-testid="sign-out"
            title={t('auth.signedInAs', { name: account.user.name })}
            // Signing out mid-interview would cut the live session: only between interviews.
            disabled={locked && phase !== 'review'}
            onClick={account.signOut}
          >
            {t('auth.signOut')} ({account.user.name})
          </button>
        )}
      </div>
    </header>
  );
}

const HINT_KEY = 'viva.firstRunHintDismissed';

function hintDismissed(): boolean {
  try {
    return globalThis.localStorage?.getItem(HINT_KEY) === '1';
  } catch {
    return false;
  }
}

/** A short "where to start" for a first visit, with links to the screens; dismissed once and remembered. */
export function FirstRunHint({ onSelect }: { onSelect: (screen: AppScreen) => void }) {
  const { t, locale } = useI18n();
  const [hidden, setHidden] = useState(hintDismissed);
  if (hidden) return null;
  const dismiss = () => {
    setHidden(true);
    try {
      globalThis.localStorage?.setItem(HINT_KEY, '1');
    } catch {
      // Showing the hint again next time is harmless.
    }
  };
  const link = (screen: AppScreen) => (
    <button type="button" className="link-button" data-testid={`hint-${screen}`} onClick={() => onSelect(screen)}>
      {t(`nav.${screen}`)}
    </button>
  );
  return (
    <aside className="first-run" data-testid="first-run-hint" aria-label={t('hint.label')}>
      <p>
        {/* Chinese runs words together; English needs the spaces. */}
        {[<strong key="title">{t('hint.title')}</strong>, t('hint.interview'), t('hint.before'), link('prepare'), t('hint.prepare'), link('screening'), t('hint.screening'), link('automated'), t('hint.automated')].map(
          (part, index) => (
            <Fragment key={index}>
              {index > 0 && locale === 'en' ? ' ' : ''}
              {part}
            </Fragment>
          ),
        )}
      </p>
      <button type="button" className="icon-button" data-testid="hint-dismiss" aria-label={t('hint.dismiss')} title={t('hint.dismiss')} onClick={dismiss}>
        ×
      </button>
    </aside>
  );
}
