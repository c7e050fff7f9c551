// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '../api/csrf.ts';
import { createRestTransport } from '../api/rest-transport.ts';
import { I18nProvider } from '../i18n/i18n.tsx';
import { AuthGate } from './auth-gate.tsx';

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

type Reply = { status: number; body: unknown };

/** Stubs the global fetch the gate uses; returns the requests it saw. */
function stubFetch(replies: Record<string, Reply>): { method: string; url: string; body: unknown }[] {
  const seen: { method: string; url: string; body: unknown }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    seen.push({ method, url, body: init.body ? JSON.parse(String(init.body)) : null });
    const reply = replies[`${method} ${url}`] ?? { status: 404, body: { error: { code: 'not-found', message: 'no' } } };
    return new Response(JSON.stringify(reply.body), { status: reply.status, headers: { 'content-type': 'application/json' } });
  });
  return seen;
}

const SIGNED_IN = { user: { id: 'u1', name: 'root', role: 'admin' }, csrfToken: 'csrf-1', expiresAtMs: 1 };

describe('AuthGate', () => {
  it('on a server without users offers the first admin (in Chinese too), checks the two passwords, then shows the app', async () => {
    const seen = stubFetch({ 'GET /api/auth/me': { status: 200, body: { user: null, setupRequired: true } }, 'POST /api/auth/setup': { status: 201, body: SIGNED_IN } });
    render(
      <I18nProvider locale="zh">
        <AuthGate>{(account) => <p data-testid="app">app of {account.user.name}</p>}</AuthGate>
      </I18nProvider>,
    );
    await screen.findByText('创建管理员账户');
    fireEvent.change(screen.getByTestId('sign-in-name'), { target: { value: 'root' } });
    fireEvent.change(screen.getByTestId('sign-in-password'), { target: { value: 'a long enough password' } });
    fireEvent.change(screen.getByTestId('sign-in-password-again'), { target: { value: 'another password!!' } });
    fireEvent.click(screen.getByTestId('sign-in-submit'));
    expect((await screen.findByTestId('sign-in-error')).textContent).toBe('两次输入的密码不一致。');
    expect(seen.filter((request) => request.method === 'POST')).toEqual([]);

    fireEvent.change(screen.getByTestId('sign-in-password-again'), { target: { value: 'a long enough password' } });
    fireEvent.click(screen.getByTestId('sign-in-submit'));
    expect((await screen.findByTestId('app')).textContent).toBe('app of root');
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/api/auth/setup', body: { name: 'root', password: 'a long enough password' } });
  });

  it('a wrong password says so; once signed in, every change the app sends carries the CSRF token, reads do not', async () => {
    stubFetch({
      'GET /api/auth/me': { status: 200, body: { user: null, setupRequired: false } },
      'POST /api/auth/login': { status: 401, body: { error: { code: 'invalid-credentials', message: 'wrong user name or password' } } },
    });
    render(
      <I18nProvider locale="en">
        <AuthGate>{() => <p data-testid="app">app</p>}</AuthGate>
      </I18nProvider>,
    );
    await screen.findByText('Sign in to Viva');
    fireEvent.change(screen.getByTestId('sign-in-name'), { target: { value: 'root' } });
    fireEvent.change(screen.getByTestId('sign-in-password'), { target: { value: 'not the password' } });
    fireEvent.click(screen.getByTestId('sign-in-submit'));
    expect((await screen.findByTestId('sign-in-error')).textContent).toBe('Wrong user name or password.');

    setCsrfToken('csrf-1');
    const headers: (string | null)[] = [];
    const transport = createRestTransport({
      fetch: async (_url, init) => {
        headers.push(new Headers(init?.headers).get('X-CSRF-Token'));
        return new Response('{}', { status: 200 });
      },
    });
    await transport.call('/api/interviews', { method: 'POST', signal: AbortSignal.timeout(1000) });
    await transport.call('/api/interviews', { signal: AbortSignal.timeout(1000) });
    await waitFor(() => expect(headers).toEqual(['csrf-1', null]));
  });
});
