/** The recruiter's REST routes of automated interviews: create (with a candidate link), status, links, stop. */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { CreateAutomatedInterviewRequest, type AutomatedInterviewStatus } from '../../protocol/automated.ts';
import { ApiError, apiErrorHandler, parseOr400, type ApiLogger } from '../api/errors.ts';
import type { AutomatedInterviews } from './automated-interviews.ts';

/** Builds the router (mounted under `/api`). */
export function createAutomatedRouter(automated: AutomatedInterviews): Router {
  const { store, repository, logger } = automated.deps;
  const { now, runners } = automated;
  const r = express.Router();
  const json = express.json({ limit: '1mb' });
  const IdParams = z.object({ id: z.string().min(1).max(200) });
  const LinkParams = IdParams.extend({ linkId: z.string().min(1).max(100) });
  const NewLinkBody = z.strictObject({ validHours: z.number().min(0.05).max(24 * 60).default(72) });
  // Never the request's Host header: a forged Host would mint a phishing link (VIVA_PUBLIC_URL or the listening address).
  const originOf = (_req: Request): string => automated.deps.linkOrigin?.() ?? 'http://localhost';
  const requireAutomated = (id: string) => {
    const record = store.get(id);
    if (!record) throw new ApiError(404, 'not-found', `no automated interview with id "${id}"`);
    return record;
  };
  const route =
    (handler: (req: Request, res: Response) => void) =>
    (req: Request, res: Response): void => {
      handler(req, res);
    };

  r.post(
    '/automated-interviews',
    json,
    route((req, res) => {
      const body = parseOr400(CreateAutomatedInterviewRequest, req.body ?? {}, 'body');
      let created;
      try {
        created = automated.createInterview(body, originOf(req));
      } catch (error) {
        if (error instanceof RangeError) throw new ApiError(400, 'invalid-request', `invalid body: turnTaking: ${error.message}`);
        throw error;
      }
      res.status(201).location(`/api/automated-interviews/${created.interview.id}`).json(created);
    }),
  );

  r.get(
    '/automated-interviews/:id',
    route((req, res) => {
      const { id } = parseOr400(IdParams, req.params, 'path');
      const record = requireAutomated(id);
      const interview = repository.getInterview(id);
      const status: AutomatedInterviewStatus = {
        interviewId: id,
        state: record.state,
        timeBudgetMs: record.plan.timeBudgetMs,
        startedAtMs: record.startedAtMs,
        endedAtMs: record.endedAtMs,
        endReason: record.endReason,
        consent: interview?.consent ?? null,
        links: store.listLinks(id),
        events: store.events(id),
      };
      res.json(status);
    }),
  );

  r.post(
    '/automated-interviews/:id/links',
    json,
    route((req, res) => {
      const { id } = parseOr400(IdParams, req.params, 'path');
      const body = parseOr400(NewLinkBody, req.body ?? {}, 'body');
      const record = requireAutomated(id);
      if (record.state === 'ended') throw new ApiError(409, 'conflict', 'this interview has already taken place');
      res.status(201).json(automated.issueLink(id, body.validHours, originOf(req)));
    }),
  );

  r.delete(
    '/automated-interviews/:id/links/:linkId',
    route((req, res) => {
      const { id, linkId } = parseOr400(LinkParams, req.params, 'path');
      requireAutomated(id);
      const link = store.getLink(linkId);
      if (!link || link.interviewId !== id) throw new ApiError(404, 'not-found', `no link ${linkId} for interview ${id}`);
      store.revokeLink(linkId, now());
      store.appendEvent(id, 'link-revoked', { linkId }, now());
      res.status(204).end();
    }),
  );

  r.post(
    '/automated-interviews/:id/stop',
    route((req, res) => {
      const { id } = parseOr400(IdParams, req.params, 'path');
      const record = requireAutomated(id);
      const entry = runners.get(id);
      if (entry && !entry.runner.isEnded) entry.runner.stop();
      else if (record.state !== 'ended') store.update(id, { state: 'ended', endedAtMs: now(), endReason: 'stopped' }, now());
      res.status(202).json({ interviewId: id, state: 'ended' });
    }),
  );

  const apiLogger: ApiLogger = {
    info: (message) => logger.info(message),
    warn: (message) => logger.warn(message),
    error: (message, fields) => logger.error(`${message} ${fields ? JSON.stringify(fields) : ''}`),
  };
  r.use('/automated-interviews', apiErrorHandler(apiLogger));
  return r;
}
