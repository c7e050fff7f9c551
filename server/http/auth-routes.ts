/**
 * Signing in and out (`/api/auth/*`): the first admin (only while no user exists, only from a page of this server),
 * password sign-in that sets an httpOnly SameSite=Strict session cookie, sign-out, and who is signed in.
 */
import express, { type Request, type Response, type Router } from 'express';
import { LoginRequest, type PublicUser, type SignedIn, type SignedOut } from '../../protocol/auth.ts';
import { AuthError, type AuthStore, type User } from '../auth/auth-store.ts';
import type { Logger } from '../logger.ts';
import { callerOf, cookieValue, identify, SESSION_COOKIE } from './auth-gate.ts';
import type { HostPolicy } from './host-check.ts';
import { retryAfterSeconds, type RateLimiter } from './rate-limit.ts';

/** What the routes need. */
export interface AuthRoutesDeps {
  store: AuthStore;
  hosts: HostPolicy;
  /** Sign-in attempts per client address. */
  loginLimiter: RateLimiter;
  /** True when links are https (`VIVA_PUBLIC_URL`): the cookie is then `Secure`. */
  secureCookies: boolean;
  logger: Logger;
}

const publicUser = (user: User): PublicUser => ({ id: user.id, name: user.name, role: user.role });

function error(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** The `/api/auth` routes (mounted at `/api`). */
export function createAuthRoutes(deps: AuthRoutesDeps): Router {
  const { store, logger } = deps;
  const router = express.Router();
  const json = express.json({ limit: '16kb' });

  const signIn = (req: Request, res: Response, user: User, status: number): void => {
    const session = store.createSession(user.id);
    const secure = deps.secureCookies || req.secure ? '; Secure' : '';
    const maxAgeS = Math.floor((session.expiresAtMs - Date.now()) / 1000);
    // Strict: the app and its API are one origin, so no cross-site navigation ever needs to carry the session.
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${session.secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`);
    res.setHeader('Cache-Control', 'no-store');
    const reply: SignedIn = { user: publicUser(user), csrfToken: session.csrfToken, expiresAtMs: session.expiresAtMs };
    res.status(status).json(reply);
  };

  router.get('/auth/me', (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const found = identify(store, req.headers);
    if (!found) {
      const reply: SignedOut = { user: null, setupRequired: !store.hasUsers() };
      res.json(reply);
      return;
    }
    const session = found.via === 'cookie' ? store.sessionOf(cookieValue(req.headers.cookie, SESSION_COOKIE) ?? '') : null;
    const reply: SignedIn = { user: publicUser(found.user), csrfToken: found.csrfToken ?? null, expiresAtMs: session?.expiresAtMs ?? null };
    res.json(reply);
  });

  router.post('/auth/login', json, async (req, res, next) => {
    try {
      const verdict = deps.loginLimiter.take(req.socket.remoteAddress ?? 'unknown');
      if (!verdict.ok) {
        res.setHeader('Retry-After', String(retryAfterSeconds(verdict.retryAfterMs)));
        return error(res, 429, 'rate-limited', `too many sign-in attempts; try again in ${retryAfterSeconds(verdict.retryAfterMs)} s`);
      }
      const body = LoginRequest.safeParse(req.body ?? {});
      if (!body.success) return error(res, 400, 'invalid-request', 'send { name, password }');
      const user = await store.verifyLogin(body.data.name, body.data.password);
      if (!user) {
        logger.warn(`sign-in refused for "${body.data.name.slice(0, 64)}" from ${req.socket.remoteAddress ?? '?'}`);
        return error(res, 401, 'invalid-credentials', 'wrong user name or password');
      }
      signIn(req, res, user, 200);
    } catch (caught) {
      next(caught);
    }
  });

  router.post('/auth/setup', json, async (req, res, next) => {
    try {
      if (store.hasUsers()) return error(res, 409, 'setup-done', 'an account already exists: sign in instead');
      // Only a page of this server may create the first admin (the host check already refused foreign Hosts/Origins).
      if (!req.headers.origin || !deps.hosts.allowsOrigin(req.headers.origin)) {
        return error(res, 403, 'origin-required', 'the first admin is created from Viva\'s own page (or with `npx viva users add NAME --role admin`)');
      }
      const body = LoginRequest.safeParse(req.body ?? {});
      if (!body.success) return error(res, 400, 'invalid-request', 'send { name, password }');
      const user = await store.createUser({ ...body.data, role: 'admin' }, { firstOnly: true });
      logger.info(`first admin "${user.name}" created from the browser`);
      signIn(req, res, user, 201);
    } catch (caught) {
      if (caught instanceof AuthError) return error(res, caught.code === 'setup-done' ? 409 : 400, caught.code, caught.message);
      next(caught);
    }
  });

  router.post('/auth/logout', (req, res) => {
    const secret = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (secret !== undefined && callerOf(res)?.via === 'cookie') store.endSession(secret);
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    res.status(204).end();
  });

  return router;
}
