import type Database from 'better-sqlite3';
import type { InterviewList, InterviewListQuery, InterviewMode, InterviewState, InterviewStatus, InterviewSummary } from '../../protocol/interviews.ts';
import type { Language } from '../../protocol/schemas.ts';
import { samplesToMs } from '../../protocol/audio.ts';

/**
 * Filters of `listInterviews`; every field optional (newest first, 20 a page). `visibleTo` (a user id) keeps the
 * interviews that user owns or that were shared with them; absent, every interview is listed (an admin).
 */
export type ListOptions = Partial<InterviewListQuery> & { visibleTo?: string | undefined };

/** The ownership condition: part of the WHERE clause, so paging and totals count only what the user may see. */
const VISIBLE = `(i.owner_id = @visibleTo OR i.id IN (SELECT s.interview_id FROM interview_shares s WHERE s.user_id = @visibleTo))`;

interface SummaryRow {
  id: string;
  title: string | null;
  role: string | null;
  candidate_name: string | null;
  language: Language;
  mode: InterviewMode;
  status: InterviewStatus;
  status_message: string | null;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
  turn_count: number;
  answer_count: number;
  scored_count: number;
  failed_count: number;
  pending_count: number;
  last_end_ms: number | null;
  heard_samples: number | null;
  state: InterviewState;
}

// Per-interview counters: each subquery walks one interview's rows by the primary keys that start with interview_id.
// With analysis jobs (one per answer, an answer may span turns) answers and pending come from them; interviews from
// before the jobs count candidate turns.
const HAS_JOBS = `EXISTS (SELECT 1 FROM analysis_jobs j WHERE j.interview_id = i.id)`;
const COLUMNS = `
  i.id, i.title, i.role, i.candidate_name, i.language, i.mode, i.status, i.status_message, i.created_at, i.updated_at, i.ended_at,
  (SELECT COUNT(*) FROM turns t WHERE t.interview_id = i.id) AS turn_count,
  CASE WHEN ${HAS_JOBS} THEN (SELECT COUNT(*) FROM analysis_jobs j WHERE j.interview_id = i.id)
    ELSE (SELECT COUNT(*) FROM turns t WHERE t.interview_id = i.id AND t.channel = 'candidate') END AS answer_count,
  (SELECT COUNT(*) FROM scores s WHERE s.interview_id = i.id AND s.label = 'answer') AS scored_count,
  (SELECT COUNT(*) FROM analysis_failures f WHERE f.interview_id = i.id) AS failed_count,
  CASE WHEN ${HAS_JOBS} THEN (SELECT COUNT(*) FROM analysis_jobs j WHERE j.interview_id = i.id AND j.state IN ('queued', 'running'))
    ELSE (SELECT COUNT(*) FROM turns t WHERE t.interview_id = i.id AND t.channel = 'candidate'
     AND NOT EXISTS (SELECT 1 FROM scores s WHERE s.interview_id = t.interview_id AND s.turn_id = t.id)
     AND NOT EXISTS (SELECT 1 FROM analysis_failures f WHERE f.interview_id = t.interview_id AND f.turn_id = t.id)) END AS pending_count,
  (SELECT MAX(t.end_ms) FROM turns t WHERE t.interview_id = i.id) AS last_end_ms,
  (SELECT MAX(c.samples_received) FROM channels c WHERE c.interview_id = i.id) AS heard_samples`;

const STATE = `CASE WHEN status IN ('live', 'processing', 'failed') THEN status WHEN pending_count > 0 THEN 'scoring' ELSE 'done' END`;

/** Longest search: words beyond it are ignored (each word is one FTS lookup). */
const MAX_TERMS = 6;

/** Splits a search into words; a word in double quotes may contain spaces. */
export function searchTerms(q: string | undefined): string[] {
  if (!q) return [];
  const terms = [...q.matchAll(/"([^"]+)"|(\S+)/g)].map((m) => (m[1] ?? m[2] ?? '').trim()).filter(Boolean);
  return terms.slice(0, MAX_TERMS);
}

/**
 * One word's condition on `i`: the trigram index answers words of 3+ characters (MATCH on a quoted phrase); shorter
 * ones (two Chinese characters, say) fall back to LIKE over the rows themselves, a scan (measured in test/bench/interviews.ts).
 */
function termCondition(term: string, index: number, params: Record<string, unknown>): string {
  const key = `term${index}`;
  if ([...term].length >= 3) {
    params[key] = `"${term.replaceAll('"', '""')}"`;
    return `(i.rowid IN (SELECT rowid FROM interviews_fts WHERE interviews_fts MATCH @${key})
      OR i.id IN (SELECT t.interview_id FROM turns_fts JOIN turns t ON t.rowid = turns_fts.rowid WHERE turns_fts MATCH @${key}))`;
  }
  params[key] = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return `(i.candidate_name LIKE @${key} ESCAPE '\\' OR i.role LIKE @${key} ESCAPE '\\' OR i.title LIKE @${key} ESCAPE '\\'
    OR i.id IN (SELECT t.interview_id FROM turns t WHERE t.text LIKE @${key} ESCAPE '\\'))`;
}

