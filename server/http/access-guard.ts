/**
 * Ownership on the REST API, in front of the routers that serve the things: a caller reaches an interview (live,
 * recorded or automated, and everything under it: report, audio, recording) or a screening only when they own it, it
 * was shared with them, or they are an admin — otherwise 404, as for an id that does not exist. What a caller creates
 * is recorded as theirs as its reply goes out (before the client can know its id), so the routers stay unaware of
 * accounts. Sharing: `POST /api/interviews/:id/shares { user }` by the owner or an admin.
 */
import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import { ShareRequest } from '../../protocol/auth.ts';
import type { Access } from '../auth/access.ts';
import type { AuthStore } from '../auth/auth-store.ts';
import { callerOf } from './auth-gate.ts';

function notFound(res: Response, what: string, id: string): void {
  res.status(404).json({ error: { code: 'not-found', message: `no ${what} with id "${id}"` } });
}

/** Records the owner of what a POST creates, read from its 201/202 reply. */
function claimOnReply(res: Response, claim: (body: Record<string, unknown>) => void): void {
  const send = res.json.bind(res);
  res.json = (body: unknown) => {
    if (res.statusCode >= 200 && res.statusCode < 300 && body && typeof body === 'object') claim(body as Record<string, unknown>);
    return send(body);
  };
}

/** The guard (mounted at `/api`, after the auth gate and before the routers). */
export function createAccessGuard(access: Access, store: AuthStore): Router {
  const router = express.Router();
  const interviewGuard = (req: Request, res: Response, next: NextFunction): void => {
    const caller = callerOf(res);
    const id = String(req.params.id);
    if (caller && !access.canAccessInterview(caller.user, id)) return notFound(res, 'interview', id);
    next();
  };
  router.use('/interviews/:id', interviewGuard);
  router.use('/automated-interviews/:id', interviewGuard);
  router.use('/screenings/:id', (req, res, next) => {
    const caller = callerOf(res);
    const id = String(req.params.id);
    if (caller && !access.canAccessScreening(caller.user, id)) return notFound(res, 'screening', id);
    next();
  });

  router.delete('/screenings/:id', (req, res, next) => {
    const id = String(req.params.id);
    res.on('finish', () => {
      if (res.statusCode === 204) access.forgetScreening(id);
    });
    next();
  });

  router.post('/interviews', (_req, res, next) => {
    const caller = callerOf(res);
    if (caller) claimOnReply(res, (body) => typeof body.id === 'string' && access.claimInterview(body.id, caller.user.id));
    next();
  });
  router.post('/automated-interviews', (_req, res, next) => {
    const caller = callerOf(res);
    if (caller) {
      claimOnReply(res, (body) => {
        const interview = body.interview as { id?: unknown } | undefined;
        if (typeof interview?.id === 'string') access.claimInterview(interview.id, caller.user.id);
      });
    }
    next();
  });
  router.post('/screenings', (_req, res, next) => {
    const caller = callerOf(res);
    if (caller) claimOnReply(res, (body) => typeof body.id === 'string' && access.claimScreening(body.id, caller.user.id));
    next();
  });

  router.get('/interviews/:id/shares', (req, res) => {
    const users = access.sharesOf(String(req.params.id)).map((id) => store.getUser(id)?.name ?? id);
    res.json({ users });
  });
  router.post('/interviews/:id/shares', express.json({ limit: '4kb' }), (req, res) => {
    const id = String(req.params.id);
    const caller = callerOf(res);
    if (!caller) return notFound(res, 'interview', id);
    const body = ShareRequest.safeParse(req.body ?? {});
    if (!body.success) return void res.status(400).json({ error: { code: 'invalid-request', message: 'send { user: NAME }' } });
    if (caller.user.role !== 'admin' && !access.ownsInterview(caller.user, id)) {
      return void res.status(403).json({ error: { code: 'forbidden', message: 'only the owner or an admin may share this interview' } });
    }
    const user = store.findUser(body.data.user);
    if (!user) return void res.status(404).json({ error: { code: 'not-found', message: `no user named "${body.data.user}"` } });
    access.shareInterview(id, user.id);
    res.status(201).json({ users: access.sharesOf(id).map((userId) => store.getUser(userId)?.name ?? userId) });
  });
  return router;
}
