/**
 * Deny by default: every request under `/api` needs a signed-in caller — a session cookie (browser) or
 * `Authorization: Bearer <token>` (scripts) — unless its method and path are on the short public list below. A route
 * added later is therefore refused until it is listed here on purpose. Cookie-authenticated requests that change
 * state must also carry the session's CSRF token in `X-CSRF-Token` (a foreign page can neither read it nor set the
 * header without a CORS preflight, which Viva never answers).
 */
import type { RequestHandler, Response } from 'express';
import { CSRF_HEADER_NAME } from '../../protocol/auth.ts';
import type { Caller } from '../auth/access.ts';
import type { AuthStore } from '../auth/auth-store.ts';
import { sameSecret } from '../auth/passwords.ts';
import { LLM_ROUTES, retryAfterSeconds, type RateLimiter } from './rate-limit.ts';

/** The browser session cookie. */
export const SESSION_COOKIE = 'viva_session';
/** The header a cookie-authenticated state-changing request must carry. */
export const CSRF_HEADER = CSRF_HEADER_NAME.toLowerCase();

/** Routes answered without a caller: method and path under `/api` (each one handles its own checks). */
export const PUBLIC_API_ROUTES: readonly string[] = ['GET /auth/me', 'POST /auth/login', 'POST /auth/setup'];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The caller the gate found, or undefined (public routes only). */
export function callerOf(res: Response): Caller | undefined {
  return res.locals.caller as Caller | undefined;
}

/** The cookie's value from a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return decodeURIComponent(part.slice(index + 1).trim());
  }
  return undefined;
}

/** Who sent a request or a handshake: a Bearer token first, then the session cookie. */
export function identify(
  store: AuthStore,
  headers: { authorization?: string | undefined; cookie?: string | undefined },
  token?: unknown,
): (Caller & { csrfToken?: string }) | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1] ?? (typeof token === 'string' ? token : undefined);
  if (bearer !== undefined) {
    const user = store.userOfToken(bearer);
    // A wrong token is no caller at all, even if a cookie is there too: scripts should hear that their token is bad.
    return user ? { user, via: 'token' } : undefined;
  }
  const secret = cookieValue(headers.cookie, SESSION_COOKIE);
  if (secret === undefined) return undefined;
  const session = store.sessionOf(secret);
  return session ? { user: session.user, via: 'cookie', csrfToken: session.csrfToken } : undefined;
}

/** The gate, mounted at `/api` before every router; `userLlmLimiter` counts LLM-backed calls per user. */
export function authGate(store: AuthStore, options: { userLlmLimiter?: RateLimiter; enforce?: boolean } = {}): RequestHandler {
  const publicRoutes = new Set(PUBLIC_API_ROUTES);
  const enforce = options.enforce ?? true;
  return (req, res, next) => {
    const found = identify(store, req.headers);
    const isPublic = publicRoutes.has(`${req.method === 'HEAD' ? 'GET' : req.method} ${req.path}`);
    if (found) {
      const { csrfToken, ...caller } = found;
      const sent = req.headers[CSRF_HEADER];
      if (caller.via === 'cookie' && !SAFE_METHODS.has(req.method) && !isPublic && (typeof sent !== 'string' || !csrfToken || !sameSecret(sent, csrfToken))) {
        res.status(403).json({ error: { code: 'csrf-failed', message: `a signed-in browser request that changes something must send the ${CSRF_HEADER} header from /api/auth/me` } });
        return;
      }
      res.locals.caller = caller;
      if (options.userLlmLimiter && req.method === 'POST' && LLM_ROUTES.has(`/api${req.path}`)) {
        const verdict = options.userLlmLimiter.take(caller.user.id);
        if (!verdict.ok) {
          const seconds = retryAfterSeconds(verdict.retryAfterMs);
          res.setHeader('Retry-After', String(seconds));
          res.status(429).json({ error: { code: 'rate-limited', message: `too many AI requests: at most ${options.userLlmLimiter.limit} per minute per user; try again in ${seconds} s` } });
          return;
        }
      }
      return next();
    }
    if (isPublic || !enforce) return next();
    res.status(401).json({ error: { code: 'unauthenticated', message: 'sign in first (a session cookie from /api/auth/login, or Authorization: Bearer <token>)' } });
  };
}
