import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fakeScripts, startFakeLlmServer, FAKE_DEFAULT_MODEL, type FakeLlmServer } from '../../test/fakes/fake-llm-server.ts';
import { createLlmClient, type LlmConfig } from './client.ts';
import { LlmError } from './errors.ts';
import { generateObject, type GenerateAttempt } from './structured.ts';

const Person = z.object({ name: z.string(), age: z.number().int().min(0) });
const alice = { name: 'Alice', age: 31 };
const messages = [
  { role: 'system' as const, content: 'You extract people.' },
  { role: 'user' as const, content: 'Alice is 31.' },
];

let server: FakeLlmServer;
beforeEach(async () => {
  server = await startFakeLlmServer();
});
afterEach(async () => {
  await server.close();
});

function client(overrides: Partial<LlmConfig> = {}) {
  return createLlmClient({
    baseUrl: server.baseUrl,
    model: FAKE_DEFAULT_MODEL,
    timeoutMs: 5_000,
    maxRetries: 2,
    structuredOutput: 'auto',
    retryBaseDelayMs: 5,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LlmError);
  return error as LlmError;
}

describe('generateObject', () => {
  it('sends a tighter decoding schema when given, but validates the reply with the caller’s schema', async () => {
    server.enqueue(fakeScripts.json({ name: 'Bob', age: 40 }));
    const Named = z.object({ name: z.enum(['Alice', 'Carol']), age: z.number().int().min(0) });
    const result = await generateObject(client(), { schema: Person, decodingSchema: Named, schemaName: 'person', messages });
    // The fake server does not enforce the schema; the reply outside the enum is still a valid Person.
    expect(result.object).toEqual({ name: 'Bob', age: 40 });
    const sent = JSON.stringify(server.chatRequests()[0]?.body);
    expect(sent).toContain('"enum":["Alice","Carol"]');
  });

  it('streams a json_schema request and returns the validated object', async () => {
    server.enqueue(fakeScripts.json(alice, { chunkSize: 3 }));
    const deltas: string[] = [];
    const result = await generateObject(client(), { schema: Person, schemaName: 'person', messages, onTextDelta: (d) => deltas.push(d) });

    expect(result).toMatchObject({ object: alice, model: FAKE_DEFAULT_MODEL, repaired: false, structuredOutput: 'json_schema', requests: 1 });
    expect(deltas.join('')).toBe(JSON.stringify(alice));
    expect(deltas.length).toBeGreaterThan(3);
    const [request] = server.chatRequests();
    expect(request?.body).toMatchObject({
      model: FAKE_DEFAULT_MODEL,
      stream: true,
      messages,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'person',
          strict: true,
          schema: { type: 'object', required: ['name', 'age'], additionalProperties: false },
        },
      },
    });
    expect(request?.headers.authorization).toBe('Bearer not-needed');
  });

  it('waits through slow tokens and delivers them in order', async () => {
    server.enqueue(fakeScripts.json(alice, { chunkSize: 2, timeToFirstTokenMs: 150, chunkDelayMs: 20 }));
    const deltas: string[] = [];
    const result = await generateObject(client(), { schema: Person, schemaName: 'person', messages, onTextDelta: (d) => deltas.push(d) });
    expect(result.object).toEqual(alice);
    expect(deltas).toEqual(Array.from({ length: Math.ceil(JSON.stringify(alice).length / 2) }, (_, i) => JSON.stringify(alice).slice(i * 2, i * 2 + 2)));
  });

  it('parses leniently: code fences, prose and <think> around the object', async () => {
    server.enqueue(fakeScripts.text(`<think>they want {json}</think>Sure! Here it is:\n\`\`\`json\n${JSON.stringify(alice)}\n\`\`\`\nAnything else?`));
    const result = await generateObject(client(), { schema: Person, schemaName: 'person', messages });
    expect(result.object).toEqual(alice);
    expect(result.repaired).toBe(false);
  });

  it('repairs broken JSON once, sending the model its output and the problem', async () => {
    server.enqueue(fakeScripts.brokenJson(alice), fakeScripts.json(alice));
    const attempts: GenerateAttempt[] = [];
    const result = await generateObject(client(), { schema: Person, schemaName: 'person', messages, onAttemptStart: (a) => attempts.push(a) });

    expect(result).toMatchObject({ object: alice, repaired: true, requests: 2 });
    expect(attempts.map((a) => a.reason)).toEqual(['first', 'repair']);
    const repair = server.chatRequests()[1]?.body?.messages as Array<{ role: string; content: string }>;
    expect(repair.slice(0, 2)).toEqual(messages);
    expect(repair[2]).toEqual({ role: 'assistant', content: fakeScripts.brokenJson(alice).content });
    expect(repair[3]?.role).toBe('user');
    expect(repair[3]?.content).toContain('could not be used');
    expect(repair[3]?.content).toContain('"required":["name","age"]');
  });

  it('gives up after one failed repair with llm-invalid-output, keeping the raw text', async () => {
    server.enqueue(fakeScripts.brokenJson(alice), fakeScripts.text('still not json'));
    const error = await failure(generateObject(client(), { schema: Person, schemaName: 'person', messages }));
    expect(error.code).toBe('llm-invalid-output');
    expect(error.retryable).toBe(true);
    expect(error.raw).toBe('still not json');
    expect(error.message).toContain('even after one repair request');
    expect(server.chatRequests()).toHaveLength(2);
  });

  it('repairs JSON that fails the schema, quoting the zod issues', async () => {
    server.enqueue(fakeScripts.json({ name: 'Alice', age: 'thirty-one' }), fakeScripts.json(alice));
    const result = await generateObject(client(), { schema: Person, schemaName: 'person', messages });
    expect(result).toMatchObject({ object: alice, repaired: true });
    const repair = server.chatRequests()[1]?.body?.messages as Array<{ role: string; content: string }>;
    expect(repair[3]?.content).toContain('age');
    expect(repair[3]?.content).toContain('expected number');
  });

  it('retries an HTTP 500 with backoff and succeeds', async () => {
    server.enqueue(fakeScripts.error(500, 'CUDA out of memory'), fakeScripts.json(alice));
    const attempts: GenerateAttempt[] = [];
    const result = await generateObject(client(), { schema: Person, schemaName: 'person', messages, onAttemptStart: (a) => attempts.push(a) });
    expect(result.object).toEqual(alice);
    expect(attempts.map((a) => a.reason)).toEqual(['first', 'retry']);
  });

  it('reports the server message when retries run out on 5xx', async () => {
    server.enqueue(fakeScripts.error(503, 'engine is overloaded'), fakeScripts.error(503, 'engine is overloaded'), fakeScripts.error(503, 'engine is overloaded'));
    const error = await failure(generateObject(client(), { schema: Person, schemaName: 'person', messages }));
    expect(error).toMatchObject({ code: 'llm-error', retryable: true, status: 503 });
    expect(error.message).toBe('the LLM server answered 503: engine is overloaded');
    expect(server.chatRequests()).toHaveLength(3);
  });

  it('does not retry a 4xx that is not about response_format', async () => {
    server.enqueue(fakeScripts.error(400, "This model's maximum context length is 32768 tokens"));
    const error = await failure(generateObject(client(), { schema: Person, schemaName: 'person', messages }));
    expect(error).toMatchObject({ code: 'llm-error', retryable: false, status: 400 });
    expect(error.message).toContain('maximum context length');
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('times out a server that never answers, and does not retry a timeout', async () => {
    server.enqueue(fakeScripts.hang('before-headers'));
    const started = Date.now();
    const error = await failure(generateObject(client({ timeoutMs: 300 }), { schema: Person, schemaName: 'person', messages }));
    expect(error).toMatchObject({ code: 'llm-timeout', retryable: true });
    expect(error.message).toContain('300 ms');
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(server.chatRequests()).toHaveLength(1);
    await server.waitForIdle();
    expect(server.chatRequests()[0]?.outcome).toBe('client-aborted');
  });

  it('times out a stream that sent headers but no token', async () => {
    server.enqueue(fakeScripts.hang('after-headers'));
    const error = await failure(generateObject(client({ timeoutMs: 300 }), { schema: Person, schemaName: 'person', messages }));
    expect(error.code).toBe('llm-timeout');
    await server.waitForIdle();
  });

  it('retries when the connection drops mid-stream', async () => {
    server.enqueue(fakeScripts.drop(JSON.stringify(alice), 3), fakeScripts.json(alice));
    const deltas: string[] = [];
    const attempts: GenerateAttempt[] = [];
    const result = await generateObject(client(), {
      schema: Person,
      schemaName: 'person',
      messages,
      onTextDelta: (d) => deltas.push(d),
      onAttemptStart: (a) => attempts.push(a),
    });
    expect(result.object).toEqual(alice);
    expect(attempts.map((a) => a.reason)).toEqual(['first', 'retry']);
    expect(deltas.join('')).toBe(JSON.stringify(alice).slice(0, 12) + JSON.stringify(alice));
  });

  it('reports a dropped connection as a retryable llm-error when retries run out', async () => {
    server.enqueue(fakeScripts.drop(JSON.stringify(alice), 2));
    const error = await failure(generateObject(client({ maxRetries: 0 }), { schema: Person, schemaName: 'person', messages }));
    expect(error).toMatchObject({ code: 'llm-error', retryable: true });
    expect(error.message).toContain('dropped mid-answer');
    expect(error.raw).toBe(JSON.stringify(alice).slice(0, 8));
  });

  it('reports a refused connection as llm-unreachable', async () => {
    const { baseUrl } = server;
    await server.close();
    const error = await failure(generateObject(client({ baseUrl, maxRetries: 1 }), { schema: Person, schemaName: 'person', messages }));
    expect(error).toMatchObject({ code: 'llm-unreachable', retryable: true });
    expect(error.message).toContain(`could not reach the LLM server at ${baseUrl}`);
    expect(error.message).toContain('ECONNREFUSED');
    server = await startFakeLlmServer();
  });

  it('falls back to json_object when json_schema is refused with 400, and remembers it', async () => {
    await server.close();
    server = await startFakeLlmServer({ rejectResponseFormats: ['json_schema'] });
    server.enqueue(fakeScripts.json(alice), fakeScripts.json(alice));
    const llm = client();
    const first = await generateObject(llm, { schema: Person, schemaName: 'person', messages });
    expect(first).toMatchObject({ object: alice, structuredOutput: 'json_object', requests: 2 });
    const second = await generateObject(llm, { schema: Person, schemaName: 'person', messages });
    expect(second).toMatchObject({ structuredOutput: 'json_object', requests: 1 });

    expect(server.chatRequests().map((r) => r.responseFormatType)).toEqual(['json_schema', 'json_object', 'json_object']);
    // Without a server-enforced schema the model is told the schema in the last user message.
    const sent = server.chatRequests()[1]?.body?.messages as Array<{ role: string; content: string }>;
    expect(sent[0]).toEqual(messages[0]);
    expect(sent[1]?.content.startsWith('Alice is 31.\n\nAnswer with a single JSON object')).toBe(true);
    expect(sent[1]?.content).toContain('"additionalProperties":false');
  });

  it('falls back to instructions only when the server refuses both response formats', async () => {
    await server.close();
    server = await startFakeLlmServer({ rejectResponseFormats: ['json_schema', 'json_object'] });
    server.enqueue(fakeScripts.text(`\`\`\`json\n${JSON.stringify(alice)}\n\`\`\``));
    const result = await generateObject(client(), { schema: Person, schemaName: 'person', messages });
    expect(result).toMatchObject({ object: alice, structuredOutput: 'none', requests: 3 });
    expect(server.chatRequests().map((r) => r.responseFormatType)).toEqual(['json_schema', 'json_object', undefined]);
  });

  it('does not fall back when the mode is configured explicitly', async () => {
    await server.close();
    server = await startFakeLlmServer({ rejectResponseFormats: ['json_schema'] });
    const error = await failure(generateObject(client({ structuredOutput: 'json_schema' }), { schema: Person, schemaName: 'person', messages }));
    expect(error).toMatchObject({ code: 'llm-error', status: 400, retryable: false });
    expect(error.message).toContain("response_format type 'json_schema' is not supported");
  });

  it('stops at once when the caller aborts, with analysis-cancelled', async () => {
    server.enqueue(fakeScripts.json(alice, { timeToFirstTokenMs: 5_000 }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await failure(generateObject(client(), { schema: Person, schemaName: 'person', messages, signal: controller.signal }));
    expect(error).toMatchObject({ code: 'analysis-cancelled', retryable: false });
    expect(Date.now() - started).toBeLessThan(2_000);
    await server.waitForIdle();
    expect(server.chatRequests()).toHaveLength(1);
    expect(server.chatRequests()[0]?.outcome).toBe('client-aborted');
  });

  it('does not retry after the caller aborts during backoff', async () => {
    server.enqueue(fakeScripts.error(500, 'boom'), fakeScripts.json(alice));
    const controller = new AbortController();
    const llm = client({ retryBaseDelayMs: 2_000 });
    const pending = generateObject(llm, { schema: Person, schemaName: 'person', messages, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const error = await failure(pending);
    expect(error.code).toBe('analysis-cancelled');
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('retries a malformed SSE chunk and succeeds', async () => {
    server.enqueue(fakeScripts.malformedSse(), fakeScripts.json(alice));
    const result = await generateObject(client(), { schema: Person, schemaName: 'person', messages });
    expect(result.object).toEqual(alice);
    expect(server.chatRequests()).toHaveLength(2);
  });
});
