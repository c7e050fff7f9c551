/**
 * Accounts and scoped access against the real app (real HTTP, real Socket.IO, real SQLite, the composition root with
 * storage, an LLM and automated interviews): deny by default on every REST route and socket event, tokens, cookies and
 * CSRF, the first admin, ownership and sharing, per-user limits.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../server/app.ts';
import { silentLogger } from '../server/logger.ts';
import { PUBLIC_API_ROUTES } from '../server/http/auth-gate.ts';
import { startAutomatedApp, type AutomatedApp } from './automated-app.ts';
import { signIn, type TestCaller } from './helpers/auth.ts';
import { connectClient, startSession } from './helpers/socket-client.ts';

let app: AutomatedApp;
let base: string;

beforeAll(async () => {
  app = await startAutomatedApp({ auth: { enforce: true }, security: { rateLimits: { sessionsPerUserPerMinute: 3 } } });
  base = app.origin;
}, 60_000);

afterAll(async () => {
  await app?.close();
});

/** Every route of the Express app: method and path, the routers' routes prefixed with their `/api` mount. */
function routesOf(expressApp: AutomatedApp['speech']['app']['express']): { method: string; path: string }[] {
  const found: { method: string; path: string }[] = [];
  const walk = (stack: unknown[], prefix: string): void => {
    for (const raw of stack) {
      const layer = raw as { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: unknown[] } };
      if (layer.route) {
        for (const path of [layer.route.path].flat()) {
          for (const method of Object.keys(layer.route.methods)) found.push({ method: method.toUpperCase(), path: `${prefix}${path}` });
        }
      } else if (layer.handle?.stack) {
        // Every router of this app is mounted at /api (server/app.ts).
        walk(layer.handle.stack, '/api');
      }
    }
  };
  walk((expressApp as unknown as { router: { stack: unknown[] } }).router.stack, '');
  return found;
}

describe('deny by default', () => {
  it('every REST route under /api refuses a request without credentials, except the sign-in routes', async () => {
    const routes = routesOf(app.speech.app.express).filter((route) => route.path.startsWith('/api/'));
    // The walk found the routers (interviews, prep, screenings, automated, auth): a broken walk cannot pass.
    expect(routes.length).toBeGreaterThan(25);
    const publicRoutes = new Set(PUBLIC_API_ROUTES.map((route) => route.replace(' ', ' /api')));
    for (const route of routes) {
      const url = `${base}${route.path.replace(/:[A-Za-z]+/g, 'x')}`;
      const response = await fetch(url, { method: route.method, headers: { 'content-type': 'application/json' }, ...(route.method === 'GET' ? {} : { body: '{}' }) });
      const key = `${route.method} ${route.path}`;
      if (publicRoutes.has(key)) expect(response.status, key).toBeLessThan(500);
      else expect(response.status, key).toBe(401);
    }
    // What stays open: health probes.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('every socket event refuses an anonymous socket (only joining with a candidate link is open)', async () => {
    const { socket } = await connectClient(app.port);
    try {
      const server = [...app.speech.app.io.sockets.sockets.values()].find((candidate) => candidate.id === socket.id);
      const events = server!.eventNames().map(String).filter((name) => !['disconnect', 'disconnecting', 'error'].includes(name));
      expect(events).toEqual(expect.arrayContaining(['session:start', 'session:resume', 'session:stop', 'audio:frame', 'analysis:retry', 'interview:consent']));
      for (const event of events) {
        const reply = (await (socket.timeout(5000) as unknown as { emitWithAck(e: string, p: unknown): Promise<unknown> }).emitWithAck(event, { sessionId: 'x', token: 'x' })) as {
          ok: boolean;
          error: { code: string };
        };
        expect(reply.ok, event).toBe(false);
        if (event === 'interview:join') expect(reply.error.code).toBe('link-invalid');
        else expect(reply.error.code, event).toBe('unauthenticated');
      }
    } finally {
      socket.disconnect();
    }
  });
});

describe('tokens and sign-in', () => {
  it('an API token works as a Bearer header and in the socket handshake; a wrong one is refused', async () => {
    const caller = await signIn(app.speech.app, { role: 'recruiter' });
    expect((await caller.fetch(`${base}/api/interviews`)).status).toBe(200);
    expect((await fetch(`${base}/api/interviews`, { headers: { authorization: 'Bearer vt_wrong' } })).status).toBe(401);
    const { socket } = await connectClient(app.port, caller.socketAuth);
    const sessionId = await startSession(socket, { language: 'en', sampleRate: 16_000, channels: ['candidate'] });
    expect(sessionId).toMatch(/[0-9a-f-]{36}/);
    socket.disconnect();
    await expect(connectClient(app.port, { token: 'vt_wrong' })).rejects.toThrow(/unauthenticated/);
  });

  it('a browser signs in with a password, gets an httpOnly cookie, and must send the CSRF token to change anything', async () => {
    const caller = await signIn(app.speech.app, { role: 'interviewer' });
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ name: caller.user.name, password: caller.password }),
    });
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const me = await fetch(`${base}/api/auth/me`, { headers: { cookie } });
    expect(((await me.json()) as { user: { name: string } }).user.name).toBe(caller.user.name);

    const create = (headers: Record<string, string>) =>
      fetch(`${base}/api/interviews`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, origin: base, ...headers }, body: JSON.stringify({ language: 'en' }) });
    const forged = await create({});
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('csrf-failed');
    expect((await create({ 'x-csrf-token': 'not-it' })).status).toBe(403);
    expect((await create({ 'x-csrf-token': csrfToken })).status).toBe(201);

    const logout = await fetch(`${base}/api/auth/logout`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken } });
    expect(logout.status).toBe(204);
    expect((await fetch(`${base}/api/interviews`, { headers: { cookie } })).status).toBe(401);
    expect(await (await fetch(`${base}/api/auth/me`, { headers: { cookie } })).json()).toEqual({ user: null, setupRequired: false });
  });

});

