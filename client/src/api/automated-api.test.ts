import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAutomatedApp, type AutomatedApp } from '../../../test/automated-app.ts';
import { ApiRequestError, createPrepApi, type PrepApi } from './prep-api.ts';

// The recruiter calls of the AI interview screen against the real server (automated router, storage, link signing).

let app: AutomatedApp;
let api: PrepApi;
beforeAll(async () => {
  app = await startAutomatedApp();
  // Signed in as the app's admin (a token, as a script would; the browser's cookie path is the e2e tests').
  api = createPrepApi({ baseUrl: app.origin, fetch: app.admin.fetch });
});
afterAll(async () => {
  await app?.close();
});

const signal = () => AbortSignal.timeout(30_000);

describe('createPrepApi: automated interviews against the real server', () => {
  it('creates an interview with a candidate link, reads its status and revokes the link', async () => {
    const before = Date.now();
    const { interviewId, link } = await api.createAutomated(
      { role: 'SRE', language: 'zh', plannedQuestions: [{ id: 'q1', text: '讲讲一次故障。' }], timeBudgetMinutes: 15, linkValidHours: 2 },
      signal(),
    );
    expect(link.url).toBe(`${app.origin}/interview#${link.token}`);
    expect(link.expiresAtMs).toBeGreaterThanOrEqual(before + 2 * 3_600_000 - 1000);
    const status = await api.automatedStatus(interviewId, signal());
    expect(status).toMatchObject({ interviewId, state: 'invited', timeBudgetMs: 900_000 });
    expect(status.links).toEqual([expect.objectContaining({ linkId: link.linkId, revokedAtMs: null })]);

    await api.revokeLink(interviewId, link.linkId, signal());
    const after = await api.automatedStatus(interviewId, signal());
    expect(after.links[0]!.revokedAtMs).toEqual(expect.any(Number));
  });

  it('passes the server validation message through', async () => {
    const error = await api
      .createAutomated({ role: 'SRE', language: 'en', plannedQuestions: [{ id: 'q1', text: 'Why?' }], timeBudgetMinutes: 500 }, signal())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error).toMatchObject({ status: 400, code: 'invalid-request' });
    expect((error as Error).message).toContain('timeBudgetMinutes');
  });
});
