/**
 * What one Socket.IO connection may do. A socket that joined with a candidate link is scoped to that automated interview
 * for the rest of its life: it may resume and stop its own session and publish its audio, and it follows the interview
 * through the candidate room (questions) and its presence room (speech start/end) only — never the co-pilot room, so no
 * transcripts, suggestions or scores.
 * Every other socket is an interviewer's screen (unrestricted until accounts exist).
 */
import type { Socket } from 'socket.io';
import { candidatePresenceRoomOf, roomOf } from './socket-emitter.ts';

export { candidatePresenceRoomOf };

/** The scope of a connection. */
export type SocketScope = { kind: 'interviewer' } | { kind: 'candidate'; interviewId: string };

const scopes = new WeakMap<Socket, SocketScope>();

/** The connection's scope. */
export function scopeOf(socket: Socket): SocketScope {
  return scopes.get(socket) ?? { kind: 'interviewer' };
}

/** Scopes a socket to one automated interview and takes it out of every co-pilot room it may have joined before. */
export function scopeToCandidate(socket: Socket, interviewId: string): void {
  scopes.set(socket, { kind: 'candidate', interviewId });
  for (const room of socket.rooms) if (room.startsWith(roomOf(''))) void socket.leave(room);
}

/** Why this socket may not touch `sessionId`, or undefined when it may. */
export function refusalFor(socket: Socket, sessionId: string | undefined): string | undefined {
  const scope = scopeOf(socket);
  if (scope.kind === 'interviewer') return undefined;
  if (sessionId === scope.interviewId) return undefined;
  return sessionId === undefined ? 'a candidate link cannot do this' : 'this candidate link is for another interview';
}
