/**
 * Viva in front of candidates: security headers, the Host/Origin allow-list (DNS rebinding, phishing links, foreign
 * pages), rate limits, frames paced by the server clock, and what a candidate link's socket may do. The real app built
 * by `createApp` (real Socket.IO and HTTP on 127.0.0.1:0, real Silero VAD, real tiny.en whisper weights, real SQLite)
 * with the fake vLLM; every request goes over a real socket with the headers an attacker would send.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CSP, DOCUMENT_CSP } from '../server/http/security-headers.ts';
import { ask, connectCandidate, startAutomatedApp, type AutomatedApp } from './automated-app.ts';
import { connectClient, startSession, stopSession } from './helpers/socket-client.ts';

const SESSIONS_PER_MINUTE = 6;
const LLM_CALLS_PER_MINUTE = 3;
let app: AutomatedApp;
/** A stand-in for client/dist (the browser e2e test runs the real build under the same policy). */
const clientDir = mkdtempSync(path.join(os.tmpdir(), 'viva-client-'));

beforeAll(async () => {
  writeFileSync(path.join(clientDir, 'index.html'), '<!doctype html><title>Viva</title><div id="root"></div>');
  app = await startAutomatedApp({
    clientDir,
    security: { allowedHosts: ['viva.lan'], rateLimits: { sessionsPerMinute: SESSIONS_PER_MINUTE, llmCallsPerMinute: LLM_CALLS_PER_MINUTE } },
  });
}, 120_000);

afterAll(async () => {
  await app?.close();
  rmSync(clientDir, { recursive: true, force: true });
});

