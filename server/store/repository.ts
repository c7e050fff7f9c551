import path from 'node:path';
import { checkpointAfterDelete, createDatabase } from './database.ts';
import { createInterviewRows } from './interview-rows.ts';
import { RepositoryError, type InterviewRepository, type RepositoryOptions } from './repository-types.ts';
import { createPurge } from './retention-purge.ts';
import { createTurnAudioFiles } from './turn-audio.ts';
import { createTurnRows } from './turn-rows.ts';

export * from './repository-types.ts';

/**
 * Opens (creating if needed) the SQLite database at `dbPath`, applies pending migrations in a transaction, and returns
 * the repository: interview rows (`interview-rows.ts`), turns and analyses (`turn-rows.ts`), turn WAV files
 * (`turn-audio.ts`), retention and recovery (`retention-purge.ts`).
 */
export function createRepository(dbPath: string, options: RepositoryOptions = {}): InterviewRepository {
  const inMemory = dbPath === ':memory:';
  if (inMemory && !options.audioDir) throw new Error('createRepository(":memory:") needs options.audioDir');
  const now = options.now ?? Date.now;
  const audio = createTurnAudioFiles(options.audioDir ?? path.join(path.dirname(dbPath), 'audio'));
  const db = createDatabase(dbPath, options.synchronous);
  const interviews = createInterviewRows(db, now);
  const turns = createTurnRows(db, now, interviews.getInterview);
  const purge = createPurge({ db, interviews, turns, audio });

  return {
    audioDir: audio.audioDir,
    createInterview: interviews.createInterview,
    getInterview: interviews.getInterview,
    listInterviews: interviews.listInterviews,
    listRoles: interviews.listRoles,
    updateInterview: interviews.updateInterview,
    updateInterviewStatus: interviews.updateInterviewStatus,
    saveChannelProgress: interviews.saveChannelProgress,
    getChannelProgress: interviews.getChannelProgress,

    saveTurn(interviewId, turn) {
      const relative = audio.relativePath(interviewId, turn.turnId);
      // The audio may have been written before the final transcript: link it if it is there.
      turns.saveTurn(interviewId, turn, audio.exists(relative) ? relative : null);
    },

    async saveTurnAudio(interviewId, turnId, samples, audioOptions = {}) {
      if (!interviews.getInterview(interviewId)) throw new RepositoryError('unknown-interview', `no interview ${interviewId}`);
      const written = await audio.write(interviewId, turnId, samples, audioOptions);
      turns.setTurnAudio(interviewId, turnId, written.relative);
      return { path: written.path, bytes: written.bytes, durationMs: written.durationMs };
    },

    getTurnAudioPath(interviewId, turnId) {
      const relative = turns.getTurnAudio(interviewId, turnId);
      return relative ? audio.absolute(relative) : null;
    },

    saveSuggestions: turns.saveSuggestions,
    saveScore: turns.saveScore,
    saveAnalysisFailure: turns.saveAnalysisFailure,
    clearAnalysisFailure: turns.clearAnalysisFailure,
    getInterviewDetail: turns.getInterviewDetail,

    async deleteTranscript(interviewId) {
      const deleted = turns.deleteTurns(interviewId);
      checkpointAfterDelete(db);
      await audio.removeFolder(interviewId);
      return deleted;
    },

    async deleteInterview(id) {
      const deleted = interviews.deleteRow(id);
      checkpointAfterDelete(db);
      // Rows first: if removing the folder fails, the orphan sweep of the next retention run finishes the job.
      await audio.removeFolder(id);
      return deleted;
    },

    applyRetention: (nowMs = now(), retentionOptions = {}) => purge.applyRetention(nowMs, retentionOptions),
    recoverInterruptedProcessing: purge.recoverInterruptedProcessing,

    close() {
      db.close();
    },
  };
}
