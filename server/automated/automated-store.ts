/**
 * What automated interviews keep beyond the shared interview rows: the plan (time budget, turn-taking overrides), the
 * interview's automated state, candidate links (for revocation) and a timeline of events (questions asked, Viva's
 * speech, answers, disconnects). Tables live in the same SQLite file as server/store's, on their own connection, and
 * cascade-delete with their interview.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { z } from 'zod';
import {
  AutomatedEndReason,
  AutomatedState,
  TurnTakingOverrides,
  type AutomatedEventRecord,
  type CandidateLink,
} from '../../protocol/automated.ts';

/** The plan an automated interview runs with. */
export const AutomatedPlan = z.object({
  timeBudgetMs: z.number().int().positive(),
  turnTaking: TurnTakingOverrides.default({}),
});
export type AutomatedPlan = z.infer<typeof AutomatedPlan>;

/** One automated interview's own record. */
export interface AutomatedRecord {
  interviewId: string;
  plan: AutomatedPlan;
  state: AutomatedState;
  consentAtMs: number | null;
  startedAtMs: number | null;
  endedAtMs: number | null;
  endReason: AutomatedEndReason | null;
  createdAtMs: number;
}

/** Fields `update` may change. */
export type AutomatedPatch = Partial<Pick<AutomatedRecord, 'state' | 'consentAtMs' | 'startedAtMs' | 'endedAtMs' | 'endReason'>>;

