/**
 * Signing tests in. `signIn(app)` creates a user (an admin unless `role` says otherwise) through the app's own account
 * store and an API token for it, and returns a `fetch` that sends it as `Authorization: Bearer …` and the Socket.IO
 * `auth` option. `browserSession(app, user)` makes a session cookie (and its CSRF token) for a browser test.
 */
import type { VivaApp } from '../../server/app.ts';
import { createAuthStore } from '../../server/auth/auth-store.ts';
import type { User, UserRole } from '../../server/auth/index.ts';
import { SESSION_COOKIE } from '../../server/http/auth-gate.ts';
import { createDatabase } from '../../server/store/database.ts';
import { dataPaths } from '../../server/store/paths.ts';

/** A signed-in test caller. */
export interface TestCaller {
  user: User;
  /** The caller's password (12+ characters). */
  password: string;
  token: string;
  /** `{ authorization: 'Bearer …' }`, to merge into request headers. */
  headers: Record<string, string>;
  /** The global fetch with the caller's token. */
  fetch: typeof fetch;
  /** The Socket.IO client option: `io(url, { auth: caller.socketAuth })`. */
  socketAuth: { token: string };
}

let counter = 0;

/** Creates a user with `role` (default admin) and a token; the name defaults to a fresh one. */
export async function signIn(app: Pick<VivaApp, 'auth'>, options: { name?: string; role?: UserRole; password?: string } = {}): Promise<TestCaller> {
  const password = options.password ?? 'correct horse battery staple';
  const user = await app.auth.store.createUser({ name: options.name ?? `tester-${process.pid}-${++counter}`, role: options.role ?? 'admin', password });
  const { token } = app.auth.store.createToken(user.id, 'test');
  const headers = { authorization: `Bearer ${token}` };
  return { user, password, token, headers, fetch: withToken(token), socketAuth: { token } };
}

/** A fetch that sends `token` as a Bearer token on every request (headers the caller passes are kept). */
export function withToken(token: string): typeof fetch {
  return (input, init = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
}

/** A browser session of `user`: the cookie to set (name, value) and the CSRF token its requests send. */
export function browserSession(app: Pick<VivaApp, 'auth'>, user: User): { name: string; value: string; csrfToken: string; cookieHeader: string } {
  const session = app.auth.store.createSession(user.id);
  return { name: SESSION_COOKIE, value: session.secret, csrfToken: session.csrfToken, cookieHeader: `${SESSION_COOKIE}=${session.secret}` };
}

/** An admin and a token written straight into a data folder's database (a server started later as a process uses it). */
export async function tokenInDataDir(dataDir: string): Promise<{ token: string }> {
  const db = createDatabase(dataPaths(dataDir).dbPath);
  try {
    const store = createAuthStore(db);
    const user = await store.createUser({ name: `admin-${process.pid}-${++counter}`, role: 'admin', password: 'correct horse battery staple' });
    return { token: store.createToken(user.id, 'test').token };
  } finally {
    db.close();
  }
}
