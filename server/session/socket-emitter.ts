import type { Server } from 'socket.io';
import type { CandidateClientEvents, CandidateServerEvents } from '../../protocol/events.ts';
import type { SessionEvent, SessionSubscriber } from './events.ts';
import type { Session } from './session.ts';

/** The typed Socket.IO server: one server for the interviewer's screen and the candidate page (whose maps include the interviewer's). */
export type VivaIo = Server<CandidateClientEvents, CandidateServerEvents>;

/** The Socket.IO room of everyone following a session. */
export const roomOf = (sessionId: string): string => `session:${sessionId}`;

/** The room of a candidate link's socket in its automated interview's session: it hears only when speech starts and ends. */
export const candidatePresenceRoomOf = (sessionId: string): string => `candidate-session:${sessionId}`;

/** Sends one session event to the session's room under its wire name (events that stay on the server are skipped). */
export function emitToRoom(io: VivaIo, sessionId: string, event: SessionEvent): void {
  const room = io.to(roomOf(sessionId));
  // A candidate sees its own speech activity, never transcripts, suggestions or scores (see socket-scope.ts).
  const withCandidate = io.to([roomOf(sessionId), candidatePresenceRoomOf(sessionId)]);
  switch (event.type) {
    case 'speech-start': {
      const { type: _type, ...payload } = event;
      return void withCandidate.emit('speech:start', payload);
    }
    case 'speech-end': {
      const { type: _type, ...payload } = event;
      return void withCandidate.emit('speech:end', payload);
    }
    case 'transcript-partial': {
      const { type: _type, ...payload } = event;
      return void room.emit('transcript:partial', payload);
    }
    case 'transcript-final': {
      const { type: _type, audio: _audio, finalLatencyMs: _latency, resumePoint: _resume, ...payload } = event;
      return void room.emit('transcript:final', payload);
    }
    case 'audio-gap': {
      const { type: _type, ...payload } = event;
      return void room.emit('audio:gap', payload);
    }
    case 'followup-delta': {
      const { type: _type, ...payload } = event;
      return void room.emit('followup:delta', payload);
    }
    case 'followup-end': {
      const { type: _type, ...payload } = event;
      return void room.emit('followup:end', payload);
    }
    case 'score-final': {
      const { type: _type, ...payload } = event;
      return void room.emit('score:final', payload);
    }
    case 'analysis-error': {
      const { type: _type, ...payload } = event;
      return void room.emit('analysis:error', payload);
    }
    case 'analysis-progress': {
      const { type: _type, ...payload } = event;
      return void room.emit('analysis:progress', payload);
    }
    case 'session-end':
      // The candidate page learns its last answer is captured (the result holds only audio figures).
      return void withCandidate.emit('session:end', event.result);
    case 'turn-role': {
      const { type: _type, ...payload } = event;
      return void room.emit('turn:role', payload);
    }
    case 'answer-update':
    case 'answer-final':
      return void room.emit('answer:turns', { sessionId, answerId: event.turnId, turnIds: event.turnIds ?? [event.turnId], final: event.type === 'answer-final' });
    case 'error': {
      const { type: _type, ...payload } = event;
      return void room.emit('error', payload);
    }
    case 'storage-error': {
      const { type: _type, ...payload } = event;
      return void room.emit('storage:error', payload);
    }
    default:
      // session-start, channel-progress, question-asked: nothing a screen shows.
      return;
  }
}

/** The socket emitter: subscribed last, so a client sees a turn only once every other subscriber (storage first) has. */
export function createSocketEmitter(io: VivaIo): (session: Session) => SessionSubscriber {
  return (session) => ({ name: 'socket', handle: (event) => emitToRoom(io, session.id, event) });
}