/** The WHERE clause and its parameters for the filters that need no counters. */
function whereOf(options: ListOptions): { where: string; params: Record<string, unknown> } {
  const conditions: string[] = [];
  const params: Record<string, unknown> = {};
  if (options.visibleTo !== undefined) {
    conditions.push(VISIBLE);
    params.visibleTo = options.visibleTo;
  }
  if (options.status) {
    conditions.push('i.status = @status');
    params.status = options.status;
  }
  if (options.role !== undefined) {
    conditions.push('i.role = @role');
    params.role = options.role;
  }
  if (options.from !== undefined) {
    conditions.push('i.created_at >= @from');
    params.from = options.from;
  }
  if (options.to !== undefined) {
    conditions.push('i.created_at < @to');
    params.to = options.to;
  }
  searchTerms(options.q).forEach((term, index) => conditions.push(termCondition(term, index, params)));
  return { where: conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

function toSummary(row: SummaryRow): InterviewSummary {
  return {
    id: row.id,
    title: row.title,
    role: row.role,
    candidateName: row.candidate_name,
    language: row.language,
    mode: row.mode,
    status: row.status,
    statusMessage: row.status_message,
    createdAtMs: row.created_at,
    updatedAtMs: row.updated_at,
    endedAtMs: row.ended_at,
    counts: { turns: row.turn_count, answers: row.answer_count, scored: row.scored_count, failed: row.failed_count, pending: row.pending_count },
    state: row.state,
    // The audio heard, not only up to the last turn (a quiet end, finals still decoding): as interviewDurationMs.
    durationMs: Math.max(row.last_end_ms ?? 0, samplesToMs(row.heard_samples ?? 0)),
  };
}

/**
 * The interview list: newest first (index `interviews_by_created`, or `interviews_by_role` / `interviews_by_status` when
 * filtered), counters per row, text search through the FTS5 trigram tables (see search-migration.ts). Only the page's
 * rows get their counters computed unless the `state` filter needs them for every candidate row.
 */
export function createInterviewList(db: Database.Database): { list(options?: ListOptions): InterviewList; roles(visibleTo?: string): string[] } {
  const cache = new Map<string, { page: Database.Statement; count: Database.Statement }>();
  const statementsFor = (where: string, byState: boolean) => {
    const key = `${byState}|${where}`;
    let found = cache.get(key);
    if (!found) {
      const inner = `SELECT ${COLUMNS} FROM interviews i ${where}`;
      const page = byState
        ? `SELECT * FROM (SELECT *, ${STATE} AS state FROM (${inner})) WHERE state = @state ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`
        : `SELECT *, ${STATE} AS state FROM (${inner} ORDER BY i.created_at DESC, i.id DESC LIMIT @limit OFFSET @offset)`;
      const count = byState
        ? `SELECT COUNT(*) AS n FROM (SELECT ${STATE} AS state FROM (${inner})) WHERE state = @state`
        : `SELECT COUNT(*) AS n FROM interviews i ${where}`;
      found = { page: db.prepare(page), count: db.prepare(count) };
      // Keyed by the SQL shape (which filters are present, how many words), so the cache stays small.
      if (cache.size < 200) cache.set(key, found);
    }
    return found;
  };
  const rolesStatement = db.prepare('SELECT DISTINCT role FROM interviews WHERE role IS NOT NULL AND role <> \'\' ORDER BY role');
  const visibleRolesStatement = db.prepare(
    `SELECT DISTINCT i.role FROM interviews i WHERE i.role IS NOT NULL AND i.role <> '' AND ${VISIBLE} ORDER BY i.role`,
  );

  return {
    list(options = {}) {
      const limit = Math.min(100, Math.max(1, Math.trunc(options.limit ?? 20)));
      const offset = Math.max(0, Math.trunc(options.offset ?? 0));
      const { where, params } = whereOf(options);
      const byState = options.state !== undefined;
      if (byState) params.state = options.state;
      const statements = statementsFor(where, byState);
      const rows = statements.page.all({ ...params, limit, offset }) as SummaryRow[];
      const total = (statements.count.get(params) as { n: number }).n;
      return { items: rows.map(toSummary), total, limit, offset };
    },
    roles(visibleTo) {
      const rows = visibleTo === undefined ? rolesStatement.all() : visibleRolesStatement.all({ visibleTo });
      return (rows as { role: string }[]).map((row) => row.role);
    },
  };
}
