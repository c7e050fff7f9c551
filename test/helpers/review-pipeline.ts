/**
 * Parts for end-to-end runs of recorded-call review: a fake-LLM responder that quotes the answer it was sent, and the
 * configuration of a real server or `viva review` pointed at the shared real models, a temp data directory and the fake LLM.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, type Config } from '../../server/env.ts';
import { analysisAnswerOf, analysisResponder, defaultRubricScore, followUpsReply, openingWordsOf } from '../fakes/fake-analysis-answers.ts';
import { fakeScripts, type FakeLlmResponder, type FakeStreamTiming } from '../fakes/fake-llm-server.ts';
import { ENGLISH_TEST_MODEL, MODELS_DIR } from './speech-app.ts';

const run = promisify(execFile);

/** The answer text of an analysis request (kept here for the recording tests). */
export const answerOf = analysisAnswerOf;
const openingOf = openingWordsOf;

/**
 * Answers follow-up and score calls like a well-behaved model: one suggestion building on the answer's first words, and a
 * default-rubric score quoting them as evidence (so the verbatim-evidence check passes). `timing` delays each reply.
 */
export function quotingAnalysisResponder(timing: FakeStreamTiming = {}): FakeLlmResponder {
  return analysisResponder({
    followups: (request) => {
      const opening = openingOf(answerOf(request));
      return fakeScripts.json(
        followUpsReply({ question: `What did you mean by "${opening}"?`, buildsOn: opening, probes: 'depth of the answer' }),
        timing,
      );
    },
    score: (request) => fakeScripts.json(defaultRubricScore({ technical_skill: 6, clarity: 8, problem_solving: 5 }, [openingOf(answerOf(request))]), timing),
  });
}

/** Configuration of a real server / `viva review` on the shared real models, a data directory and an LLM endpoint. */
export function testConfig(options: { dataDir: string; llmBaseUrl: string; whisperModel?: string; extra?: Record<string, string> }): Config {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    VIVA_MODELS_DIR: MODELS_DIR,
    VIVA_WHISPER_MODEL: options.whisperModel ?? ENGLISH_TEST_MODEL,
    VIVA_WHISPER_THREADS: '2',
    VIVA_DATA_DIR: options.dataDir,
    VIVA_LLM_BASE_URL: options.llmBaseUrl,
    VIVA_LLM_MAX_RETRIES: '0',
    VIVA_LOG_LEVEL: 'warn',
    ...options.extra,
  });
}

/** Encodes `source` to `target` with the system ffmpeg: `args` for the output (codec, rate), `inputArgs` for the input. */
export async function encodeWith(source: string, target: string, args: readonly string[], inputArgs: readonly string[] = []): Promise<string> {
  await run('ffmpeg', ['-y', '-v', 'error', ...inputArgs, '-i', source, ...args, target]);
  return target;
}

/** Path of a clip in the shared audio folder. */
export function sharedAudio(relativePath: string): string {
  return path.join(MODELS_DIR, '../audio', relativePath);
}