/** Storage of automated interviews, links and their timelines. Calls are synchronous and commit at once. */
export interface AutomatedStore {
  /** Adds the automated record of an interview that exists in the `interviews` table. */
  create(interviewId: string, plan: AutomatedPlan, nowMs: number): AutomatedRecord;
  get(interviewId: string): AutomatedRecord | null;
  update(interviewId: string, patch: AutomatedPatch, nowMs: number): AutomatedRecord | null;
  createLink(interviewId: string, expiresAtMs: number, nowMs: number): CandidateLink;
  getLink(linkId: string): CandidateLink | null;
  listLinks(interviewId: string): CandidateLink[];
  /** Marks a link revoked; false when unknown or already revoked. */
  revokeLink(linkId: string, nowMs: number): boolean;
  /** Appends one timeline event. */
  appendEvent(interviewId: string, type: string, data: Record<string, unknown>, atMs: number): void;
  events(interviewId: string): AutomatedEventRecord[];
  close(): void;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS automated_interviews (
    interview_id TEXT PRIMARY KEY REFERENCES interviews (id) ON DELETE CASCADE,
    plan TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('invited', 'consented', 'running', 'ended')),
    consent_at INTEGER,
    started_at INTEGER,
    ended_at INTEGER,
    end_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS automated_links (
    id TEXT PRIMARY KEY,
    interview_id TEXT NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) STRICT;
  CREATE INDEX IF NOT EXISTS automated_links_by_interview ON automated_links (interview_id);
  CREATE TABLE IF NOT EXISTS automated_events (
    interview_id TEXT NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (interview_id, seq)
  ) STRICT;
`;

interface RecordRow {
  interview_id: string;
  plan: string;
  state: AutomatedState;
  consent_at: number | null;
  started_at: number | null;
  ended_at: number | null;
  end_reason: string | null;
  created_at: number;
}

interface LinkRow {
  id: string;
  interview_id: string;
  expires_at: number;
  created_at: number;
  revoked_at: number | null;
}

function toLink(row: LinkRow): CandidateLink {
  return { linkId: row.id, interviewId: row.interview_id, expiresAtMs: row.expires_at, createdAtMs: row.created_at, revokedAtMs: row.revoked_at };
}

function toRecord(row: RecordRow): AutomatedRecord {
  const plan = AutomatedPlan.safeParse(JSON.parse(row.plan));
  if (!plan.success) throw new Error(`automated interview ${row.interview_id}: stored plan is invalid (${plan.error.issues[0]?.message})`);
  const reason = row.end_reason === null ? null : AutomatedEndReason.parse(row.end_reason);
  return {
    interviewId: row.interview_id,
    plan: plan.data,
    state: AutomatedState.parse(row.state),
    consentAtMs: row.consent_at,
    startedAtMs: row.started_at,
    endedAtMs: row.ended_at,
    endReason: reason,
    createdAtMs: row.created_at,
  };
}

/**
 * Opens the automated tables in the SQLite database at `dbPath` (the file server/store's repository uses; its
 * `interviews` table must exist). Tables are created if missing; the repository's own migrations are not touched.
 */
export function openAutomatedStore(dbPath: string): AutomatedStore {
  const db = new Database(dbPath);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const hasInterviews = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'interviews'").get();
    if (!hasInterviews) throw new Error(`${dbPath} has no interviews table: open the interview repository (server/store) on it first`);
    db.exec(SCHEMA);
  } catch (error) {
    db.close();
    throw error;
  }
  const statements = {
    insert: db.prepare(
      `INSERT INTO automated_interviews (interview_id, plan, state, created_at, updated_at) VALUES (?, ?, 'invited', ?, ?)`,
    ),
    get: db.prepare('SELECT * FROM automated_interviews WHERE interview_id = ?'),
    update: db.prepare(`
      UPDATE automated_interviews SET state = @state, consent_at = @consent_at, started_at = @started_at,
        ended_at = @ended_at, end_reason = @end_reason, updated_at = @now
      WHERE interview_id = @interview_id`),
    insertLink: db.prepare('INSERT INTO automated_links (id, interview_id, expires_at, created_at) VALUES (?, ?, ?, ?)'),
    getLink: db.prepare('SELECT * FROM automated_links WHERE id = ?'),
    listLinks: db.prepare('SELECT * FROM automated_links WHERE interview_id = ? ORDER BY created_at, id'),
    revokeLink: db.prepare('UPDATE automated_links SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    nextSeq: db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM automated_events WHERE interview_id = ?'),
    insertEvent: db.prepare('INSERT INTO automated_events (interview_id, seq, at, type, data) VALUES (?, ?, ?, ?, ?)'),
    events: db.prepare('SELECT at, type, data FROM automated_events WHERE interview_id = ? ORDER BY seq'),
  };
  const appendEvent = db.transaction((interviewId: string, type: string, data: string, atMs: number) => {
    const { seq } = statements.nextSeq.get(interviewId) as { seq: number };
    statements.insertEvent.run(interviewId, seq, atMs, type, data);
  });

  const store: AutomatedStore = {
    create(interviewId, plan, nowMs) {
      statements.insert.run(interviewId, JSON.stringify(AutomatedPlan.parse(plan)), nowMs, nowMs);
      const created = store.get(interviewId);
      if (!created) throw new Error(`automated interview ${interviewId} was not stored`);
      return created;
    },
    get(interviewId) {
      const row = statements.get.get(interviewId) as RecordRow | undefined;
      return row ? toRecord(row) : null;
    },
    update(interviewId, patch, nowMs) {
      const current = store.get(interviewId);
      if (!current) return null;
      const next = { ...current, ...patch };
      statements.update.run({
        interview_id: interviewId,
        state: next.state,
        consent_at: next.consentAtMs,
        started_at: next.startedAtMs,
        ended_at: next.endedAtMs,
        end_reason: next.endReason,
        now: nowMs,
      });
      return store.get(interviewId);
    },
    createLink(interviewId, expiresAtMs, nowMs) {
      const id = `l_${randomUUID().replaceAll('-', '')}`;
      statements.insertLink.run(id, interviewId, expiresAtMs, nowMs);
      return { linkId: id, interviewId, expiresAtMs, createdAtMs: nowMs, revokedAtMs: null };
    },
    getLink(linkId) {
      const row = statements.getLink.get(linkId) as LinkRow | undefined;
      return row ? toLink(row) : null;
    },
    listLinks(interviewId) {
      return (statements.listLinks.all(interviewId) as LinkRow[]).map(toLink);
    },
    revokeLink(linkId, nowMs) {
      return statements.revokeLink.run(nowMs, linkId).changes > 0;
    },
    appendEvent(interviewId, type, data, atMs) {
      appendEvent(interviewId, type, JSON.stringify(data), atMs);
    },
    events(interviewId) {
      return (statements.events.all(interviewId) as { at: number; type: string; data: string }[]).map((row) => ({
        atMs: row.at,
        type: row.type,
        data: JSON.parse(row.data) as Record<string, unknown>,
      }));
    },
    close() {
      db.close();
    },
  };
  return store;
}
