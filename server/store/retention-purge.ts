import type Database from 'better-sqlite3';
import type { InterviewRows } from './interview-rows.ts';
import { checkpointAfterDelete } from './database.ts';
import type { InterviewRepository, RetentionOptions, RetentionResult } from './repository-types.ts';
import type { TurnAudioFiles } from './turn-audio.ts';
import type { TurnRows } from './turn-rows.ts';

const DAY_MS = 86_400_000;
/** A live session stores its resume point about once a second: a day without a write means its process died. */
const STALE_LIVE_MS = DAY_MS;
const STALE_LIVE_MESSAGE = 'interrupted: the server stopped during the interview';

/** The parts retention and recovery work on. */
export interface PurgeParts {
  db: Database.Database;
  interviews: InterviewRows;
  turns: TurnRows;
  audio: TurnAudioFiles;
}

/** What `createPurge` returns: the repository's retention and recovery calls, with the clock passed in. */
export interface Purge {
  applyRetention(nowMs: number, options: RetentionOptions): Promise<RetentionResult>;
  recoverInterruptedProcessing: InterviewRepository['recoverInterruptedProcessing'];
}

/** Retention (per-interview audio and transcript lifetimes, orphan sweep) and start-up recovery of dead upload jobs. */
export function createPurge(parts: PurgeParts): Purge {
  const { db, interviews, turns, audio } = parts;
  const statements = {
    allIds: db.prepare('SELECT id FROM interviews'),
    dueForAudioPurge: db.prepare(`
      SELECT id FROM interviews
      WHERE audio_retention_days IS NOT NULL AND audio_purged_at IS NULL AND status NOT IN ('live', 'processing')
        AND COALESCE(ended_at, updated_at) + audio_retention_days * ${DAY_MS} <= @now`),
    dueForTranscriptPurge: db.prepare(`
      SELECT id FROM interviews
      WHERE transcript_retention_days IS NOT NULL AND transcript_purged_at IS NULL AND status NOT IN ('live', 'processing')
        AND COALESCE(ended_at, updated_at) + transcript_retention_days * ${DAY_MS} <= @now`),
    markAudioPurged: db.prepare('UPDATE interviews SET audio_purged_at = @now WHERE id = @id'),
    // The résumé, job description and candidate name go with the transcript: they are the personal part of the row.
    markTranscriptPurged: db.prepare(`
      UPDATE interviews SET transcript_purged_at = @now, audio_purged_at = COALESCE(audio_purged_at, @now),
        resume = NULL, job_description = NULL, candidate_name = NULL
      WHERE id = @id`),
    // The last write of a live interview is its row or, while nobody speaks, its channels' resume points.
    staleLive: db.prepare(`
      SELECT i.id FROM interviews i
      WHERE i.status = 'live'
        AND MAX(i.updated_at, COALESCE((SELECT MAX(c.updated_at) FROM channels c WHERE c.interview_id = i.id), 0)) <= @before`),
    stopStale: db.prepare(`
      UPDATE interviews SET status = 'stopped', status_message = @message, ended_at = COALESCE(ended_at, updated_at)
      WHERE id = @id AND status = 'live'`),
    hasAutomatedEvents: db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'automated_events'"),
    interruptedJobs: db.prepare('SELECT id FROM interviews WHERE recording_job_id IS NOT NULL'),
  };

  return {
    async applyRetention(nowMs, options) {
      const result: RetentionResult = { audioPurged: [], transcriptsPurged: [], orphanFoldersRemoved: 0, tempFilesRemoved: 0, staleLiveStopped: [] };
      const before = nowMs - (options.staleLiveAfterMs ?? STALE_LIVE_MS);
      // Without `isActive` nobody can tell a crashed session from one running in another process: leave live ones alone.
      const staleLive = options.isActive ? (statements.staleLive.all({ before }) as { id: string }[]) : [];
      for (const { id } of staleLive) {
        if (options.isActive?.(id)) continue;
        // ended_at becomes the last write, so retention counts from when the interview really went quiet.
        if (statements.stopStale.run({ id, message: STALE_LIVE_MESSAGE }).changes > 0) result.staleLiveStopped.push(id);
      }
      // The automated interviewer's timeline (server/automated) repeats questions and answers: it goes with the transcript.
      const deleteTimeline = statements.hasAutomatedEvents.get() ? db.prepare('DELETE FROM automated_events WHERE interview_id = ?') : null;
      for (const { id } of statements.dueForTranscriptPurge.all({ now: nowMs }) as { id: string }[]) {
        db.transaction(() => {
          turns.deleteTurns(id);
          deleteTimeline?.run(id);
          statements.markTranscriptPurged.run({ id, now: nowMs });
        })();
        await audio.removeFolder(id);
        result.transcriptsPurged.push(id);
      }
      for (const { id } of statements.dueForAudioPurge.all({ now: nowMs }) as { id: string }[]) {
        db.transaction(() => {
          turns.clearAudioPaths(id);
          statements.markAudioPurged.run({ id, now: nowMs });
        })();
        await audio.removeFolder(id);
        result.audioPurged.push(id);
      }
      if (result.transcriptsPurged.length + result.audioPurged.length > 0) checkpointAfterDelete(db);
      const known = (statements.allIds.all() as { id: string }[]).map((row) => row.id);
      const swept = await audio.sweep(known, nowMs);
      return { ...result, ...swept };
    },

    async recoverInterruptedProcessing(message) {
      const ids = db.transaction(() => {
        const found = (statements.interruptedJobs.all() as { id: string }[]).map((row) => row.id);
        for (const id of found) {
          turns.deleteTurns(id);
          interviews.updateInterviewStatus(id, 'failed', { message });
        }
        return found;
      })();
      if (ids.length > 0) checkpointAfterDelete(db);
      for (const id of ids) await audio.removeFolder(id);
      return ids;
    },
  };
}
