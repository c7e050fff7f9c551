/**
 * Candidate link tokens: `v1.<payload>.<signature>`, where payload is base64url JSON `{ i: interviewId, l: linkId,
 * e: expiresAtMs }` and signature is base64url HMAC-SHA256 over `v1.<payload>`. Scoped to one interview, expiring, and
 * revocable through the stored link id. The secret comes from VIVA_LINK_SECRET or is generated once into the data dir.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const VERSION = 'v1';
/** File in the data dir holding the generated secret (hex, 32 bytes). */
export const LINK_SECRET_FILE = 'link-secret';
const MIN_SECRET_BYTES = 32;

/** What a valid token says. */
export interface LinkClaims {
  interviewId: string;
  linkId: string;
  expiresAtMs: number;
}

/** Why a token was refused. */
export type TokenProblem = 'malformed' | 'bad-signature' | 'expired';

/** Result of checking a token's signature and expiry (revocation is the store's business). */
export type TokenCheck = { ok: true; claims: LinkClaims } | { ok: false; problem: TokenProblem; claims?: LinkClaims };

const Payload = z.object({ i: z.string().min(1).max(200), l: z.string().min(1).max(100), e: z.number().int().positive() });

/** Signs and checks link tokens with one secret. */
export interface LinkSigner {
  sign(claims: LinkClaims): string;
  /** Checks format, signature (constant time) and expiry at `nowMs`. */
  verify(token: string, nowMs: number): TokenCheck;
}

/** A signer over `secret` (at least 32 bytes). */
export function createLinkSigner(secret: Uint8Array): LinkSigner {
  if (secret.byteLength < MIN_SECRET_BYTES) throw new Error(`the link secret must be at least ${MIN_SECRET_BYTES} bytes (got ${secret.byteLength})`);
  const key = Buffer.from(secret);
  const mac = (text: string) => createHmac('sha256', key).update(text).digest();
  return {
    sign(claims) {
      const payload = Buffer.from(JSON.stringify({ i: claims.interviewId, l: claims.linkId, e: claims.expiresAtMs })).toString('base64url');
      const signed = `${VERSION}.${payload}`;
      return `${signed}.${mac(signed).toString('base64url')}`;
    },
    verify(token, nowMs) {
      const parts = token.split('.');
      if (parts.length !== 3 || parts[0] !== VERSION) return { ok: false, problem: 'malformed' };
      const [, payloadText = '', signatureText = ''] = parts;
      const expected = mac(`${VERSION}.${payloadText}`);
      const given = Buffer.from(signatureText, 'base64url');
      // Compare before parsing anything the sender controls; equal lengths first, since timingSafeEqual requires them.
      if (given.byteLength !== expected.byteLength || !timingSafeEqual(given, expected)) return { ok: false, problem: 'bad-signature' };
      let raw: unknown;
      try {
        raw = JSON.parse(Buffer.from(payloadText, 'base64url').toString('utf8'));
      } catch {
        return { ok: false, problem: 'malformed' };
      }
      const parsed = Payload.safeParse(raw);
      if (!parsed.success) return { ok: false, problem: 'malformed' };
      const claims: LinkClaims = { interviewId: parsed.data.i, linkId: parsed.data.l, expiresAtMs: parsed.data.e };
      if (nowMs >= claims.expiresAtMs) return { ok: false, problem: 'expired', claims };
      return { ok: true, claims };
    },
  };
}

/**
 * The link secret: `configured` (VIVA_LINK_SECRET, at least 32 characters) when set, else `<dataDir>/link-secret`,
 * created once with 32 random bytes and mode 0600. Two processes starting together agree on one secret.
 */
export function loadLinkSecret(dataDir: string, configured?: string): Uint8Array {
  if (configured !== undefined && configured !== '') {
    if (configured.length < MIN_SECRET_BYTES) throw new Error(`VIVA_LINK_SECRET must be at least ${MIN_SECRET_BYTES} characters`);
    return Buffer.from(configured, 'utf8');
  }
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LINK_SECRET_FILE);
  if (!existsSync(file)) {
    // Written whole to a private temp file, then hard-linked into place: a reader never sees a half-written secret, and
    // link() fails with EEXIST for the second of two processes racing here.
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, randomBytes(MIN_SECRET_BYTES).toString('hex'));
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temp);
    }
  }
  const text = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64,}$/.test(text)) throw new Error(`${file} does not hold a valid link secret (64+ hex characters); delete it to generate a new one (every issued link stops working)`);
  return Buffer.from(text, 'hex');
}
