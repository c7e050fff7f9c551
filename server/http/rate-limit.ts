/** Fixed-window rate limits per client: sessions opened per IP, LLM-backed REST calls per IP. */
import type { RequestHandler } from 'express';

/** The verdict of one attempt. */
export type RateVerdict = { ok: true } | { ok: false; retryAfterMs: number };

/** Counts attempts per key in fixed windows; a key over `limit` in its window is refused until the window ends. */
export class RateLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one attempt by `key`. */
  take(key: string): RateVerdict {
    const nowMs = this.now();
    let window = this.windows.get(key);
    if (!window || nowMs - window.startMs >= this.windowMs) {
      if (this.windows.size > 10_000) this.prune(nowMs);
      window = { startMs: nowMs, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.limit) return { ok: false, retryAfterMs: window.startMs + this.windowMs - nowMs };
    window.count++;
    return { ok: true };
  }

  private prune(nowMs: number): void {
    for (const [key, window] of this.windows) if (nowMs - window.startMs >= this.windowMs) this.windows.delete(key);
  }
}

/** The limits an app applies (`VIVA_RATE_*`). */
export interface RateLimits {
  /** `session:start` per client IP per minute. */
  sessionsPerMinute: number;
  /** LLM-backed REST calls (match, plans, feedback, résumé parsing, screening starts) per client IP per minute. */
  llmCallsPerMinute: number;
  /** `session:start` per signed-in user per minute (users behind one proxy share an address, not this). */
  sessionsPerUserPerMinute: number;
  /** LLM-backed REST calls per signed-in user per minute. */
  llmCallsPerUserPerMinute: number;
}

/** Defaults: far above what one interviewer does, far below a script. */
export const DEFAULT_RATE_LIMITS: RateLimits = { sessionsPerMinute: 30, llmCallsPerMinute: 60, sessionsPerUserPerMinute: 20, llmCallsPerUserPerMinute: 30 };

/** The REST routes that call the LLM (POST). */
export const LLM_ROUTES: ReadonlySet<string> = new Set(['/api/match', '/api/plans', '/api/feedback', '/api/resumes/parse', '/api/screenings']);

/** Whole seconds to wait, at least 1 (the `Retry-After` header). */
export const retryAfterSeconds = (retryAfterMs: number): number => Math.max(1, Math.ceil(retryAfterMs / 1000));

/** Answers 429 with `Retry-After` once a client has made too many LLM-backed calls in the window. */
export function llmRateLimit(limiter: RateLimiter): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'POST' || !LLM_ROUTES.has(req.path)) return next();
    const verdict = limiter.take(req.socket.remoteAddress ?? 'unknown');
    if (verdict.ok) return next();
    const seconds = retryAfterSeconds(verdict.retryAfterMs);
    res.setHeader('Retry-After', String(seconds));
    res.status(429).json({
      error: { code: 'rate-limited', message: `too many AI requests: at most ${limiter.limit} per minute from one client; try again in ${seconds} s` },
    });
  };
}