/** Runs the real `viva` command (bin/viva.js) on the test app's data folder; resolves its exit code and output. */
function viva(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(import.meta.dirname, '../bin/viva.js'), ...args], {
      env: { ...process.env, VIVA_DATA_DIR: app.dataDir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('accounts from the first start', () => {
  it('a server without users offers to create the admin, only from its own page, once', async () => {
    // A second app on the same loaded models, without storage: its accounts live in memory and start empty.
    const fresh = createApp({ createVad: app.speech.runtime.createVad, decoder: app.speech.runtime.decoder, logger: silentLogger, partialIntervalMs: 1000 });
    const origin = `http://127.0.0.1:${await fresh.listen(0)}`;
    try {
      expect(await (await fetch(`${origin}/api/auth/me`)).json()).toEqual({ user: null, setupRequired: true });
      const setup = (headers: Record<string, string>, password = 'a long enough password') =>
        fetch(`${origin}/api/auth/setup`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: 'root', password }) });
      expect((await setup({})).status).toBe(403);
      expect((await setup({ origin }, 'short')).status).toBe(400);
      const created = await setup({ origin });
      expect(created.status).toBe(201);
      const cookie = (created.headers.get('set-cookie') ?? '').split(';')[0]!;
      expect(await (await fetch(`${origin}/api/auth/me`, { headers: { cookie } })).json()).toMatchObject({ user: { name: 'root', role: 'admin' } });
      expect((await setup({ origin })).status).toBe(409);
      expect(await (await fetch(`${origin}/api/auth/me`)).json()).toEqual({ user: null, setupRequired: false });
    } finally {
      await fresh.close();
    }
  });

  it('`viva users add` and `viva token create` work on the server\'s database; the token on the last line signs in', async () => {
    const added = await viva(['users', 'add', 'carol', '--role', 'recruiter', '--password-stdin'], 'carols secret password\n');
    expect(added.code, added.stderr).toBe(0);
    const created = await viva(['token', 'create', '--name', 'ci', '--user', 'carol']);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim().split('\n').at(-1) ?? '';
    const me = await fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ user: { name: 'carol', role: 'recruiter' } });
    expect((await fetch(`${base}/api/interviews`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    // carol can also sign in with the password given on stdin (without its newline).
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'carol', password: 'carols secret password' }) });
    expect(login.status).toBe(200);
    const refused = await viva(['users', 'add', 'dave', '--role', 'boss', '--password-stdin'], 'x');
    expect(refused.code).toBe(2);
    // Disabling carol stops her token at once.
    expect((await viva(['users', 'disable', 'carol'])).code).toBe(0);
    expect((await fetch(`${base}/api/interviews`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  }, 60_000);
});

