import { CSRF_HEADER_NAME } from '../../../protocol/auth.ts';

// The CSRF token of the signed-in browser session (from /api/auth/me or sign-in): every request that changes something
// sends it in X-CSRF-Token, which a foreign page can neither read nor send (server/http/auth-gate.ts).
let token: string | null = null;

/** Remembers the session's token (null when signed out). */
export function setCsrfToken(next: string | null): void {
  token = next;
}

/** The header to add to a request with `method` (none for reads, none when signed out). */
export function csrfHeaders(method: string | undefined): Record<string, string> {
  const safe = method === undefined || ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
  return safe || token === null ? {} : { [CSRF_HEADER_NAME]: token };
}
