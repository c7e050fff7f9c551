import path from 'node:path';
import { createAnalysisJobRows } from './analysis-job-rows.ts';
import { createAnswerRows } from './answer-rows.ts';
import { checkpointAfterDelete, createDatabase } from './database.ts';
import { createInterviewRows } from './interview-rows.ts';
import { RepositoryError, type InterviewRepository, type RepositoryOptions } from './repository-types.ts';
import { createPurge } from './retention-purge.ts';
import { createStorageHealth } from './storage-health.ts';
import { createTurnAudioFiles } from './turn-audio.ts';
import { createTurnRows } from './turn-rows.ts';

export * from './repository-types.ts';
export type { AnalysisJobRecord, AnalysisJobRows, AnalysisJobState, AnalysisProgress } from './analysis-job-rows.ts';
export type { StorageFailure, StorageHealth } from './storage-health.ts';

/**
 * Opens (creating if needed) the SQLite database at `dbPath`, applies pending migrations in a transaction, and returns
 * the repository: interview rows (`interview-rows.ts`), turns and analyses (`turn-rows.ts`), turn WAV files
 * (`turn-audio.ts`), retention and recovery (`retention-purge.ts`).
 */
export function createRepository(dbPath: string, options: RepositoryOptions = {}): InterviewRepository {
  const inMemory = dbPath === ':memory:';
  if (inMemory && !options.audioDir) throw new Error('createRepository(":memory:") needs options.audioDir');
  const now = options.now ?? Date.now;
  const audio = createTurnAudioFiles(options.audioDir ?? path.join(path.dirname(dbPath), 'audio'), options.writeAudioFile);
  const db = createDatabase(dbPath, options.synchronous);
  options.configureDatabase?.(db);
  const interviews = createInterviewRows(db, now);
  const turns = createTurnRows(db, now, interviews.getInterview);
  const answers = createAnswerRows(db, now);
  const purge = createPurge({ db, interviews, turns, audio });
  // Every write goes through the tracker: a full disk becomes a 'storage-failed' error, a health report and an event.
  const storage = createStorageHealth(now);
  const { write, writeAsync } = storage;
  const jobs = createAnalysisJobRows(db, now);

  return {
    audioDir: audio.audioDir,
    createInterview: (input) => write('createInterview', input.id ?? null, () => interviews.createInterview(input)),
    getInterview: interviews.getInterview,
    listInterviews: interviews.listInterviews,
    listRoles: interviews.listRoles,
    updateInterview: (id, patch) => write('updateInterview', id, () => interviews.updateInterview(id, patch)),
    updateInterviewStatus: (id, status, statusOptions) =>
      write('updateInterviewStatus', id, () => interviews.updateInterviewStatus(id, status, statusOptions)),
    saveChannelProgress: (interviewId, channel, nextSeq, samplesReceived) =>
      write('saveChannelProgress', interviewId, () => interviews.saveChannelProgress(interviewId, channel, nextSeq, samplesReceived)),
    getChannelProgress: interviews.getChannelProgress,

    saveTurn(interviewId, turn) {
      const relative = audio.relativePath(interviewId, turn.turnId);
      // The audio may have been written before the final transcript: link it if it is there.
      write('saveTurn', interviewId, () => turns.saveTurn(interviewId, turn, audio.exists(relative) ? relative : null));
    },

    async saveTurnAudio(interviewId, turnId, samples, audioOptions = {}) {
      if (!interviews.getInterview(interviewId)) throw new RepositoryError('unknown-interview', `no interview ${interviewId}`);
      return writeAsync('saveTurnAudio', interviewId, async () => {
        const written = await audio.write(interviewId, turnId, samples, audioOptions);
        turns.setTurnAudio(interviewId, turnId, written.relative);
        return { path: written.path, bytes: written.bytes, durationMs: written.durationMs };
      });
    },

    getTurnAudioPath(interviewId, turnId) {
      const relative = turns.getTurnAudio(interviewId, turnId);
      return relative ? audio.absolute(relative) : null;
    },

    saveSuggestions: (interviewId, turnId, input) => write('saveSuggestions', interviewId, () => turns.saveSuggestions(interviewId, turnId, input)),
    saveScore: (interviewId, turnId, score) => write('saveScore', interviewId, () => turns.saveScore(interviewId, turnId, score)),
    saveAnalysisFailure: (interviewId, turnId, failure) =>
      write('saveAnalysisFailure', interviewId, () => turns.saveAnalysisFailure(interviewId, turnId, failure)),
    clearAnalysisFailure: (interviewId, turnId) => write('clearAnalysisFailure', interviewId, () => turns.clearAnalysisFailure(interviewId, turnId)),
    getInterviewDetail(id) {
      const detail = turns.getInterviewDetail(id);
      const analysis = detail ? jobs.progressOf([id]).get(id) : undefined;
      return detail && analysis ? { ...detail, analysis } : detail;
    },
    setAnswer: (interviewId, turnIds, answerOptions) => write('setAnswer', interviewId, () => answers.setAnswer(interviewId, turnIds, answerOptions)),
    setTurnRole: (interviewId, turnId, role) => write('setTurnRole', interviewId, () => answers.setTurnRole(interviewId, turnId, role)),
    correctTurnText: (interviewId, turnId, text) => write('correctTurnText', interviewId, () => answers.correctTurnText(interviewId, turnId, text)),

    deleteTranscript: (interviewId) =>
      writeAsync('deleteTranscript', interviewId, async () => {
        const deleted = turns.deleteTurns(interviewId);
        checkpointAfterDelete(db);
        await audio.removeFolder(interviewId);
        return deleted;
      }),

    deleteInterview: (id) =>
      writeAsync('deleteInterview', id, async () => {
        const deleted = interviews.deleteRow(id);
        checkpointAfterDelete(db);
        // Rows first: if removing the folder fails, the orphan sweep of the next retention run finishes the job.
        await audio.removeFolder(id);
        return deleted;
      }),

    applyRetention: (nowMs = now(), retentionOptions = {}) => writeAsync('applyRetention', null, () => purge.applyRetention(nowMs, retentionOptions)),
    recoverInterruptedProcessing: (message) => writeAsync('recoverInterruptedProcessing', null, () => purge.recoverInterruptedProcessing(message)),
    storageHealth: storage.health,
    onWriteFailure: storage.onWriteFailure,
    analysisJobs: {
      putJob: (job) => write('putAnalysisJob', job.interviewId, () => jobs.putJob(job)),
      setJobState: (interviewId, answerId, state, error) => write('setAnalysisJobState', interviewId, () => jobs.setJobState(interviewId, answerId, state, error)),
      getJob: jobs.getJob,
      unfinishedJobs: jobs.unfinishedJobs,
      jobsOf: jobs.jobsOf,
      deleteJob: (interviewId, answerId) => write('deleteAnalysisJob', interviewId, () => jobs.deleteJob(interviewId, answerId)),
      progressOf: jobs.progressOf,
    },

    close() {
      db.close();
    },
  };
}