/** One HTTP request with exactly these headers (fetch would not let a test forge Host). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: app.port, method, path, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const PLAN = { role: 'Backend engineer', language: 'en', plannedQuestions: [{ id: 'q1', text: 'Tell me about a system you designed.' }], timeBudgetMinutes: 10 };

describe('headers, hosts and origins', () => {
  it('every response carries a CSP, no framing, nosniff and no referrer; API documents get a script-free policy', async () => {
    for (const path of ['/', '/interview', '/api/interviews', '/api/interviews/nope/report?format=html', '/healthz']) {
      const reply = await raw('GET', path);
      expect(reply.headers['x-frame-options'], path).toBe('DENY');
      expect(reply.headers['x-content-type-options'], path).toBe('nosniff');
      expect(reply.headers['referrer-policy'], path).toBe('no-referrer');
      expect(reply.headers['content-security-policy'], path).toBe(path.startsWith('/api/') ? DOCUMENT_CSP : APP_CSP);
    }
    expect(APP_CSP).toContain("frame-ancestors 'none'");
    expect(DOCUMENT_CSP).not.toContain('script-src');
  });

  it('a forged Host is refused (DNS rebinding), and a candidate link is never built from the Host header', async () => {
    const rebound = await raw('GET', '/api/interviews', { host: 'attacker.example:3000' });
    expect(rebound.status).toBe(421);
    expect(JSON.parse(rebound.text)).toMatchObject({ error: { code: 'host-not-allowed' } });

    const phishing = await raw('POST', '/api/automated-interviews', { host: 'phish.example' }, JSON.stringify(PLAN));
    expect(phishing.status).toBe(421);
    expect(phishing.text).not.toContain('"token"');

    // An allowed alias is served, but the link still points at the address Viva listens on.
    const created = await raw('POST', '/api/automated-interviews', { host: 'viva.lan', ...app.admin.headers }, JSON.stringify(PLAN));
    expect(created.status).toBe(201);
    const { link } = JSON.parse(created.text) as { link: { url: string } };
    expect(link.url.startsWith(`http://127.0.0.1:${app.port}/interview#`)).toBe(true);
  });

  it('a foreign page cannot change anything over HTTP, nor open a socket', async () => {
    const posted = await raw('POST', '/api/automated-interviews', { origin: 'https://evil.example', ...app.admin.headers }, JSON.stringify(PLAN));
    expect(posted.status).toBe(403);
    expect(JSON.parse(posted.text)).toMatchObject({ error: { code: 'origin-not-allowed' } });

    const foreign = connect(`http://127.0.0.1:${app.port}`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin: 'https://evil.example' } });
    const outcome = await new Promise<string>((resolve) => {
      foreign.once('connect', () => resolve('connected'));
      foreign.once('connect_error', () => resolve('refused'));
    });
    foreign.close();
    expect(outcome).toBe('refused');
    // The page's own origin is fine.
    const own = connect(`http://127.0.0.1:${app.port}`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin: `http://localhost:${app.port}` } });
    const ownOutcome = await new Promise<string>((resolve) => {
      own.once('connect', () => resolve('connected'));
      own.once('connect_error', () => resolve('refused'));
    });
    own.close();
    expect(ownOutcome).toBe('connected');
  });
});

describe('frames paced by the server clock', () => {
  it('sequence jumps cannot buy audio time: the silence filled never exceeds the real time that passed', async () => {
    const { socket } = await connectClient(app.port, app.admin.socketAuth);
    try {
      const reply = await socket.timeout(10_000).emitWithAck('session:start', { language: 'en', sampleRate: 16_000, channels: ['candidate'] });
      if (!reply.ok) throw new Error(`session:start refused: ${reply.error.message}`);
      const sessionId = reply.data.sessionId;
      const startedMs = Date.now();
      const silence = new Uint8Array(3200); // 100 ms of PCM16
      for (let i = 0; i < 200; i++) socket.emit('audio:frame', { sessionId, channel: 'candidate', seq: i * 1000, pcm: silence });
      const stopped = await stopSession(socket, sessionId);
      const elapsedMs = Date.now() - startedMs;
      if (!stopped.ok) throw new Error(stopped.error.message);
      const stats = stopped.data.stats.candidate;
      expect(stats?.gaps).toBe(199);
      // 200 real frames are 20 s; before, each jump filled 10 s of silence (33 minutes in all).
      expect(stats?.audioMs ?? Infinity).toBeLessThanOrEqual(200 * 100 + elapsedMs + 2_000);
    } finally {
      socket.disconnect();
    }
  }, 120_000);
});

describe('a candidate link scopes its socket', () => {
  it('resumes only its own interview, never follows the co-pilot stream, and cannot stop or feed another session', async () => {
    const created = await raw('POST', '/api/automated-interviews', app.admin.headers, JSON.stringify(PLAN));
    const { interview, link } = JSON.parse(created.text) as { interview: { id: string }; link: { token: string } };
    const interviewer = await connectClient(app.port, app.admin.socketAuth);
    // An anonymous socket may do nothing but join with a link.
    const anonymous = await connectCandidate(app.port);
    expect(await anonymous.timeout(5_000).emitWithAck('session:resume', { sessionId: interview.id })).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    anonymous.disconnect();
    // The recruiter's own browser opening the candidate link: signed in, and then scoped by the link.
    const candidate = await connectCandidate(app.port, app.admin.socketAuth);
    const candidateEvents: string[] = [];
    for (const name of ['transcript:final', 'transcript:partial', 'followup:delta', 'followup:end', 'score:final', 'analysis:error'] as const) {
      candidate.on(name, () => candidateEvents.push(name));
    }
    try {
      const copilotId = await startSession(interviewer.socket, { language: 'en', sampleRate: 16_000, channels: ['interviewer', 'candidate'] });
      // Before the link, this socket is a signed-in screen and may follow the co-pilot session...
      expect(await candidate.timeout(5_000).emitWithAck('session:resume', { sessionId: copilotId })).toMatchObject({ ok: true });
      expect(await ask(candidate, 'interview:join', { token: link.token })).toMatchObject({ ok: true });
      // ...once it joined with a link, it is the candidate of that interview only.
      expect(await candidate.timeout(5_000).emitWithAck('session:resume', { sessionId: copilotId })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await candidate.timeout(5_000).emitWithAck('session:stop', { sessionId: copilotId })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await candidate.timeout(5_000).emitWithAck('session:start', { language: 'en', sampleRate: 16_000, channels: ['candidate'] })).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
      const refused = new Promise<Record<string, unknown>>((resolve) => candidate.once('error', (event) => resolve(event as never)));
      candidate.emit('audio:frame', { sessionId: copilotId, channel: 'candidate', seq: 0, pcm: new ArrayBuffer(3200) });
      expect(await refused).toMatchObject({ code: 'forbidden' });
      expect(app.speech.app.sessions.get(copilotId)?.stopped).toBe(false);

      // Its own interview: consent, resume, publish audio.
      expect(await ask(candidate, 'interview:consent', { agreed: true, locale: 'en', consentTextVersion: 'automated-consent@1' })).toMatchObject({ ok: true });
      expect(await candidate.timeout(5_000).emitWithAck('session:resume', { sessionId: interview.id })).toMatchObject({ ok: true });
      const own = app.speech.app.sessions.get(interview.id);
      if (!own) throw new Error('the interview session is not running');
      const frameError = new Promise<unknown>((resolve) => {
        candidate.once('error', resolve);
        setTimeout(() => resolve(undefined), 500);
      });
      candidate.emit('audio:frame', { sessionId: interview.id, channel: 'candidate', seq: 0, pcm: new ArrayBuffer(3200) });
      expect(await frameError).toBeUndefined();

      // Analysis of its own answers goes to the interviewer's screens only.
      const watcher = await connectClient(app.port, app.admin.socketAuth);
      expect(await watcher.socket.timeout(5_000).emitWithAck('session:resume', { sessionId: interview.id })).toMatchObject({ ok: true });
      own.events.publish({ type: 'followup-delta', sessionId: interview.id, turnId: 't1', text: 'Ask about the hardest part' });
      own.events.publish({ type: 'analysis-error', sessionId: interview.id, turnId: 't1', code: 'llm-timeout', message: 'slow', retryable: true });
      // Also to the co-pilot session it had followed before joining with the link.
      app.speech.app.sessions.get(copilotId)?.events.publish({ type: 'followup-delta', sessionId: copilotId, turnId: 't2', text: 'secret' });
      await expect.poll(() => watcher.events.map((event) => event.name)).toEqual(expect.arrayContaining(['followup:delta', 'analysis:error']));
      await expect.poll(() => interviewer.events.some((event) => event.name === 'followup:delta')).toBe(true);
      expect(candidateEvents).toEqual([]);
      expect(await candidate.timeout(5_000).emitWithAck('analysis:retry', { sessionId: interview.id, turnId: 't1' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      watcher.socket.disconnect();
      await stopSession(interviewer.socket, copilotId);
    } finally {
      candidate.disconnect();
      interviewer.socket.disconnect();
    }
  }, 60_000);
});

describe('rate limits', () => {
  it('LLM-backed calls beyond the limit get 429 with Retry-After before any work is done', async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof raw>> | undefined;
    for (let i = 0; i < LLM_CALLS_PER_MINUTE + 2; i++) {
      const reply = await raw('POST', '/api/match', app.admin.headers, '{}');
      statuses.push(reply.status);
      if (reply.status === 429) limited = reply;
    }
    expect(statuses.slice(0, LLM_CALLS_PER_MINUTE).every((status) => status === 400)).toBe(true);
    expect(statuses.slice(LLM_CALLS_PER_MINUTE)).toEqual([429, 429]);
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(limited?.text ?? '{}')).toMatchObject({ error: { code: 'rate-limited' } });
  });

  it('one client cannot open sessions in a loop', async () => {
    const { socket } = await connectClient(app.port, app.admin.socketAuth);
    try {
      const replies = [];
      for (let i = 0; i < SESSIONS_PER_MINUTE + 4; i++) {
        replies.push(await socket.timeout(10_000).emitWithAck('session:start', { language: 'en', sampleRate: 16_000, channels: ['candidate'] }));
      }
      const opened = replies.filter((reply) => reply.ok);
      expect(opened.length).toBeLessThanOrEqual(SESSIONS_PER_MINUTE);
      const refused = replies.filter((reply) => !reply.ok);
      expect(refused.length).toBeGreaterThanOrEqual(4);
      expect(refused[0]).toMatchObject({ ok: false, error: { code: 'rate-limited', message: expect.stringMatching(/retry in \d+ s/) } });
      for (const reply of opened) if (reply.ok) await stopSession(socket, reply.data.sessionId);
    } finally {
      socket.disconnect();
    }
  }, 60_000);
});

