import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Channel, Language } from '../../protocol/schemas.ts';
import {
  Consent,
  InterviewContext,
  type Interview,
  type InterviewMode,
  type InterviewStatus,
} from '../../protocol/interviews.ts';
import { createInterviewList } from './interview-list.ts';
import { parseStoredOrThrow, withForeignKey } from './database.ts';
import { RepositoryError, type ChannelResume, type InterviewRepository } from './repository-types.ts';

interface InterviewRow {
  id: string;
  title: string | null;
  role: string | null;
  job_description: string | null;
  resume: string | null;
  candidate_name: string | null;
  language: Language;
  mode: InterviewMode;
  context: string;
  status: InterviewStatus;
  status_message: string | null;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
  audio_retention_days: number | null;
  transcript_retention_days: number | null;
  consent: string | null;
  audio_purged_at: number | null;
  transcript_purged_at: number | null;
}

function toInterview(row: InterviewRow): Interview {
  const where = `interview ${row.id}`;
  return {
    id: row.id,
    title: row.title,
    role: row.role,
    jobDescription: row.job_description,
    resume: row.resume,
    candidateName: row.candidate_name,
    language: row.language,
    mode: row.mode,
    context: parseStoredOrThrow(InterviewContext, row.context, `${where} context`),
    status: row.status,
    statusMessage: row.status_message,
    createdAtMs: row.created_at,
    updatedAtMs: row.updated_at,
    endedAtMs: row.ended_at,
    audioRetentionDays: row.audio_retention_days,
    transcriptRetentionDays: row.transcript_retention_days,
    consent: row.consent === null ? null : parseStoredOrThrow(Consent, row.consent, `${where} consent`),
    audioPurgedAtMs: row.audio_purged_at,
    transcriptPurgedAtMs: row.transcript_purged_at,
  };
}

/** The interview-level calls of the repository: interview rows and channel resume points. */
export type InterviewRows = Pick<
  InterviewRepository,
  | 'createInterview'
  | 'getInterview'
  | 'listInterviews'
  | 'listRoles'
  | 'updateInterview'
  | 'updateInterviewStatus'
  | 'saveChannelProgress'
  | 'getChannelProgress'
> & {
  /** Deletes the interview row (its turns, channels and analyses cascade); false if it did not exist. */
  deleteRow(id: string): boolean;
};

/** The prepared statements of the `interviews` and `channels` tables. */
function interviewStatements(db: Database.Database) {
  return {
    insert: db.prepare(`
      INSERT INTO interviews (id, title, role, job_description, resume, candidate_name, language, mode, context, status,
        created_at, updated_at, audio_retention_days, transcript_retention_days, consent, owner_id)
      VALUES (@id, @title, @role, @job_description, @resume, @candidate_name, @language, @mode, @context, @status,
        @now, @now, @audio_retention_days, @transcript_retention_days, @consent, @owner_id)`),
    get: db.prepare('SELECT * FROM interviews WHERE id = ?'),
    updateStatus: db.prepare(`
      UPDATE interviews SET status = @status, status_message = @message, updated_at = @now, recording_job_id = @job,
        ended_at = CASE WHEN @status IN ('live', 'processing') THEN ended_at ELSE COALESCE(ended_at, @now) END
      WHERE id = @id`),
    upsertChannel: db.prepare(`
      INSERT INTO channels (interview_id, channel, next_seq, samples_received, updated_at)
      VALUES (@interview_id, @channel, @next_seq, @samples_received, @now)
      ON CONFLICT (interview_id, channel) DO UPDATE SET
        next_seq = excluded.next_seq, samples_received = excluded.samples_received, updated_at = excluded.updated_at`),
    getChannels: db.prepare('SELECT channel, next_seq, samples_received FROM channels WHERE interview_id = ? ORDER BY channel DESC'),
    delete: db.prepare('DELETE FROM interviews WHERE id = ?'),
  };
}

/** SQL of the `interviews` and `channels` tables. */
export function createInterviewRows(db: Database.Database, now: () => number): InterviewRows {
  const statements = interviewStatements(db);

  const list = createInterviewList(db);
  const getInterview = (id: string): Interview | null => {
    const row = statements.get.get(id) as InterviewRow | undefined;
    return row ? toInterview(row) : null;
  };

  return {
    createInterview(input) {
      const id = input.id ?? randomUUID();
      const context = InterviewContext.parse(input.context ?? {});
      const consent = input.consent == null ? null : Consent.parse(input.consent);
      statements.insert.run({
        id,
        title: input.title ?? null,
        role: input.role ?? null,
        job_description: input.jobDescription ?? null,
        resume: input.resume ?? null,
        candidate_name: input.candidateName ?? null,
        language: input.language,
        mode: input.mode,
        context: JSON.stringify(context),
        status: input.status ?? 'live',
        now: now(),
        audio_retention_days: input.audioRetentionDays ?? null,
        transcript_retention_days: input.transcriptRetentionDays ?? null,
        consent: consent === null ? null : JSON.stringify(consent),
        owner_id: input.ownerId ?? null,
      });
      const created = getInterview(id);
      if (!created) throw new Error(`interview ${id} vanished right after insert`);
      return created;
    },

    getInterview,

    listInterviews: (options = {}) => list.list(options),
    listRoles: (visibleTo) => list.roles(visibleTo),

    updateInterview(id, patch) {
      const columns: Record<string, unknown> = {};
      if (patch.title !== undefined) columns.title = patch.title;
      if (patch.role !== undefined) columns.role = patch.role;
      if (patch.candidateName !== undefined) columns.candidate_name = patch.candidateName;
      if (patch.jobDescription !== undefined) columns.job_description = patch.jobDescription;
      if (patch.resume !== undefined) columns.resume = patch.resume;
      if (patch.context !== undefined) columns.context = JSON.stringify(InterviewContext.parse(patch.context));
      if (patch.audioRetentionDays !== undefined) columns.audio_retention_days = patch.audioRetentionDays;
      if (patch.transcriptRetentionDays !== undefined) columns.transcript_retention_days = patch.transcriptRetentionDays;
      if (patch.consent !== undefined) columns.consent = patch.consent === null ? null : JSON.stringify(Consent.parse(patch.consent));
      const names = Object.keys(columns);
      // Column names come from the fixed list above, never from the caller.
      const sets = [...names.map((name) => `${name} = @${name}`), 'updated_at = @updated_at'].join(', ');
      const result = db.prepare(`UPDATE interviews SET ${sets} WHERE id = @id`).run({ ...columns, updated_at: now(), id });
      return result.changes === 0 ? null : getInterview(id);
    },

    updateInterviewStatus(id, status, options = {}) {
      const result = statements.updateStatus.run({ id, status, message: options.message ?? null, job: options.recordingJobId ?? null, now: now() });
      return result.changes === 0 ? null : getInterview(id);
    },

    saveChannelProgress(interviewId, channel, nextSeq, samplesReceived) {
      withForeignKey(
        () => statements.upsertChannel.run({ interview_id: interviewId, channel, next_seq: nextSeq, samples_received: samplesReceived, now: now() }),
        () => new RepositoryError('unknown-interview', `no interview ${interviewId}`),
      );
    },

    getChannelProgress(interviewId) {
      const rows = statements.getChannels.all(interviewId) as { channel: Channel; next_seq: number; samples_received: number }[];
      const progress: Partial<Record<Channel, ChannelResume>> = {};
      for (const row of rows) progress[row.channel] = { nextSeq: row.next_seq, samplesReceived: row.samples_received };
      return progress;
    },

    deleteRow(id) {
      return statements.delete.run(id).changes > 0;
    },
  };
}
