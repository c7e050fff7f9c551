import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOLLOW_UP_DECISION_SCHEMA_NAME, createLlmFollowUpDecider } from '../server/automated/follow-up-decider.ts';
import { createLlmClient } from '../server/llm/client.ts';
import { createPromptLibrary } from '../server/prompts.ts';
import { FAKE_DEFAULT_MODEL, fakeScripts, startFakeLlmServer, type FakeLlmServer } from './fakes/fake-llm-server.ts';

let server: FakeLlmServer;
const prompts = createPromptLibrary();
beforeAll(async () => {
  server = await startFakeLlmServer();
});
afterAll(async () => {
  await server.close();
});

function decider(timeoutMs = 3_000) {
  const llm = createLlmClient({ baseUrl: server.baseUrl, model: FAKE_DEFAULT_MODEL, timeoutMs: 3_000, maxRetries: 0, structuredOutput: 'auto', retryBaseDelayMs: 1 });
  return createLlmFollowUpDecider({ llm, prompts, timeoutMs });
}

const request = (answer: string, language: 'en' | 'zh' = 'en') => ({
  language,
  question: language === 'en' ? 'Tell me about a system you designed.' : '请介绍一个你设计过的系统。',
  answer,
  role: 'Backend engineer',
  signal: new AbortController().signal,
});

describe('follow-up decider (fake vLLM over HTTP)', () => {
  it('asks the model with the question, the answer and the role, and returns its follow-up', async () => {
    server.enqueue(fakeScripts.json({ gap: 'no numbers', followUp: 'How many requests per second did it handle?' }));
    const before = server.chatRequests().length;
    const decision = await decider().decide(request('I built a payment queue on Kafka.'));
    expect(decision).toMatchObject({ followUp: 'How many requests per second did it handle?', gap: 'no numbers', source: 'llm', promptVersion: 'automated-followup@2' });
    const sent = server.chatRequests().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.schemaName).toBe(FOLLOW_UP_DECISION_SCHEMA_NAME);
    const body = JSON.stringify(sent[0]?.body);
    expect(body).toContain('I built a payment queue on Kafka.');
    expect(body).toContain('Tell me about a system you designed.');
    expect(body).toContain('Backend engineer');
  });

  it('uses the Chinese prompts for a Chinese interview; null means move on', async () => {
    server.enqueue(fakeScripts.json({ gap: 'none', followUp: null }));
    const before = server.chatRequests().length;
    expect(await decider().decide(request('我设计了一个支付队列。', 'zh'))).toMatchObject({ followUp: null, source: 'llm' });
    expect(JSON.stringify(server.chatRequests()[before]?.body)).toContain('你问的预设问题');
  });

  it('falls back to moving on when the model fails, hangs past the timeout, or answers nonsense twice', async () => {
    server.enqueue(fakeScripts.error(500, 'boom'));
    expect(await decider().decide(request('An answer.'))).toMatchObject({ followUp: null, source: 'fallback' });
    server.enqueue(fakeScripts.hang());
    const started = performance.now();
    const hung = await decider(500).decide(request('An answer.'));
    expect(hung).toMatchObject({ followUp: null, source: 'fallback' });
    expect(performance.now() - started).toBeLessThan(3_000);
    server.enqueue(fakeScripts.text('not json'), fakeScripts.text('still not json'));
    expect(await decider().decide(request('An answer.'))).toMatchObject({ followUp: null, source: 'fallback', error: expect.stringContaining('automated_followup') });
    await server.waitForIdle(5_000);
  });

  it('does not call the model for an empty transcript', async () => {
    const before = server.chatRequests().length;
    expect(await decider().decide(request('   '))).toMatchObject({ followUp: null, source: 'fallback', error: 'empty answer' });
    expect(server.chatRequests().length).toBe(before);
  });
});
