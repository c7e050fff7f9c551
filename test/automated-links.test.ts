import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAutomatedStore, type AutomatedStore } from '../server/automated/automated-store.ts';
import { classifySegment } from '../server/automated/echo-marking.ts';
import { LINK_SECRET_FILE, createLinkSigner, loadLinkSecret } from '../server/automated/link-tokens.ts';
import { createRepository, type InterviewRepository } from '../server/store/repository.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'viva-links-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('link tokens', () => {
  const claims = { interviewId: 'iv-1', linkId: 'l_1', expiresAtMs: 2_000_000 };

  it('signs, verifies, and refuses tampering, other secrets and expiry', () => {
    const signer = createLinkSigner(Buffer.alloc(32, 7));
    const token = signer.sign(claims);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(signer.verify(token, 1_000_000)).toEqual({ ok: true, claims });
    expect(signer.verify(token, 2_000_000)).toEqual({ ok: false, problem: 'expired', claims });
    // A payload naming another interview, with the old signature.
    const [version, , signature] = token.split('.');
    const forged = `${version}.${Buffer.from(JSON.stringify({ i: 'iv-2', l: 'l_1', e: 2_000_000 })).toString('base64url')}.${signature}`;
    expect(signer.verify(forged, 1_000_000)).toEqual({ ok: false, problem: 'bad-signature' });
    expect(createLinkSigner(Buffer.alloc(32, 8)).verify(token, 1_000_000)).toEqual({ ok: false, problem: 'bad-signature' });
    expect(signer.verify(`${token}x`, 1_000_000).ok).toBe(false);
    expect(signer.verify('v2.a.b', 1_000_000)).toEqual({ ok: false, problem: 'malformed' });
    expect(signer.verify('garbage', 1_000_000)).toEqual({ ok: false, problem: 'malformed' });
  });

  it('refuses a short secret', () => {
    expect(() => createLinkSigner(Buffer.alloc(16))).toThrow(/at least 32 bytes/);
    expect(() => loadLinkSecret(dir, 'too-short')).toThrow(/VIVA_LINK_SECRET/);
  });

  it('generates the secret once into the data dir with mode 0600, and keeps it', () => {
    const first = loadLinkSecret(dir);
    const file = path.join(dir, LINK_SECRET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(loadLinkSecret(dir)).equals(Buffer.from(first))).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}$/);
    // A configured secret wins over the file.
    expect(Buffer.from(loadLinkSecret(dir, 'x'.repeat(40))).toString()).toBe('x'.repeat(40));
    writeFileSync(file, 'not hex');
    expect(() => loadLinkSecret(dir)).toThrow(/not hold a valid link secret/);
  });
});

describe('automated store', () => {
  let repository: InterviewRepository;
  let store: AutomatedStore;
  beforeEach(() => {
    const dbPath = path.join(dir, 'viva.db');
    repository = createRepository(dbPath);
    store = openAutomatedStore(dbPath);
  });
  afterEach(() => {
    store.close();
    repository.close();
  });

  it('keeps plan, state, links and events, and deletes them with the interview', async () => {
    const interview = repository.createInterview({ language: 'en', mode: 'automated' });
    const created = store.create(interview.id, { timeBudgetMs: 600_000, turnTaking: { answerEndPauseMs: 2000 } }, 1000);
    expect(created).toMatchObject({ state: 'invited', consentAtMs: null, plan: { timeBudgetMs: 600_000, turnTaking: { answerEndPauseMs: 2000 } } });
    expect(store.update(interview.id, { state: 'consented', consentAtMs: 1500 }, 1500)).toMatchObject({ state: 'consented', consentAtMs: 1500 });
    const link = store.createLink(interview.id, 99_000, 1000);
    expect(store.getLink(link.linkId)).toEqual(link);
    expect(store.revokeLink(link.linkId, 2000)).toBe(true);
    expect(store.revokeLink(link.linkId, 3000)).toBe(false);
    expect(store.getLink(link.linkId)?.revokedAtMs).toBe(2000);
    store.appendEvent(interview.id, 'question', { questionId: 'q1' }, 2500);
    store.appendEvent(interview.id, 'ended', { reason: 'completed' }, 2600);
    expect(store.events(interview.id).map((event) => event.type)).toEqual(['question', 'ended']);
    await repository.deleteInterview(interview.id);
    expect(store.get(interview.id)).toBeNull();
    expect(store.getLink(link.linkId)).toBeNull();
    expect(store.events(interview.id)).toEqual([]);
  });

  it('refuses a record for an interview that does not exist, and a database without interviews', () => {
    expect(() => store.create('nope', { timeBudgetMs: 1000, turnTaking: {} }, 1)).toThrow(/FOREIGN KEY/);
    expect(() => openAutomatedStore(path.join(dir, 'empty.db'))).toThrow(/no interviews table/);
  });
});

describe('echo marking', () => {
  it('takes a segment mostly inside Viva’s speech for echo, and a barge-in that runs on for an answer', () => {
    const speaking = [{ startMs: 1000, endMs: 5000 }];
    expect(classifySegment({ startMs: 1500, endMs: 3000 }, speaking, 9000)).toEqual({ overlapMs: 1500, echo: true });
    expect(classifySegment({ startMs: 4500, endMs: 9000 }, speaking, 9000)).toEqual({ overlapMs: 500, echo: false });
    expect(classifySegment({ startMs: 6000, endMs: 7000 }, speaking, 9000)).toEqual({ overlapMs: 0, echo: false });
    // Viva still speaking: the open interval runs to now.
    expect(classifySegment({ startMs: 2000, endMs: 3000 }, [{ startMs: 1000, endMs: null }], 3500).echo).toBe(true);
  });
});
