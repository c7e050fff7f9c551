import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeLlmServer, FAKE_DEFAULT_MODEL, type FakeLlmServer } from '../../test/fakes/fake-llm-server.ts';
import { checkLlmEndpoint, createLlmClient, type LlmConfig } from './client.ts';
import { LlmError } from './errors.ts';

let server: FakeLlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const config = (overrides: Partial<LlmConfig>): LlmConfig => ({
  baseUrl: 'http://127.0.0.1:9/v1',
  model: FAKE_DEFAULT_MODEL,
  timeoutMs: 2_000,
  maxRetries: 0,
  structuredOutput: 'auto',
  ...overrides,
});

async function checkError(overrides: Partial<LlmConfig>): Promise<LlmError> {
  const error = await checkLlmEndpoint(createLlmClient(config(overrides))).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LlmError);
  return error as LlmError;
}

/** A port nobody listens on: bind one, then close it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('checkLlmEndpoint', () => {
  it('confirms the configured model is served', async () => {
    server = await startFakeLlmServer({ models: ['other/model', FAKE_DEFAULT_MODEL] });
    const info = await checkLlmEndpoint(createLlmClient(config({ baseUrl: server.baseUrl })));
    expect(info).toEqual({ model: FAKE_DEFAULT_MODEL, servedModels: ['other/model', FAKE_DEFAULT_MODEL] });
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models']);
  });

  it('tells how to fix an unreachable URL', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    const error = await checkError({ baseUrl });
    expect(error.code).toBe('llm-unreachable');
    expect(error.message).toMatch(new RegExp(`^could not reach the LLM server at ${baseUrl.replaceAll('.', '\\.')} \\(.*ECONNREFUSED.*\\); is vLLM running\\? set VIVA_LLM_BASE_URL`));
  });

  it('tells how to fix an unknown model, listing what is served', async () => {
    server = await startFakeLlmServer({ models: ['Qwen/Qwen2.5-1.5B-Instruct', 'llama3.1:8b'] });
    const error = await checkError({ baseUrl: server.baseUrl, model: 'Qwen/Qwen2.5-7B-Instruct' });
    expect(error.code).toBe('llm-error');
    expect(error.message).toBe(
      `model Qwen/Qwen2.5-7B-Instruct is not served here (${server.baseUrl}); served: Qwen/Qwen2.5-1.5B-Instruct, llama3.1:8b; set VIVA_LLM_MODEL`,
    );
  });

  it('tells that a base URL without /v1 is not OpenAI-compatible', async () => {
    server = await startFakeLlmServer();
    const baseUrl = server.baseUrl.replace(/\/v1$/, '');
    const error = await checkError({ baseUrl });
    expect(error.message).toContain(`${baseUrl}/models was not found (404)`);
    expect(error.message).toContain('usually ends in /v1');
    expect(error.message).toContain('set VIVA_LLM_BASE_URL');
  });

  it('tells how to fix a refused API key', async () => {
    server = await startFakeLlmServer({ apiKey: 'sk-right' });
    const error = await checkError({ baseUrl: server.baseUrl, apiKey: 'sk-wrong' });
    expect(error.message).toBe(`the LLM server at ${server.baseUrl} refused the API key (401); set VIVA_LLM_API_KEY`);
    const ok = await checkLlmEndpoint(createLlmClient(config({ baseUrl: server.baseUrl, apiKey: 'sk-right' })));
    expect(ok.model).toBe(FAKE_DEFAULT_MODEL);
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer sk-right');
  });
});

describe('createLlmClient', () => {
  it('remembers a structured-output fallback per client, only in auto mode', () => {
    const auto = createLlmClient(config({}));
    expect(auto.structuredOutput).toBe('json_schema');
    expect(auto.fallBackFrom('json_schema')).toBe('json_object');
    // A second caller that also saw json_schema refused does not skip json_object.
    expect(auto.fallBackFrom('json_schema')).toBe('json_object');
    expect(auto.fallBackFrom('json_object')).toBe('none');
    expect(createLlmClient(config({})).structuredOutput).toBe('json_schema');

    const fixed = createLlmClient(config({ structuredOutput: 'json_object' }));
    expect(fixed.canFallBack).toBe(false);
    expect(fixed.fallBackFrom('json_object')).toBe('json_object');
  });
});
