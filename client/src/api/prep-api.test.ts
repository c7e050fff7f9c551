import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrepRouter } from '../../../server/api/prep.ts';
import { startFakeLlmServer, type FakeLlmServer } from '../../../test/fakes/fake-llm-server.ts';
import { prepDepsFor, prepResponder } from '../../../test/prep/prep-fake.ts';
import { ApiRequestError, createPrepApi, fileToBase64, type PrepApi } from './prep-api.ts';

// The client API against the real preparation router and a fake vLLM speaking the real wire protocol: the replies the
// screens render are the server's own, parsed with the same schemas.

const JD = 'Backend Engineer\nRequired: Go, Kubernetes\nNice to have: Kafka';
const RESUME = 'Jane Doe\n- Built Go services on Kubernetes\n- Ran Kafka in production';

let fake: FakeLlmServer;
let root: string;
const servers: Server[] = [];

async function startApi(llmUrl: string): Promise<PrepApi> {
  const app = express();
  app.use('/api', createPrepRouter({ prep: prepDepsFor(llmUrl, { maxRetries: 0 }), screeningsDir: path.join(root, `screenings-${servers.length}`) }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  servers.push(server);
  return createPrepApi({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

let api: PrepApi;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'viva-client-prep-'));
  fake = await startFakeLlmServer({ respond: prepResponder() });
  api = await startApi(fake.baseUrl);
});
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  await fake.close();
  await rm(root, { recursive: true, force: true });
});

const signal = () => AbortSignal.timeout(30_000);

describe('createPrepApi against the real prep router', () => {
  it('matches, plans and reads a file, with replies that parse as the screens expect', async () => {
    const match = await api.match({ jd: JD, resume: RESUME }, signal());
    expect(match.skillsMatched.map((skill) => skill.skill)).toContain('Go');
    for (const skill of match.skillsMatched) expect(RESUME).toContain(skill.quote);
    const plan = await api.plan({ jd: JD, resume: RESUME, count: 3, language: 'en' }, signal());
    expect(plan.questions.length).toBeGreaterThan(0);
    expect(plan.questions[0]).toMatchObject({ id: expect.any(String), text: expect.any(String) });
    expect(await api.parseFile(new File([RESUME], 'cv.txt', { type: 'text/plain' }), signal())).toContain('Built Go services on Kubernetes');
  });

  it('runs a screening from uploaded files to a ranked result, listing the unreadable file', async () => {
    const files = [
      { name: 'jane.txt', contentBase64: await fileToBase64(new Blob([RESUME])) },
      { name: 'bob.txt', contentBase64: await fileToBase64(new Blob(['Bob\n- Wrote PHP websites'])) },
      { name: 'broken.pdf', contentBase64: await fileToBase64(new Blob(['%PDF-1.4 not really a pdf'])) },
    ];
    const id = await api.startScreening({ jd: JD, files, blind: true }, signal());
    let status = await api.screeningStatus(id, signal());
    for (let tries = 0; status.status === 'running' && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await api.screeningStatus(id, signal());
    }
    expect(status.status).toBe('complete');
    const result = await api.screeningResult(id, signal());
    expect(result.ranked.map((row) => row.file)).toEqual(['jane.txt', 'bob.txt']);
    expect(result.ranked[0]!.match.score).toBeGreaterThan(result.ranked[1]!.match.score);
    expect(result.failed.map((failure) => failure.file)).toEqual(['broken.pdf']);
    expect(result.failed[0]!.reason).not.toBe('');
    const csv = await fetch(api.screeningResultUrl(id, 'csv'));
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(await csv.text()).toContain('jane.txt');
  });

  it('turns an unreachable LLM into ApiRequestError llm-unreachable with the server message', async () => {
    const down = await startFakeLlmServer();
    const downUrl = down.baseUrl;
    await down.close();
    const broken = await startApi(downUrl);
    const error = await broken.match({ jd: JD, resume: RESUME }, signal()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error).toMatchObject({ status: 503, code: 'llm-unreachable' });
    expect((error as Error).message).not.toBe('');
  });

  it('reports a server that is not running as server-unreachable', async () => {
    const nowhere = createPrepApi({ baseUrl: 'http://127.0.0.1:9' });
    await expect(nowhere.plan({ jd: JD, resume: RESUME, count: 2, language: 'en' }, signal())).rejects.toMatchObject({ code: 'server-unreachable' });
  });
});
