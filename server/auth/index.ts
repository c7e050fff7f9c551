/** Accounts wired together: the one call `createApp` makes (the account tables, the REST gate and routes, the socket check). */
import type { Express } from 'express';
import { createDatabase } from '../store/database.ts';
import { createAccessGuard } from '../http/access-guard.ts';
import { authGate } from '../http/auth-gate.ts';
import { createAuthRoutes } from '../http/auth-routes.ts';
import type { HostPolicy } from '../http/host-check.ts';
import { RateLimiter } from '../http/rate-limit.ts';
import type { Logger } from '../logger.ts';
import type { VivaIo } from '../session/socket-emitter.ts';
import { createAccess, type Access } from './access.ts';
import { createAuthStore, type AuthStore } from './auth-store.ts';
import { socketAuth } from './socket-auth.ts';

export type { Access, Caller } from './access.ts';
export type { AuthStore, User, UserRole } from './auth-store.ts';

/** Settings of accounts. */
export interface AuthOptions {
  /**
   * Refuse callers without an account (default true). False only keeps a caller-less request or socket working as it
   * did before accounts (a tool that does not sign in yet); signed-in callers are scoped either way.
   */
  enforce?: boolean;
  /** How long a sign-in lasts (default 12 h). */
  sessionTtlMs?: number;
  /** Sign-in attempts per client address per minute (default 10). */
  loginAttemptsPerMinute?: number;
}

/** The accounts of one app. */
export interface AppAuth {
  store: AuthStore;
  access: Access;
  /** Installs the `/api` gate, the sign-in routes and the ownership guard (before every other `/api` router). */
  install(app: Express): void;
  /** Adds the handshake check and the per-packet guard to the Socket.IO server. */
  installSockets(io: VivaIo): void;
  close(): void;
}

/** What `buildAuth` needs from the app. */
export interface BuildAuthDeps {
  /** The database file (the repository's); none: accounts in memory (an app without storage). */
  dbPath?: string;
  hosts: HostPolicy;
  logger: Logger;
  /** LLM-backed REST calls per user per minute. */
  llmCallsPerUserPerMinute: number;
  /** Session cookies are `Secure` (an https `VIVA_PUBLIC_URL`). */
  secureCookies: boolean;
  options?: AuthOptions;
}

/** Opens the account tables (on their own connection to the same SQLite file) and builds the checks on them. */
export function buildAuth(deps: BuildAuthDeps): AppAuth {
  const db = createDatabase(deps.dbPath ?? ':memory:');
  const enforce = deps.options?.enforce ?? true;
  const store = createAuthStore(db, deps.options?.sessionTtlMs === undefined ? {} : { sessionTtlMs: deps.options.sessionTtlMs });
  const access = createAccess(db);
  const userLlmLimiter = new RateLimiter(deps.llmCallsPerUserPerMinute, 60_000);
  const loginLimiter = new RateLimiter(deps.options?.loginAttemptsPerMinute ?? 10, 60_000);
  return {
    store,
    access,
    install(app) {
      app.use('/api', authGate(store, { userLlmLimiter, enforce }));
      app.use('/api', createAuthRoutes({ store, hosts: deps.hosts, loginLimiter, secureCookies: deps.secureCookies, logger: deps.logger }));
      app.use('/api', createAccessGuard(access, store));
    },
    installSockets(io) {
      io.use(socketAuth(store, access, enforce));
    },
    close() {
      db.close();
    },
  };
}
