/**
 * Who may see what: an interview (live, recorded or automated) and a screening belong to the user who created them;
 * interviews can be shared with other users; admins see everything. Live sessions without storage are owned in memory.
 */
import type Database from 'better-sqlite3';
import type { User } from './auth-store.ts';

/** The signed-in caller of a request or a socket. */
export interface Caller {
  user: User;
  /** How the caller proved who they are: the browser's session cookie or an API token. */
  via: 'cookie' | 'token';
}

/** Ownership checks and records. */
export interface Access {
  /** Records `userId` as the owner of an interview that has none yet (and of a live session without storage). */
  claimInterview(interviewId: string, userId: string): void;
  /** True when the user owns the interview, it was shared with them, or they are an admin. */
  canAccessInterview(user: User, interviewId: string): boolean;
  /** True when the user is the interview's owner (sharing is the owner's, or an admin's). */
  ownsInterview(user: User, interviewId: string): boolean;
  /** Shares an interview with another user (idempotent). */
  shareInterview(interviewId: string, userId: string): void;
  /** The users an interview is shared with. */
  sharesOf(interviewId: string): string[];
  claimScreening(screeningId: string, userId: string): void;
  /** Forgets a deleted screening's owner. */
  forgetScreening(screeningId: string): void;
  canAccessScreening(user: User, screeningId: string): boolean;
  /** The `visibleTo` filter of the interview list: undefined for admins (everything), else the user's id. */
  listFilterOf(user: User): string | undefined;
}

/** Ownership on the database's tables (migration 3). */
export function createAccess(db: Database.Database, now: () => number = Date.now): Access {
  const memoryOwners = new Map<string, string>();
  const s = {
    claim: db.prepare('UPDATE interviews SET owner_id = ? WHERE id = ? AND owner_id IS NULL'),
    visible: db.prepare(`SELECT EXISTS (SELECT 1 FROM interviews WHERE id = @id AND owner_id = @user)
      OR EXISTS (SELECT 1 FROM interview_shares WHERE interview_id = @id AND user_id = @user) AS ok`),
    share: db.prepare('INSERT OR IGNORE INTO interview_shares (interview_id, user_id, created_at) VALUES (?, ?, ?)'),
    owner: db.prepare('SELECT owner_id FROM interviews WHERE id = ?'),
    shares: db.prepare('SELECT user_id FROM interview_shares WHERE interview_id = ? ORDER BY created_at'),
    claimScreening: db.prepare('INSERT OR IGNORE INTO screening_owners (screening_id, owner_id, created_at) VALUES (?, ?, ?)'),
    screening: db.prepare('SELECT owner_id FROM screening_owners WHERE screening_id = ?'),
    forgetScreening: db.prepare('DELETE FROM screening_owners WHERE screening_id = ?'),
  };
  return {
    claimInterview(interviewId, userId) {
      if (s.owner.get(interviewId) !== undefined) {
        // A stored interview: only one without an owner can be claimed, once.
        s.claim.run(userId, interviewId);
        return;
      }
      // Not stored (an app without storage, or a write that failed): owned in memory, bounded, oldest entries first.
      if (!memoryOwners.has(interviewId)) memoryOwners.set(interviewId, userId);
      if (memoryOwners.size > 10_000) memoryOwners.delete(memoryOwners.keys().next().value as string);
    },
    canAccessInterview(user, interviewId) {
      if (user.role === 'admin') return true;
      if (memoryOwners.get(interviewId) === user.id) return true;
      return (s.visible.get({ id: interviewId, user: user.id }) as { ok: number }).ok === 1;
    },
    ownsInterview(user, interviewId) {
      if (memoryOwners.get(interviewId) === user.id) return true;
      return (s.owner.get(interviewId) as { owner_id: string | null } | undefined)?.owner_id === user.id;
    },
    shareInterview(interviewId, userId) {
      s.share.run(interviewId, userId, now());
    },
    sharesOf: (interviewId) => (s.shares.all(interviewId) as { user_id: string }[]).map((row) => row.user_id),
    claimScreening(screeningId, userId) {
      s.claimScreening.run(screeningId, userId, now());
    },
    forgetScreening(screeningId) {
      s.forgetScreening.run(screeningId);
    },
    canAccessScreening(user, screeningId) {
      if (user.role === 'admin') return true;
      return (s.screening.get(screeningId) as { owner_id: string } | undefined)?.owner_id === user.id;
    },
    listFilterOf: (user) => (user.role === 'admin' ? undefined : user.id),
  };
}