describe('ownership', () => {
  let alice: TestCaller;
  let bob: TestCaller;
  let aliceInterview: string;

  beforeAll(async () => {
    alice = await signIn(app.speech.app, { role: 'recruiter' });
    bob = await signIn(app.speech.app, { role: 'interviewer' });
    const created = await alice.fetch(`${base}/api/interviews`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'en', candidateName: 'Zelda Quartermain', role: 'Alice-only role' }),
    });
    aliceInterview = ((await created.json()) as { id: string }).id;
  });

  it("user B cannot list, search, read, change, delete or resume user A's interview", async () => {
    const list = (await (await bob.fetch(`${base}/api/interviews?q=Quartermain`)).json()) as { items: { id: string }[]; total: number; roles: string[] };
    expect(list.items.map((item) => item.id)).not.toContain(aliceInterview);
    expect(list.total).toBe(0);
    expect(list.roles).not.toContain('Alice-only role');
    for (const [method, path] of [['GET', ''], ['GET', '/report'], ['PATCH', ''], ['DELETE', ''], ['GET', '/recording/status']] as const) {
      const response = await bob.fetch(`${base}/api/interviews/${aliceInterview}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'PATCH' ? { body: '{"title":"x"}' } : {}) });
      expect(response.status, `${method} ${path}`).toBe(404);
    }
    const { socket } = await connectClient(app.port, bob.socketAuth);
    const resumed = await socket.timeout(5000).emitWithAck('session:resume', { sessionId: aliceInterview });
    expect(resumed.ok).toBe(false);
    if (!resumed.ok) expect(resumed.error.code).toBe('forbidden');
    socket.disconnect();

    const own = (await (await alice.fetch(`${base}/api/interviews?q=Quartermain`)).json()) as { items: { id: string }[] };
    expect(own.items.map((item) => item.id)).toEqual([aliceInterview]);
  });

  it("a live session belongs to whoever started it: another user's socket cannot resume, feed or stop it", async () => {
    const aliceSocket = await connectClient(app.port, alice.socketAuth);
    const sessionId = await startSession(aliceSocket.socket, { language: 'en', sampleRate: 16_000, channels: ['candidate'] });
    const bobSocket = await connectClient(app.port, bob.socketAuth);
    try {
      const resumed = await bobSocket.socket.timeout(5000).emitWithAck('session:resume', { sessionId });
      expect(resumed.ok).toBe(false);
      const stopped = await bobSocket.socket.timeout(5000).emitWithAck('session:stop', { sessionId });
      expect(stopped.ok).toBe(false);
      const list = (await (await bob.fetch(`${base}/api/interviews`)).json()) as { items: { id: string }[] };
      expect(list.items.map((item) => item.id)).not.toContain(sessionId);
      expect((await alice.fetch(`${base}/api/interviews/${sessionId}`)).status).toBe(200);
    } finally {
      await aliceSocket.socket.timeout(30_000).emitWithAck('session:stop', { sessionId });
      aliceSocket.socket.disconnect();
      bobSocket.socket.disconnect();
    }
  });

  it('a shared interview is visible to the user it was shared with; only the owner or an admin shares', async () => {
    const refused = await bob.fetch(`${base}/api/interviews/${aliceInterview}/shares`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: bob.user.name }) });
    expect(refused.status).toBe(404);
    const shared = await alice.fetch(`${base}/api/interviews/${aliceInterview}/shares`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: bob.user.name }) });
    expect(shared.status).toBe(201);
    const list = (await (await bob.fetch(`${base}/api/interviews?q=Quartermain`)).json()) as { items: { id: string }[] };
    expect(list.items.map((item) => item.id)).toEqual([aliceInterview]);
    expect((await bob.fetch(`${base}/api/interviews/${aliceInterview}`)).status).toBe(200);
    // An admin sees everything.
    const all = (await (await app.admin.fetch(`${base}/api/interviews?q=Quartermain`)).json()) as { items: { id: string }[] };
    expect(all.items.map((item) => item.id)).toContain(aliceInterview);
  });
});

describe('screenings', () => {
  it("a screening is its creator's (and admins'): another user gets 404, and deleting it forgets its owner", async () => {
    const alice = await signIn(app.speech.app, { role: 'recruiter' });
    const bob = await signIn(app.speech.app, { role: 'recruiter' });
    const resume = Buffer.from('Jane Doe. Ten years of Go and PostgreSQL.').toString('base64');
    const started = await alice.fetch(`${base}/api/screenings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jd: 'Backend engineer: Go, PostgreSQL.', files: [{ name: 'jane.txt', contentBase64: resume }] }),
    });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    expect((await bob.fetch(`${base}/api/screenings/${id}`)).status).toBe(404);
    expect((await bob.fetch(`${base}/api/screenings/${id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await alice.fetch(`${base}/api/screenings/${id}`)).status).toBe(200);
    expect((await app.admin.fetch(`${base}/api/screenings/${id}`)).status).toBe(200);
    await expect.poll(async () => (await alice.fetch(`${base}/api/screenings/${id}`, { method: 'DELETE' })).status, { timeout: 30_000 }).toBe(204);
    expect(app.speech.app.auth.access.canAccessScreening(alice.user, id)).toBe(false);
  }, 60_000);
});

describe('per-user limits', () => {
  it('one user cannot open sessions in a loop, whatever address they come from', async () => {
    const caller = await signIn(app.speech.app, { role: 'interviewer' });
    const { socket } = await connectClient(app.port, caller.socketAuth);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const reply = await socket.timeout(5000).emitWithAck('session:start', { language: 'en', sampleRate: 16_000, channels: ['candidate'] });
      codes.push(reply.ok ? 'ok' : reply.error.code);
      if (reply.ok) await socket.timeout(30_000).emitWithAck('session:stop', { sessionId: reply.data.sessionId });
    }
    expect(codes.slice(0, 3)).toEqual(['ok', 'ok', 'ok']);
    expect(codes.slice(3)).toEqual(['rate-limited', 'rate-limited']);
    socket.disconnect();
  });
});

describe('guessing passwords', () => {
  // Last in this file: it uses up this address's sign-in attempts for the minute.
  it('a wrong password is refused, and sign-in attempts are rate-limited', async () => {
    const caller = await signIn(app.speech.app);
    const attempt = () =>
      fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: caller.user.name, password: 'wrong password!!' }) });
    expect((await attempt()).status).toBe(401);
    let status = 0;
    for (let i = 0; i < 12 && status !== 429; i++) status = (await attempt()).status;
    expect(status).toBe(429);
  });
});
