/** Security headers on every HTTP response: a Content-Security-Policy, no framing, no MIME sniffing, no referrer. */
import type { RequestHandler } from 'express';

/**
 * The app's policy: scripts, styles and the audio worklet only from Viva itself (the built client has no inline script);
 * `mediastream:`/`blob:` for the microphone and playback, `data:` for the inline favicon; Socket.IO's websocket is
 * same-origin (`'self'` covers ws:/wss: on the same host in CSP level 3).
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Everything under /api (JSON, audio, and the HTML reports with their inline `<style>`): no script at all, so a candidate's
 * words inside a report can never run, and nothing is loaded from anywhere.
 */
export const DOCUMENT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; media-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Sets the headers before any route answers (routes may still replace them). */
export function securityHeaders(): RequestHandler {
  return (req, res, next) => {
    res.setHeader('Content-Security-Policy', req.path.startsWith('/api/') ? DOCUMENT_CSP : APP_CSP);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    next();
  };
}
