/**
 * Accounts in SQLite (tables of migration 3): users, browser sessions, API tokens. Secrets are never stored: a session
 * id and a token are kept as their SHA-256, a password as its scrypt hash.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { hashPassword, passwordProblem, randomSecret, secretHash, verifyPassword } from './passwords.ts';

/** What a user may do: admins see and manage everything; recruiters and interviewers see what they own or was shared. */
export type UserRole = 'admin' | 'recruiter' | 'interviewer';
/** Every role, in the order the CLI lists them. */
export const USER_ROLES: readonly UserRole[] = ['admin', 'recruiter', 'interviewer'];

/** A user as the rest of the server sees it (never the hash). */
export interface User {
  id: string;
  name: string;
  role: UserRole;
  createdAtMs: number;
}

/** A refused account operation (`code` says why). */
export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    readonly code: 'invalid-input' | 'name-taken' | 'unknown-user' | 'setup-done',
    message: string,
  ) {
    super(message);
  }
}

/** A new browser session: `secret` goes into the cookie, `csrfToken` to the page. */
export interface NewSession {
  secret: string;
  csrfToken: string;
  expiresAtMs: number;
}

/** The account tables. */
export interface AuthStore {
  /** True once any user exists (the first-admin screen is offered only before). */
  hasUsers(): boolean;
  /** Creates a user; `firstOnly` refuses when any user exists (the first-admin screen), inside the same transaction. */
  createUser(input: { name: string; role: UserRole; password: string }, options?: { firstOnly?: boolean }): Promise<User>;
  findUser(name: string): User | null;
  getUser(id: string): User | null;
  listUsers(): User[];
  /** Disables (or enables again) a user: a disabled user's sessions end and their tokens stop working; false if unknown. */
  setDisabled(name: string, disabled: boolean): boolean;
  /** Sets a new password and ends the user's sessions; false if unknown. */
  setPassword(name: string, password: string): Promise<boolean>;
  /** The user when the name and password match an enabled account (a wrong name costs the same time as a wrong password). */
  verifyLogin(name: string, password: string): Promise<User | null>;
  createSession(userId: string): NewSession;
  /** The session's user and CSRF token when the cookie secret names an unexpired session. */
  sessionOf(secret: string): { user: User; csrfToken: string; expiresAtMs: number } | null;
  endSession(secret: string): void;
  /** Creates an API token; the returned secret is shown once and only its hash is kept. */
  createToken(userId: string, name: string): { id: string; token: string };
  /** The token's user when it is known and not revoked. */
  userOfToken(token: string): User | null;
  revokeToken(id: string): boolean;
  listTokens(userId?: string): { id: string; name: string; userId: string; createdAtMs: number; revokedAtMs: number | null }[];
}

interface UserRow {
  id: string;
  name: string;
  role: UserRole;
  password_hash: string | null;
  created_at: number;
  disabled_at: number | null;
}

const toUser = (row: UserRow): User => ({ id: row.id, name: row.name, role: row.role, createdAtMs: row.created_at });

/** A user name: 1-64 characters, letters, digits and `._@-` (it appears in logs and the CLI). */
export function userNameProblem(name: string): string | undefined {
  return /^[\p{L}\p{N}._@-]{1,64}$/u.test(name) ? undefined : 'a user name has 1-64 letters, digits or . _ @ -';
}

/** Hash compared against when the user does not exist, so a wrong name is not faster than a wrong password. */
let decoyHash: Promise<string> | undefined;

