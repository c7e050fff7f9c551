import { z } from 'zod';

// Shapes of the account routes under /api/auth (server/http/auth-routes.ts) and of sharing, shared with the client.

/** A user's role: admins see and manage everything; recruiters and interviewers what they own or was shared with them. */
export const UserRole = z.enum(['admin', 'recruiter', 'interviewer']);
export type UserRole = z.infer<typeof UserRole>;

/** A user as the API shows it. */
export const PublicUser = z.object({ id: z.string(), name: z.string(), role: UserRole });
export type PublicUser = z.infer<typeof PublicUser>;

/** `POST /api/auth/login` and `POST /api/auth/setup` (the first admin). */
export const LoginRequest = z.strictObject({ name: z.string().min(1).max(64), password: z.string().min(1).max(1024) });
export type LoginRequest = z.infer<typeof LoginRequest>;

/** `GET /api/auth/me` when signed in, and the reply of login/setup: the CSRF token goes into `X-CSRF-Token`. */
export const SignedIn = z.object({ user: PublicUser, csrfToken: z.string().nullable(), expiresAtMs: z.number().nullable() });
export type SignedIn = z.infer<typeof SignedIn>;

/** `GET /api/auth/me` when nobody is signed in (200, so a page's first look is no error): whether the first admin still has to be created. */
export const SignedOut = z.object({ user: z.null(), setupRequired: z.boolean() });
export type SignedOut = z.infer<typeof SignedOut>;

/** `POST /api/interviews/:id/shares`: share an interview with another user, by name. */
export const ShareRequest = z.strictObject({ user: z.string().min(1).max(64) });
export type ShareRequest = z.infer<typeof ShareRequest>;

/** The header a cookie-signed-in browser sends with every request that changes something. */
export const CSRF_HEADER_NAME = 'X-CSRF-Token';
