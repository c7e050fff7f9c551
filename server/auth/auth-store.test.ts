import { describe, expect, it } from 'vitest';
import { createDatabase } from '../store/database.ts';
import { createAccess } from './access.ts';
import { AuthError, createAuthStore } from './auth-store.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

// The account tables on a real (in-memory) SQLite database with migrations applied, and a clock the test moves.

describe('accounts', () => {
  it('stores scrypt hashes, never the password; a wrong password or an unknown name signs nobody in', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(hash).not.toContain('horse');
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false);
    expect(await verifyPassword('anything', 'not-a-hash')).toBe(false);

    const store = createAuthStore(createDatabase(':memory:'));
    const alice = await store.createUser({ name: 'alice', role: 'recruiter', password: 'correct horse battery staple' });
    expect((await store.verifyLogin('ALICE', 'correct horse battery staple'))?.id).toBe(alice.id);
    expect(await store.verifyLogin('alice', 'wrong password here')).toBeNull();
    expect(await store.verifyLogin('nobody', 'correct horse battery staple')).toBeNull();
    await expect(store.createUser({ name: 'Alice', role: 'admin', password: 'another long password' })).rejects.toThrow(AuthError);
    await expect(store.createUser({ name: 'bob', role: 'admin', password: 'short' })).rejects.toThrow(/12 characters/);
    await expect(store.createUser({ name: 'root', role: 'admin', password: 'a long enough password' }, { firstOnly: true })).rejects.toThrow(/already exists/);
  });

  it('a session lasts its time and ends at sign-out; a token works until revoked; only hashes are stored', async () => {
    let nowMs = 1_000_000;
    const db = createDatabase(':memory:');
    const store = createAuthStore(db, { now: () => nowMs, sessionTtlMs: 60_000 });
    const user = await store.createUser({ name: 'carol', role: 'interviewer', password: 'correct horse battery staple' });
    const session = store.createSession(user.id);
    expect(store.sessionOf(session.secret)?.user.name).toBe('carol');
    expect(JSON.stringify(db.prepare('SELECT * FROM auth_sessions').all())).not.toContain(session.secret);
    nowMs += 61_000;
    expect(store.sessionOf(session.secret)).toBeNull();
    const again = store.createSession(user.id);
    store.endSession(again.secret);
    expect(store.sessionOf(again.secret)).toBeNull();

    const { id, token } = store.createToken(user.id, 'ci');
    expect(store.userOfToken(token)?.id).toBe(user.id);
    expect(JSON.stringify(db.prepare('SELECT * FROM api_tokens').all())).not.toContain(token);
    expect(store.revokeToken(id)).toBe(true);
    expect(store.userOfToken(token)).toBeNull();
  });

  it('a disabled user cannot sign in, their sessions end and their tokens stop; a new password signs them out everywhere', async () => {
    const store = createAuthStore(createDatabase(':memory:'));
    await store.createUser({ name: 'dave', role: 'recruiter', password: 'correct horse battery staple' });
    const user = store.findUser('dave')!;
    const session = store.createSession(user.id);
    const { token } = store.createToken(user.id, 'ci');
    expect(store.setDisabled('dave', true)).toBe(true);
    expect(await store.verifyLogin('dave', 'correct horse battery staple')).toBeNull();
    expect(store.sessionOf(session.secret)).toBeNull();
    expect(store.userOfToken(token)).toBeNull();
    expect(store.setDisabled('dave', false)).toBe(true);
    expect(store.userOfToken(token)?.name).toBe('dave');

    const again = store.createSession(user.id);
    expect(await store.setPassword('dave', 'a brand new password')).toBe(true);
    expect(store.sessionOf(again.secret)).toBeNull();
    expect(await store.verifyLogin('dave', 'correct horse battery staple')).toBeNull();
    expect((await store.verifyLogin('dave', 'a brand new password'))?.name).toBe('dave');
    expect(await store.setPassword('nobody', 'a brand new password')).toBe(false);
  });

  it('ownership: the owner and whom it is shared with see an interview; an admin sees all', async () => {
    const db = createDatabase(':memory:');
    const store = createAuthStore(db);
    const access = createAccess(db);
    const owner = await store.createUser({ name: 'owner', role: 'recruiter', password: 'correct horse battery staple' });
    const other = await store.createUser({ name: 'other', role: 'interviewer', password: 'correct horse battery staple' });
    const admin = await store.createUser({ name: 'admin', role: 'admin', password: 'correct horse battery staple' });
    db.prepare("INSERT INTO interviews (id, language, mode, status, created_at, updated_at) VALUES ('i1', 'en', 'copilot', 'live', 1, 1)").run();
    access.claimInterview('i1', owner.id);
    // A second claim never changes the owner.
    access.claimInterview('i1', other.id);
    expect(access.canAccessInterview(owner, 'i1')).toBe(true);
    expect(access.canAccessInterview(other, 'i1')).toBe(false);
    expect(access.canAccessInterview(admin, 'i1')).toBe(true);
    access.shareInterview('i1', other.id);
    expect(access.canAccessInterview(other, 'i1')).toBe(true);
    expect(access.ownsInterview(other, 'i1')).toBe(false);
  });
});
