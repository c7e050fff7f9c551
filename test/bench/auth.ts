/**
 * Cost of accounts: requests per second of an authenticated REST call (`GET /api/interviews` with a Bearer token, and
 * with a session cookie) and Socket.IO connects per second with `auth: { token }`, each against the same app built with
 * accounts not enforced and called without credentials (the baseline), in the same process. Real HTTP, real Socket.IO,
 * real SQLite; the speech parts are stubs (no session is opened). Reported, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { createApp, type VivaApp } from '../../server/app.ts';
import type { TurnDecoder } from '../../server/asr/turn-decoder.ts';
import { silentLogger } from '../../server/logger.ts';
import { dataPaths } from '../../server/store/paths.ts';
import { createRepository } from '../../server/store/repository.ts';
import { browserSession, signIn } from '../helpers/auth.ts';
import type { BenchRow, BenchSection } from './types.ts';

const REQUESTS = 600;
const ROUNDS = 3;
const CONCURRENCY = 8;
const CONNECTS = 60;

async function startApp(dir: string, enforce: boolean): Promise<{ app: VivaApp; base: string; close(): Promise<void> }> {
  const paths = dataPaths(dir);
  const repository = createRepository(paths.dbPath, { audioDir: paths.audioDir });
  for (let i = 0; i < 20; i++) repository.createInterview({ language: 'en', mode: 'recording', status: 'stopped', title: `bench ${i}` });
  const idleDecoder: TurnDecoder = { decode: async () => ({ skipped: true, reason: 'bench' }) };
  const app = createApp({
    createVad: () => {
      throw new Error('the auth bench opens no session');
    },
    decoder: idleDecoder,
    logger: silentLogger,
    partialIntervalMs: 1000,
    storage: { repository, dataDir: dir, retentionTimer: false },
    auth: { enforce },
  });
  const port = await app.listen(0);
  return {
    app,
    base: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      repository.close();
    },
  };
}

/** Requests per second of `request` run REQUESTS times, CONCURRENCY at a time (after a warm-up). */
async function requestsPerSecond(request: () => Promise<Response>): Promise<number> {
  for (let i = 0; i < 50; i++) await (await request()).arrayBuffer();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) {
        const response = await request();
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`bench request answered ${response.status}`);
      }
    }),
  );
  return REQUESTS / ((performance.now() - started) / 1000);
}

/** Socket.IO connects (handshake over websocket, then disconnect) per second, one after another. */
async function connectsPerSecond(base: string, auth: { token: string } | undefined): Promise<number> {
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const socket = io(base, { transports: ['websocket'], reconnection: false, forceNew: true, ...(auth ? { auth } : {}) });
      socket.once('connect', () => {
        socket.disconnect();
        resolve();
      });
      socket.once('connect_error', reject);
    });
  for (let i = 0; i < 10; i++) await once();
  const started = performance.now();
  for (let i = 0; i < CONNECTS; i++) await once();
  return CONNECTS / ((performance.now() - started) / 1000);
}

/** Runs each measurement ROUNDS times, interleaved, and returns each one's median (the order of `runs`). */
async function medianOfRounds(runs: (() => Promise<number>)[]): Promise<number[]> {
  const results: number[][] = runs.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [index, run] of runs.entries()) results[index]!.push(await run());
  }
  return results.map((values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN);
}

/** Runs the bench; see the module comment. */
export async function bench(): Promise<BenchSection> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'viva-bench-auth-'));
  const open = await startApp(path.join(dir, 'open'), false);
  const guarded = await startApp(path.join(dir, 'guarded'), true);
  try {
    const caller = await signIn(guarded.app);
    const cookie = browserSession(guarded.app, caller.user).cookieHeader;
    const url = (base: string) => `${base}/api/interviews?limit=5`;
    // Interleaved rounds, median of each: the first runs warm the JIT, and a shared machine's noise falls on all alike.
    const [baseline = Number.NaN, bearer = Number.NaN, withCookie = Number.NaN] = await medianOfRounds([
      () => requestsPerSecond(() => fetch(url(open.base))),
      () => requestsPerSecond(() => caller.fetch(url(guarded.base))),
      () => requestsPerSecond(() => fetch(url(guarded.base), { headers: { cookie } })),
    ]);
    const [socketBaseline = Number.NaN, socketToken = Number.NaN] = await medianOfRounds([() => connectsPerSecond(open.base, undefined), () => connectsPerSecond(guarded.base, caller.socketAuth)]);
    const rows: BenchRow[] = [
      { name: `GET /api/interviews, Bearer token (${CONCURRENCY} in flight)`, value: bearer, unit: 'req/s', baseline, note: 'baseline: same route, accounts not enforced, no credentials' },
      { name: `GET /api/interviews, session cookie (${CONCURRENCY} in flight)`, value: withCookie, unit: 'req/s', baseline },
      { name: 'Socket.IO connects with auth: { token }', value: socketToken, unit: 'connects/s', baseline: socketBaseline, note: 'baseline: anonymous connect' },
    ];
    return { title: 'Accounts: cost of the checks (higher is better; ratio < 1 is the cost)', rows };
  } finally {
    await guarded.close();
    await open.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
