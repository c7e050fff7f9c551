import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { SignedIn, SignedOut, type PublicUser } from '../../../protocol/auth.ts';
import { csrfHeaders, setCsrfToken } from '../api/csrf.ts';
import { useI18n } from '../i18n/i18n.tsx';

/** The signed-in account as the screens see it. */
export interface Account {
  user: PublicUser;
  signOut(): void;
}

type AuthState = { kind: 'checking' } | { kind: 'signed-out'; setupRequired: boolean } | { kind: 'signed-in'; user: PublicUser };

/** Asks the server who is signed in (the httpOnly cookie is invisible to scripts). */
async function whoAmI(): Promise<AuthState> {
  const response = await fetch('/api/auth/me', { credentials: 'same-origin' });
  const body: unknown = await response.json().catch(() => null);
  const signedIn = SignedIn.safeParse(body);
  if (response.ok && signedIn.success) {
    setCsrfToken(signedIn.data.csrfToken);
    return { kind: 'signed-in', user: signedIn.data.user };
  }
  const signedOut = SignedOut.safeParse(body);
  return { kind: 'signed-out', setupRequired: signedOut.success && signedOut.data.setupRequired };
}

/** Shows the sign-in screen (or the first admin's) until someone is signed in, then the app with its account. */
export function AuthGate({ children }: { children: (account: Account) => ReactNode }) {
  const [state, setState] = useState<AuthState>({ kind: 'checking' });
  const { t } = useI18n();
  useEffect(() => {
    whoAmI().then(setState, () => setState({ kind: 'signed-out', setupRequired: false }));
  }, []);
  if (state.kind === 'checking') return <p className="auth-checking">{t('auth.checking')}</p>;
  if (state.kind === 'signed-out') {
    return (
      <SignInScreen
        setupRequired={state.setupRequired}
        onSignedIn={(signedIn) => {
          setCsrfToken(signedIn.csrfToken);
          setState({ kind: 'signed-in', user: signedIn.user });
        }}
      />
    );
  }
  const signOut = () => {
    void fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin', headers: csrfHeaders('POST') }).finally(() => {
      setCsrfToken(null);
      // A fresh page drops the socket and every screen's state with the session.
      window.location.assign(window.location.pathname);
    });
  };
  return <>{children({ user: state.user, signOut })}</>;
}

/** The sign-in form; before any account exists, the form that creates the first admin. */
export function SignInScreen({ setupRequired, onSignedIn }: { setupRequired: boolean; onSignedIn: (signedIn: SignedIn) => void }) {
  const { t, locale, setLocale } = useI18n();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (setupRequired && password !== again) return setError(t('auth.mismatch'));
    setBusy(true);
    setError(null);
    try {
      const response = await fetch(setupRequired ? '/api/auth/setup' : '/api/auth/login', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: name.trim(), password }),
      });
      const body: unknown = await response.json().catch(() => null);
      const signedIn = SignedIn.safeParse(body);
      if (response.ok && signedIn.success) return onSignedIn(signedIn.data);
      const message = (body as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${response.status}`;
      setError(response.status === 401 ? t('auth.wrong') : t('auth.failed', { message }));
    } catch (caught) {
      setError(t('auth.failed', { message: caught instanceof Error ? caught.message : String(caught) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth" data-testid="sign-in-screen">
      <form className="auth__form" onSubmit={(event) => void submit(event)} aria-labelledby="auth-title">
        <h1 id="auth-title">{setupRequired ? t('auth.setupTitle') : t('auth.title')}</h1>
        {setupRequired && <p className="auth__intro">{t('auth.setupIntro')}</p>}
        <label className="field">
          <span>{t('auth.name')}</span>
          <input data-testid="sign-in-name" autoComplete="username" required autoFocus value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <label className="field">
          <span>{t('auth.password')}</span>
          <input
            data-testid="sign-in-password"
            type="password"
            autoComplete={setupRequired ? 'new-password' : 'current-password'}
            required
            minLength={setupRequired ? 12 : undefined}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        {setupRequired && (
          <label className="field">
            <span>{t('auth.passwordAgain')}</span>
            <input data-testid="sign-in-password-again" type="password" autoComplete="new-password" required value={again} onChange={(event) => setAgain(event.target.value)} />
            <small>{t('auth.passwordHint')}</small>
          </label>
        )}
        {error && (
          <p className="auth__error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        )}
        <div className="auth__actions">
          <button type="submit" className="button" data-testid="sign-in-submit" disabled={busy}>
            {setupRequired ? t('auth.setupSubmit') : t('auth.submit')}
          </button>
          <button type="button" className="button button--ghost button--small" lang={locale === 'en' ? 'zh' : 'en'} onClick={() => setLocale(locale === 'en' ? 'zh' : 'en')}>
            {t('header.switchLanguage')}
          </button>
        </div>
      </form>
    </main>
  );
}
