/**
 * What stands in front of every route and socket: security headers, the Host/Origin allow-list, rate limits, and the
 * origin candidate links are built on. `createApp` installs it before any route.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Express } from 'express';
import { HostPolicy, hostCheck } from './host-check.ts';
import { DEFAULT_RATE_LIMITS, llmRateLimit, RateLimiter, type RateLimits } from './rate-limit.ts';
import { securityHeaders } from './security-headers.ts';

/** `VIVA_PUBLIC_URL`, `VIVA_ALLOWED_HOSTS` and `VIVA_RATE_*`. */
export interface SecurityOptions {
  publicUrl?: string;
  allowedHosts?: string[];
  rateLimits?: Partial<RateLimits>;
}

/** The guard of one app. */
export interface HttpGuard {
  hosts: HostPolicy;
  /** `session:start` per client IP. */
  sessionLimiter: RateLimiter;
  /** `session:start` per signed-in user. */
  userSessionLimiter: RateLimiter;
  /** The limits in force (defaults filled in). */
  limits: RateLimits;
  /** Installs headers, the host check and the LLM rate limit (call before mounting routes). */
  install(app: Express): void;
  /** Socket.IO's `allowRequest`: a foreign Host or Origin is refused before the handshake. */
  allowRequest(request: IncomingMessage, callback: (error: string | null | undefined, success: boolean) => void): void;
  /** The origin candidate links use: `VIVA_PUBLIC_URL`, else the listening address (never a request's Host). */
  linkOrigin(http: HttpServer): string;
}

/** Builds the guard from the settings. */
export function createHttpGuard(options: SecurityOptions = {}): HttpGuard {
  const limits = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };
  const hosts = new HostPolicy({ publicUrl: options.publicUrl, allowedHosts: options.allowedHosts });
  const llmLimiter = new RateLimiter(limits.llmCallsPerMinute, 60_000);
  return {
    hosts,
    sessionLimiter: new RateLimiter(limits.sessionsPerMinute, 60_000),
    userSessionLimiter: new RateLimiter(limits.sessionsPerUserPerMinute, 60_000),
    limits,
    install(app) {
      app.use(securityHeaders(), hostCheck(hosts), llmRateLimit(llmLimiter));
    },
    allowRequest(request, callback) {
      const refusal = hosts.refusal(request);
      callback(refusal ?? null, refusal === undefined);
    },
    linkOrigin(http) {
      if (options.publicUrl) return options.publicUrl.replace(/\/+$/, '');
      const address = http.address();
      if (!address || typeof address === 'string') return 'http://localhost';
      const wildcard = address.address === '0.0.0.0' || address.address === '::';
      const host = wildcard ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host}:${address.port}`;
    },
  };
}
