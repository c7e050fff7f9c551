/**
 * What one Socket.IO connection may do. A socket that joined with a candidate link is scoped to that automated interview
 * for the rest of its life: it may resume and stop its own session and publish its audio, and it follows the interview
 * through the candidate room (questions) and its presence room (speech start/end) only — never the co-pilot room, so no
 * transcripts, suggestions or scores.
 * A socket with a signed-in user (cookie or `auth: { token }`, see server/auth/socket-auth.ts) is an interviewer's
 * screen: it may open sessions and touch those its user may access. Any other socket is anonymous: it may only join
 * with a candidate link.
 */
import type { Socket } from 'socket.io';
import { candidatePresenceRoomOf, roomOf } from './socket-emitter.ts';

export { candidatePresenceRoomOf };

/** What an interviewer's socket may touch: its user's sessions (checked once per session, then remembered). */
export interface InterviewerAccess {
  /** The signed-in user's name (logs). */
  userName: string;
  userId: string;
  /** True when the user may access this session's interview. */
  mayAccess(sessionId: string): boolean;
  /** Records the user as the owner of a session they just started. */
  claim(sessionId: string): void;
}

/** The scope of a connection; an interviewer without `access` exists only while accounts are not enforced. */
export type SocketScope = { kind: 'interviewer'; access?: InterviewerAccess } | { kind: 'candidate'; interviewId: string } | { kind: 'anonymous' };

const scopes = new WeakMap<Socket, SocketScope>();
const allowedSessions = new WeakMap<Socket, Set<string>>();

/** The connection's scope (an unmarked socket is an interviewer's: apps built without accounts, unit tests). */
export function scopeOf(socket: Socket): SocketScope {
  return scopes.get(socket) ?? { kind: 'interviewer' };
}

/** Marks a socket as its signed-in user's, or as anonymous (`access` undefined) until it joins with a candidate link. */
export function scopeToUser(socket: Socket, access: InterviewerAccess | undefined): void {
  scopes.set(socket, access ? { kind: 'interviewer', access } : { kind: 'anonymous' });
}

/** Scopes a socket to one automated interview and takes it out of every co-pilot room it may have joined before. */
export function scopeToCandidate(socket: Socket, interviewId: string): void {
  scopes.set(socket, { kind: 'candidate', interviewId });
  for (const room of socket.rooms) if (room.startsWith(roomOf(''))) void socket.leave(room);
}

/** Records the socket's user as the owner of a session it started (and remembers the socket may touch it). */
export function claimSession(socket: Socket, sessionId: string): void {
  const scope = scopeOf(socket);
  if (scope.kind !== 'interviewer' || !scope.access) return;
  scope.access.claim(sessionId);
  remember(socket, sessionId);
}

function remember(socket: Socket, sessionId: string): void {
  let allowed = allowedSessions.get(socket);
  if (!allowed) allowedSessions.set(socket, (allowed = new Set()));
  allowed.add(sessionId);
}

/** Why this socket may not touch `sessionId` (undefined: an action on no session yet, i.e. session:start), or undefined when it may. */
export function refusalFor(socket: Socket, sessionId: string | undefined): string | undefined {
  const scope = scopeOf(socket);
  if (scope.kind === 'anonymous') return 'sign in first (a session cookie or auth: { token })';
  if (scope.kind === 'candidate') {
    if (sessionId === scope.interviewId) return undefined;
    return sessionId === undefined ? 'a candidate link cannot do this' : 'this candidate link is for another interview';
  }
  if (!scope.access || sessionId === undefined || allowedSessions.get(socket)?.has(sessionId)) return undefined;
  // Checked once per socket and session: audio frames arrive ten times a second.
  if (!scope.access.mayAccess(sessionId)) return 'this interview is not yours and was not shared with you';
  remember(socket, sessionId);
  return undefined;
}
