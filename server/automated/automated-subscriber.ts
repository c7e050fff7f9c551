import { CANDIDATE_FRAME_MS, AutomatedLanguage } from '../../protocol/automated.ts';
import { samplesToMs } from '../../protocol/audio.ts';
import type { SessionEvent, SessionEventOf, SessionSubscriber } from '../session/events.ts';
import type { Session } from '../session/session.ts';
import type { AutomatedInterviews, RunningInterview } from './automated-interviews.ts';
import { InterviewRunner } from './interview-runner.ts';

/**
 * The automated interviewer on a consented interview's session: reads the candidate's speech and finals, runs the
 * turn-taking, publishes Viva's questions (`question-asked`) and the candidate's answers with the question each answers
 * (`answer-final`; turns judged to be Viva's own voice are stored but not analysed), and closes the record at the end.
 */
export function createAutomatedSubscriber(automated: AutomatedInterviews): (session: Session) => SessionSubscriber | undefined {
  const { store, repository, logger, decider, emitToCandidate } = automated.deps;
  const { now, runners } = automated;

  return (session) => {
    const record = store.get(session.id);
    if (!record || session.context.mode !== 'automated' || record.state === 'ended' || record.state === 'invited') return undefined;
    const interviewId = session.id;
    const emit = emitToCandidate(interviewId);
    const stopController = new AbortController();
    const runner = new InterviewRunner({
      sessionId: interviewId,
      language: AutomatedLanguage.parse(session.language),
      questions: (session.context.plannedQuestions ?? []).map((question) => ({ id: question.id, text: question.text })),
      config: automated.configFor(record),
      role: session.context.role ?? null,
      jobDescription: session.context.jobDescription ?? null,
      decider,
      logger,
      signal: stopController.signal,
      ...(automated.deps.finalWaitMs === undefined ? {} : { finalWaitMs: automated.deps.finalWaitMs }),
      // The candidate page sends 100 ms frames: the frames received say where its audio stands right now.
      receivedMs: () => (session.nextSeq().candidate ?? 0) * CANDIDATE_FRAME_MS,
      now,
      sink: {
        question: (event) => emit('interview:question', event),
        listening: (event) => emit('interview:listening', event),
        thinking: (event) => emit('interview:thinking', event),
        end: (event) => emit('interview:end', event),
        record: (type, data) => {
          try {
            store.appendEvent(interviewId, type, data, now());
          } catch (error) {
            logger.warn(`automated ${interviewId}: could not record ${type}: ${String(error)}`);
          }
        },
        saveQuestionTurn: (turn) => session.events.publish({ type: 'question-asked', sessionId: interviewId, ...turn }),
        finished: (reason) => automated.finish(interviewId, reason, reason === 'disconnected' || reason === 'stopped'),
      },
    });
    const entry: RunningInterview = { runner, session };
    runners.set(interviewId, entry);
    logger.info(`automated interview ${interviewId}: session attached`);

    const onFinal = (event: SessionEventOf<'transcript-final'>): void => {
      // Asked before the runner hears the turn: the question it answers and whether it was Viva's own voice.
      const question = runner.questionFor(event.startMs);
      const echo = runner.isEcho(event.startMs);
      const { type: _type, audio: _audio, finalLatencyMs: _latency, resumePoint, ...turn } = event;
      runner.final(turn);
      if (resumePoint) runner.progress(samplesToMs(resumePoint.samplesReceived));
      if (!echo) session.events.publish({ type: 'answer-final', ...turn, ...(question === undefined ? {} : { question }) });
    };

    const onEnd = (): void => {
      if (!runner.isEnded) runner.stop();
      stopController.abort();
      clearTimeout(runners.get(interviewId)?.stopTimer);
      if (runners.get(interviewId)?.runner === runner) runners.delete(interviewId);
      const current = store.get(interviewId);
      if (current && current.state !== 'ended') store.update(interviewId, { state: 'ended', endedAtMs: now(), endReason: 'stopped' }, now());
      const ended = store.get(interviewId);
      try {
        repository.updateInterviewStatus(interviewId, 'stopped', { message: `automated interview (AI-run) ended: ${ended?.endReason ?? 'stopped'}` });
      } catch (error) {
        logger.warn(`automated ${interviewId}: could not update the status: ${String(error)}`);
      }
    };

    const handle = (event: SessionEvent): void => {
      if (event.type === 'session-end') return onEnd();
      if (!('channel' in event) || event.channel !== 'candidate') return;
      if (event.type === 'speech-start') runner.speechStart(event.atMs);
      else if (event.type === 'speech-end') runner.speechEnd(event.atMs);
      else if (event.type === 'transcript-final') onFinal(event);
      else if (event.type === 'channel-progress') runner.progress(samplesToMs(event.samplesReceived));
    };
    return { name: 'automated', handle };
  };
}
