/**
 * Parts for end-to-end runs of recorded-call review: the real speech runtime with reference words in place of the
 * zero-weight model's empty text, a fake-LLM responder that quotes the answer it was sent, and the configuration of a
 * real server or `viva review` pointed at test models, a temp data directory and the fake LLM.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { samplesToMs } from '../../protocol/audio.ts';
import { loadConfig, type Config } from '../../server/env.ts';
import type { SpeechRuntime } from '../../server/speech-runtime.ts';
import type { TurnDecoder } from '../../server/asr/turn-decoder.ts';
import { analysisAnswerOf, analysisResponder, defaultRubricScore, followUpsReply, openingWordsOf } from '../fakes/fake-analysis-answers.ts';
import { fakeScripts, type FakeLlmResponder, type FakeStreamTiming, type RecordedLlmRequest } from '../fakes/fake-llm-server.ts';
import { MODELS_DIR } from './speech-app.ts';

const run = promisify(execFile);

/** Decides the words of each final decode: `index` counts finals since the runtime was wrapped. */
export type ReferenceWords = (index: number, clipMs: number) => string;

/** Reference words handed out in order from a list the test sets before each recording. */
export class ReferenceScript {
  private queue: string[] = [];
  /** Finals that found the list empty (the VAD found more turns than the list has). */
  overflow = 0;
  /** Words given so far, in order. */
  readonly given: string[] = [];

  /** Replaces the list: one entry per turn the next recording should yield, in order. */
  set(words: readonly string[]): void {
    this.queue = [...words];
    this.overflow = 0;
  }

  /** The next entry, or '' when the list is used up. */
  readonly take: ReferenceWords = () => {
    const words = this.queue.shift();
    if (words === undefined) this.overflow++;
    this.given.push(words ?? '');
    return words ?? '';
  };
}

/**
 * The runtime with a decoder that runs the real whisper decode of every turn (through the real scheduler: real cost,
 * real queueing) and then replaces its text with `words(...)`. Why: the shared whisper models are zero-weight test models
 * that transcribe everything as empty text, and the answer analyser (rightly) scores an empty answer as 'empty' without
 * calling the LLM, so without real words nothing downstream of ASR would run. Only the text is substituted.
 */
export function withReferenceWords(runtime: SpeechRuntime, words: ReferenceWords): SpeechRuntime {
  let finals = 0;
  const decoder: TurnDecoder = {
    async decode(job) {
      const outcome = await runtime.decoder.decode(job);
      if (outcome.skipped || job.priority !== 'final') return outcome;
      const clipMs = samplesToMs(job.pcm.length);
      const text = words(finals++, clipMs);
      return { ...outcome, text, segments: text === '' ? [] : [{ text, startMs: 0, endMs: clipMs }] };
    },
  };
  return { ...runtime, decoder };
}

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

/** Configuration of a real server / `viva review` on the shared test models, a data directory and an LLM endpoint. */
export function testConfig(options: { dataDir: string; llmBaseUrl: string; whisperModel?: string; extra?: Record<string, string> }): Config {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    VIVA_MODELS_DIR: MODELS_DIR,
    VIVA_WHISPER_MODEL: options.whisperModel ?? 'tiny',
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