/** The account tables of an open database (migrated). `sessionTtlMs`: how long a sign-in lasts (default 12 h). */
export function createAuthStore(db: Database.Database, options: { now?: () => number; sessionTtlMs?: number } = {}): AuthStore {
  const now = options.now ?? Date.now;
  const sessionTtlMs = options.sessionTtlMs ?? 12 * 3600_000;
  const s = {
    count: db.prepare('SELECT EXISTS (SELECT 1 FROM users) AS n'),
    insertUser: db.prepare('INSERT INTO users (id, name, role, password_hash, created_at) VALUES (@id, @name, @role, @hash, @now)'),
    byName: db.prepare('SELECT * FROM users WHERE name = ?'),
    byId: db.prepare('SELECT * FROM users WHERE id = ?'),
    all: db.prepare('SELECT * FROM users ORDER BY created_at, name'),
    insertSession: db.prepare('INSERT INTO auth_sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
    session: db.prepare(`SELECT u.*, s.csrf_token, s.expires_at FROM auth_sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL`),
    deleteSession: db.prepare('DELETE FROM auth_sessions WHERE id_hash = ?'),
    purgeSessions: db.prepare('DELETE FROM auth_sessions WHERE expires_at <= ?'),
    endSessionsOf: db.prepare('DELETE FROM auth_sessions WHERE user_id = ?'),
    disable: db.prepare('UPDATE users SET disabled_at = @at WHERE name = @name'),
    password: db.prepare('UPDATE users SET password_hash = ? WHERE id = ?'),
    insertToken: db.prepare('INSERT INTO api_tokens (id, token_hash, name, user_id, created_at) VALUES (?, ?, ?, ?, ?)'),
    token: db.prepare(`SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled_at IS NULL`),
    revokeToken: db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    tokens: db.prepare('SELECT id, name, user_id, created_at, revoked_at FROM api_tokens WHERE (@user IS NULL OR user_id = @user) ORDER BY created_at'),
  };
  const hasUsers = (): boolean => (s.count.get() as { n: number }).n === 1;
  const getUser = (id: string): User | null => {
    const row = s.byId.get(id) as UserRow | undefined;
    return row ? toUser(row) : null;
  };

  return {
    hasUsers,
    async createUser(input, createOptions = {}) {
      const problem = userNameProblem(input.name) ?? passwordProblem(input.password);
      if (problem) throw new AuthError('invalid-input', problem);
      const hash = await hashPassword(input.password);
      const id = randomUUID();
      db.transaction(() => {
        if (createOptions.firstOnly && hasUsers()) throw new AuthError('setup-done', 'an account already exists: sign in instead');
        if (s.byName.get(input.name)) throw new AuthError('name-taken', `a user named "${input.name}" already exists`);
        s.insertUser.run({ id, name: input.name, role: input.role, hash, now: now() });
      }).immediate();
      const created = getUser(id);
      if (!created) throw new Error(`user ${id} vanished right after insert`);
      return created;
    },
    findUser(name) {
      const row = s.byName.get(name) as UserRow | undefined;
      return row ? toUser(row) : null;
    },
    getUser,
    listUsers: () => (s.all.all() as UserRow[]).map(toUser),
    setDisabled(name, disabled) {
      const row = s.byName.get(name) as UserRow | undefined;
      if (!row) return false;
      db.transaction(() => {
        s.disable.run({ name, at: disabled ? now() : null });
        if (disabled) s.endSessionsOf.run(row.id);
      })();
      return true;
    },
    async setPassword(name, password) {
      const problem = passwordProblem(password);
      if (problem) throw new AuthError('invalid-input', problem);
      const row = s.byName.get(name) as UserRow | undefined;
      if (!row) return false;
      const hash = await hashPassword(password);
      db.transaction(() => {
        s.password.run(hash, row.id);
        s.endSessionsOf.run(row.id);
      })();
      return true;
    },
    async verifyLogin(name, password) {
      const row = s.byName.get(name) as UserRow | undefined;
      if (!row?.password_hash || row.disabled_at !== null) {
        decoyHash ??= hashPassword(randomSecret(''));
        await verifyPassword(password, await decoyHash);
        return null;
      }
      return (await verifyPassword(password, row.password_hash)) ? toUser(row) : null;
    },
    createSession(userId) {
      const secret = randomSecret('vs_');
      const csrfToken = randomSecret('');
      const nowMs = now();
      s.purgeSessions.run(nowMs);
      s.insertSession.run(secretHash(secret), userId, csrfToken, nowMs, nowMs + sessionTtlMs);
      return { secret, csrfToken, expiresAtMs: nowMs + sessionTtlMs };
    },
    sessionOf(secret) {
      const row = s.session.get(secretHash(secret), now()) as (UserRow & { csrf_token: string; expires_at: number }) | undefined;
      return row ? { user: toUser(row), csrfToken: row.csrf_token, expiresAtMs: row.expires_at } : null;
    },
    endSession(secret) {
      s.deleteSession.run(secretHash(secret));
    },
    createToken(userId, name) {
      if (!getUser(userId)) throw new AuthError('unknown-user', `no user ${userId}`);
      const token = randomSecret('vt_');
      const id = randomUUID();
      s.insertToken.run(id, secretHash(token), name, userId, now());
      return { id, token };
    },
    userOfToken(token) {
      const row = s.token.get(secretHash(token)) as UserRow | undefined;
      return row ? toUser(row) : null;
    },
    revokeToken: (id) => s.revokeToken.run(now(), id).changes > 0,
    listTokens: (userId) =>
      (s.tokens.all({ user: userId ?? null }) as { id: string; name: string; user_id: string; created_at: number; revoked_at: number | null }[]).map((row) => ({
        id: row.id,
        name: row.name,
        userId: row.user_id,
        createdAtMs: row.created_at,
        revokedAtMs: row.revoked_at,
      })),
  };
}
