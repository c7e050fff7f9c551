/**
 * Accounts on Socket.IO. At the handshake a socket is given its user — from `auth: { token }` (scripts) or the session
 * cookie (the browser's screen; the handshake is same-origin, checked by the host guard) — or none: then it is anonymous
 * and may only join with a candidate link. A wrong token refuses the connection. After the handshake every packet passes
 * `packetGuard`: an event that is not explicitly allowed for the socket's scope is refused before any handler sees it,
 * so an event added later is closed to anonymous sockets until listed here.
 */
import type { Socket } from 'socket.io';
import { identify } from '../http/auth-gate.ts';
import { scopeOf, scopeToUser } from '../session/socket-scope.ts';
import type { Access } from './access.ts';
import type { AuthStore } from './auth-store.ts';

/** Events an anonymous socket may send: joining with a candidate link. */
export const ANONYMOUS_SOCKET_EVENTS: ReadonlySet<string> = new Set(['interview:join']);
/** Events a candidate link's socket may send (each still checks the interview is its own, see socket-scope.ts). */
export const CANDIDATE_SOCKET_EVENTS: ReadonlySet<string> = new Set([
  'interview:join',
  'interview:consent',
  'interview:ready',
  'interview:speaking-start',
  'interview:speaking-end',
  'session:resume',
  'session:stop',
  'audio:frame',
]);

/** `io.use` middleware: finds the socket's user; `enforce` false leaves sockets without one unrestricted (old behaviour). */
export function socketAuth(store: AuthStore, access: Access, enforce: boolean): (socket: Socket, next: (error?: Error) => void) => void {
  return (socket, next) => {
    const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
    const caller = identify(store, { authorization: socket.request.headers.authorization, cookie: socket.request.headers.cookie }, token);
    if (!caller && token !== undefined) return next(new Error('unauthenticated: the token is not valid'));
    if (caller) {
      const { user } = caller;
      scopeToUser(socket, {
        userId: user.id,
        userName: user.name,
        mayAccess: (sessionId) => access.canAccessInterview(user, sessionId),
        claim: (sessionId) => access.claimInterview(sessionId, user.id),
      });
    } else if (enforce) {
      scopeToUser(socket, undefined);
    }
    socket.use(([event, ...args], nextPacket) => {
      const scope = scopeOf(socket);
      const allowed = scope.kind === 'interviewer' || (scope.kind === 'candidate' ? CANDIDATE_SOCKET_EVENTS : ANONYMOUS_SOCKET_EVENTS).has(String(event));
      if (allowed) return nextPacket();
      const reply =
        scope.kind === 'candidate'
          ? { ok: false, error: { code: 'forbidden', message: `${String(event)} refused: a candidate link cannot do this` } }
          : { ok: false, error: { code: 'unauthenticated', message: `${String(event)} refused: sign in first (a session cookie or auth: { token })` } };
      const ack = args.at(-1);
      if (typeof ack === 'function') (ack as (value: unknown) => void)(reply);
      else socket.emit('error', reply.error);
    });
    next();
  };
}
