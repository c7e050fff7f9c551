import express, { type Router } from 'express';
import { z } from 'zod';
import { CorrectTurnRequest, type CorrectTurnResult } from '../../protocol/interviews.ts';
import { CorrectionError } from '../features/answer-corrections.ts';
import { ApiError, parseOr400 } from './errors.ts';
import type { Route } from './recording-routes.ts';

/** Applies a person's correction of a turn (who spoke it, its text); throws CorrectionError when refused. */
export type CorrectTurn = (interviewId: string, turnId: string, correction: CorrectTurnRequest) => CorrectTurnResult;

const TurnParams = z.object({ id: z.string().min(1).max(200), turnId: z.string().min(1).max(200) });

/**
 * `PATCH /interviews/:id/turns/:turnId` with `{ channel?, text? }`: re-attributes or corrects a turn; the answers that
 * change are scored again (the reply lists them; each reads as not scored until its new score is stored).
 */
export function mountTurnRoutes(router: Router, route: Route, correctTurn: CorrectTurn | undefined): void {
  router.patch(
    '/interviews/:id/turns/:turnId',
    express.json({ limit: '256kb' }),
    route((req, res) => {
      const { id, turnId } = parseOr400(TurnParams, req.params, 'path');
      const body = parseOr400(CorrectTurnRequest, req.body ?? {}, 'body');
      if (!correctTurn) throw new ApiError(501, 'not-configured', 'turn corrections are not available on this server');
      try {
        res.json(correctTurn(id, turnId, body));
      } catch (error) {
        if (error instanceof CorrectionError) throw new ApiError(error.code === 'not-found' ? 404 : 409, error.code, error.message);
        throw error;
      }
    }),
  );
}
