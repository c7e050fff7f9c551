import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient } from '../../server/llm/client.ts';
import { createPromptLibrary } from '../../server/prompts.ts';
import { analysisAnswerOf, analysisResponder, defaultRubricScore, followUpsReply, jsonScript, openingWordsOf } from '../fakes/fake-analysis-answers.ts';
import { FAKE_DEFAULT_MODEL, startFakeLlmServer, type FakeLlmServer } from '../fakes/fake-llm-server.ts';
import { loadCases } from './cases.ts';
import { computeMetrics } from './metrics.ts';
import { replayCase } from './replay.ts';

let server: FakeLlmServer;
beforeAll(async () => {
  // A well-behaved fake: scores every answer 6, quoting its first words.
  server = await startFakeLlmServer({
    respond: analysisResponder({
      followups: jsonScript(followUpsReply({ question: 'Why?', buildsOn: '', probes: 'depth' })),
      score: (request) => jsonScript(defaultRubricScore({ technical_skill: 6, clarity: 6, problem_solving: 6 }, [openingWordsOf(analysisAnswerOf(request))])),
    }),
  });
});
afterAll(async () => {
  await server.close();
});

describe('eval replay (fake vLLM over HTTP)', () => {
  it('scores each case through the live scoring path, an empty transcript without a call', async () => {
    const llm = createLlmClient({ baseUrl: server.baseUrl, model: FAKE_DEFAULT_MODEL, timeoutMs: 5_000, maxRetries: 0, structuredOutput: 'auto', retryBaseDelayMs: 1 });
    const prompts = createPromptLibrary();
    const cases = loadCases(undefined, 'en-scaling/');
    const results = [];
    for (const evalCase of cases) results.push(await replayCase(llm, prompts, evalCase, 0, new AbortController().signal));
    expect(results.every((result) => result.error === undefined)).toBe(true);
    expect(server.chatRequests()).toHaveLength(cases.length - 1);
    const silence = results.find((result) => result.kind === 'empty');
    expect(silence).toMatchObject({ label: 'empty', overall: null });
    const strong = results.find((result) => result.caseId === 'en-scaling/strong');
    expect(strong).toMatchObject({ label: 'answer', overall: 6, quotes: { claimed: 3, verified: 3 }, promptVersion: expect.stringContaining('answer-score@') });
    const metrics = computeMetrics(results);
    expect(metrics.evidence.verified).toBeGreaterThan(0);
    expect(metrics.injection.pairs).toBe(2);
  });
});
