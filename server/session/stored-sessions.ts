/** The one way a stored interview becomes a session again: its context, and whether `session:resume` may reopen it. */
import type { Interview } from '../../protocol/interviews.ts';
import type { Channel, Language, SessionContext } from '../../protocol/schemas.ts';
import type { InterviewRepository } from '../store/repository.ts';
import type { ChannelResumePoint } from './events.ts';

/** A stored interview a reconnecting client may continue (after a server restart, or an automated interview's first join). */
export interface StoredSession {
  sessionId: string;
  language: Language;
  channels: Channel[];
  context: SessionContext;
  resumeFrom: Partial<Record<Channel, ChannelResumePoint>>;
}

/** The session context of a stored interview (what analysis and the automated interviewer read). */
export function contextFromInterview(interview: Interview): SessionContext {
  return {
    ...(interview.title === null ? {} : { title: interview.title }),
    ...(interview.role === null ? {} : { role: interview.role }),
    ...(interview.jobDescription === null ? {} : { jobDescription: interview.jobDescription }),
    ...(interview.resume === null ? {} : { resume: interview.resume }),
    ...(interview.candidateName === null ? {} : { candidateName: interview.candidateName }),
    ...(interview.context.rubric ? { rubric: interview.context.rubric } : {}),
    ...(interview.context.plannedQuestions ? { plannedQuestions: interview.context.plannedQuestions } : {}),
    mode: interview.mode === 'automated' ? 'automated' : 'copilot',
  };
}

/**
 * Finds a live stored interview to reopen. A co-pilot interview resumes the channels it stored progress for; an automated
 * one has a single candidate channel and opens only once `mayCapture` says so (the candidate consented).
 */
export function findStoredSession(
  repository: InterviewRepository,
  sessionId: string,
  mayCapture: (interviewId: string) => boolean,
): StoredSession | undefined {
  const interview = repository.getInterview(sessionId);
  if (!interview || interview.status !== 'live') return undefined;
  const resumeFrom = repository.getChannelProgress(sessionId);
  let channels = Object.keys(resumeFrom) as Channel[];
  if (interview.mode === 'automated') {
    // Before consent nothing may be captured: the session cannot be opened, so audio frames are refused.
    if (!mayCapture(sessionId)) return undefined;
    channels = ['candidate'];
  }
  if (channels.length === 0) return undefined;
  return { sessionId, language: interview.language, channels, context: contextFromInterview(interview), resumeFrom };
}
