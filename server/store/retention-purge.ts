import type Database from 'better-sqlite3';
import type { InterviewRows } from './interview-rows.ts';
import type { InterviewRepository, RetentionResult } from './repository-types.ts';
import type { TurnAudioFiles } from './turn-audio.ts';
import type { TurnRows } from './turn-rows.ts';

const DAY_MS = 86_400_000;

/** The parts retention and recovery work on. */
export interface PurgeParts {
  db: Database.Database;
  interviews: InterviewRows;
  turns: TurnRows;
  audio: TurnAudioFiles;
}

/** What `createPurge` returns: the repository's retention and recovery calls, with the clock passed in. */
export interface Purge {
  applyRetention(nowMs: number): Promise<RetentionResult>;
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
    markTranscriptPurged: db.prepare(
      'UPDATE interviews SET transcript_purged_at = @now, audio_purged_at = COALESCE(audio_purged_at, @now) WHERE id = @id',
    ),
    interruptedJobs: db.prepare('SELECT id FROM interviews WHERE recording_job_id IS NOT NULL'),
  };

  return {
    async applyRetention(nowMs) {
      const result: RetentionResult = { audioPurged: [], transcriptsPurged: [], orphanFoldersRemoved: 0, tempFilesRemoved: 0 };
      for (const { id } of statements.dueForTranscriptPurge.all({ now: nowMs }) as { id: string }[]) {
        db.transaction(() => {
          turns.deleteTurns(id);
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
      for (const id of ids) await audio.removeFolder(id);
      return ids;
    },
  };
}
