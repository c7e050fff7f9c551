import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeScripts, startFakeLlmServer, FAKE_DEFAULT_MODEL, type FakeLlmServer } from './fake-llm-server.ts';

let server: FakeLlmServer;
beforeEach(async () => {
  server = await startFakeLlmServer();
});
afterEach(async () => {
  await server.close();
});

const chat = (body: Record<string, unknown>): Promise<Response> =>
  fetch(`${server.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
    body: JSON.stringify({ model: FAKE_DEFAULT_MODEL, messages: [{ role: 'user', content: 'hi' }], ...body }),
  });

/** The `data:` payloads of an SSE body. */
function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
}

describe('fake LLM server (vLLM wire protocol)', () => {
  it('lists models in vLLM shape', async () => {
    const response = await fetch(`${server.baseUrl}/models`);
    const body = (await response.json()) as { object: string; data: Array<Record<string, unknown>> };
    expect(body.object).toBe('list');
    expect(body.data[0]).toMatchObject({ id: FAKE_DEFAULT_MODEL, object: 'model', owned_by: 'vllm', root: FAKE_DEFAULT_MODEL, max_model_len: 32768 });
  });

  it('streams chat.completion.chunk events: role chunk, content, finish chunk, usage, [DONE]', async () => {
    server.enqueue(fakeScripts.text('Hello there', { chunkSize: 5 }));
    const response = await chat({ stream: true, stream_options: { include_usage: true } });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = sseData(await response.text());
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event) as Record<string, unknown>);
    const id = chunks[0]?.id as string;
    expect(id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
    for (const chunk of chunks) expect(chunk).toMatchObject({ id, object: 'chat.completion.chunk', model: FAKE_DEFAULT_MODEL, created: expect.any(Number) });
    expect(chunks.map((chunk) => chunk.choices)).toEqual([
      [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
      [{ index: 0, delta: { content: 'Hello' }, logprobs: null, finish_reason: null }],
      [{ index: 0, delta: { content: ' ther' }, logprobs: null, finish_reason: null }],
      [{ index: 0, delta: { content: 'e' }, logprobs: null, finish_reason: null }],
      [{ index: 0, delta: { content: '' }, logprobs: null, finish_reason: 'stop', stop_reason: null }],
      [],
    ]);
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
  });

  it('answers non-streaming requests with a chat.completion object', async () => {
    server.enqueue(fakeScripts.json({ ok: true }));
    const body = (await (await chat({})).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: FAKE_DEFAULT_MODEL,
      choices: [{ index: 0, message: { role: 'assistant', content: '{"ok":true}' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: expect.any(Number) },
    });
  });

  it('sends vLLM error bodies with the status code', async () => {
    server.enqueue(fakeScripts.error(500, 'engine dead'), fakeScripts.error(429, 'slow down', { style: 'openai', headers: { 'retry-after': '1' } }));
    const first = await chat({ stream: true });
    expect(first.status).toBe(500);
    expect(await first.json()).toEqual({ object: 'error', message: 'engine dead', type: 'InternalServerError', param: null, code: 500 });
    const second = await chat({ stream: true });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    expect(await second.json()).toEqual({ error: { message: 'slow down', type: 'TooManyRequestsError', param: null, code: 429 } });
  });

  it('refuses an unknown model like vLLM and an unscripted request loudly', async () => {
    const unknown = await chat({ model: 'gpt-4o' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toBe('The model `gpt-4o` does not exist.');
    const unscripted = await chat({});
    expect(unscripted.status).toBe(500);
    expect(((await unscripted.json()) as { message: string }).message).toContain('no script queued');
  });

  it('records requests with body, headers and response_format', async () => {
    server.setResponder(() => fakeScripts.text('{}'));
    await (await chat({ stream: true, response_format: { type: 'json_schema', json_schema: { name: 'thing', schema: {} } } })).text();
    const [request] = server.chatRequests();
    expect(request).toMatchObject({ method: 'POST', path: '/v1/chat/completions', schemaName: 'thing', responseFormatType: 'json_schema', outcome: 'completed' });
    expect(request?.headers.authorization).toBe('Bearer test');
    expect(request?.body?.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('is usable by the real openai SDK, and a hang ends when the client aborts', async () => {
    const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'x', maxRetries: 0 });
    server.enqueue(fakeScripts.text('abc'), fakeScripts.hang());
    const completion = await client.chat.completions.create({ model: FAKE_DEFAULT_MODEL, messages: [{ role: 'user', content: 'x' }] });
    expect(completion.choices[0]?.message.content).toBe('abc');

    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: FAKE_DEFAULT_MODEL, messages: [{ role: 'user', content: 'x' }], stream: true }, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.inFlight()).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow(/aborted/);
    await server.waitForIdle();
    expect(server.chatRequests()[1]?.outcome).toBe('client-aborted');
  });

  it('drops the connection mid-stream after the given chunks', async () => {
    server.enqueue(fakeScripts.drop('abcdefgh', 2, { chunkSize: 2 }));
    const response = await chat({ stream: true });
    const error = await response.text().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(String(error)).toContain('terminated');
    expect(server.chatRequests()[0]?.outcome).toBe('dropped');
  });
});
