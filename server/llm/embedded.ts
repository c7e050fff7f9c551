/**
 * The embedded LLM provider: a GGUF model run in process by node-llama-cpp (prebuilt CPU binary; a GPU where the machine
 * has one). One model, one context, one conversation cache: calls are served one at a time, in arrival order, from a
 * bounded queue. Structured output is constrained by a grammar built from the request's JSON schema. The prompt is
 * evaluated in batches and the common prefix with the previous call (system prompt, role, JD, résumé, earlier turns)
 * is kept in the KV cache rather than re-read. Every batch waits while a final ASR decode runs, so finals come first.
 */
import os from 'node:os';
import path from 'node:path';
import {
  getLlama,
  LlamaChat,
  LlamaLogLevel,
  type ChatHistoryItem,
  type GbnfJsonSchema,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
} from 'node-llama-cpp';
import type { Logger } from '../logger.ts';
import { LlmError } from './errors.ts';
import { checkGgufFile } from './gguf-file.ts';
import { toGrammarSchema } from './grammar-schema.ts';
import type { ChatMessage, ChatRequest, ChatResult, LlmProvider, StructuredOutputRequest } from './provider.ts';

/** Lets CPU-heavy work step aside for final ASR decodes (implemented by the decode scheduler). */
export interface AsrPriority {
  /** Resolves once no final decode runs or waits; undefined when none does now. */
  finalsIdle(): Promise<void> | undefined;
}

/** How to load and run the model. */
export interface EmbeddedLlmOptions {
  modelFile: string;
  /** Per call, from when it starts running (time waiting in the queue is not counted). */
  timeoutMs: number;
  /**
   * CPU threads; default half the math cores (at least 1). llama.cpp's threads spin at every barrier: when the cores
   * are also busy (whisper, other processes) two threads on two cores ran 20x slower than one (0.6 vs 11 tokens/s).
   */
  threads?: number | undefined;
  /** Tokens the model sees at once; default 8192 with 8 GB of memory or more, else 4096 (at most the model's own). */
  contextSize?: number | undefined;
  /** Prompt tokens per evaluation batch: the most work that runs before the next yield to ASR. Default 128. */
  batchSize?: number | undefined;
  /** 'auto' uses Metal/CUDA/Vulkan when a device is there; false: CPU only. Default false. */
  gpu?: 'auto' | false | undefined;
  /** Calls waiting beyond the running one; more are refused (retryable). Default 32. */
  maxQueuedCalls?: number | undefined;
  /** Fix suggested when the model file is missing or damaged. */
  fileFix?: string | undefined;
  asrPriority?: AsrPriority | undefined;
  logger?: Pick<Logger, 'info' | 'warn'> | undefined;
}

/** Figures of one finished call. */
export interface EmbeddedCallFigures {
  promptTokens: number;
  /** Prompt tokens found in the KV cache from the previous call (not re-read). */
  reusedPromptTokens: number;
  prefillMs: number;
  /** From the start of generation to the first text. */
  firstTextMs: number | undefined;
  generatedTokens: number;
  generateMs: number;
}

/** Counters since load. */
export interface EmbeddedLlmStats {
  calls: number;
  promptTokens: number;
  reusedPromptTokens: number;
  generatedTokens: number;
  queued: number;
  /** Evaluation batches that waited for a final ASR decode, and how long in all. */
  asrYields: number;
  asrYieldMs: number;
  lastCall: EmbeddedCallFigures | undefined;
}

/** The embedded provider, with what it was set up with. */
export interface EmbeddedLlm extends LlmProvider {
  readonly kind: 'embedded';
  readonly contextSize: number;
  readonly threads: number;
  readonly batchSize: number;
  readonly gpu: string;
  stats(): EmbeddedLlmStats;
}

const DEFAULT_MAX_TOKENS = 1024;
const GRAMMAR_CACHE_SIZE = 32;

/** Checks the file, loads the model and returns the provider. Throws LlmModelFileError or a readable Error. */
export async function loadEmbeddedLlm(options: EmbeddedLlmOptions): Promise<EmbeddedLlm> {
  const fix = options.fileFix ?? 'set VIVA_LLM_MODEL_FILE to a GGUF model file';
  await checkGgufFile(options.modelFile, fix);
  const llama = await loadLlama(options.gpu ?? false, options.logger);
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: options.modelFile });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`the LLM model file ${options.modelFile} could not be loaded (${detail}); it may be damaged or of an architecture this llama.cpp does not know; ${fix}`);
  }
  const contextSize = Math.min(model.trainContextSize, options.contextSize ?? (os.totalmem() >= 8 * 1024 ** 3 ? 8192 : 4096));
  const batchSize = Math.min(options.batchSize ?? 128, contextSize);
  const threads = options.threads ?? Math.max(1, Math.floor(llama.cpuMathCores / 2));
  const stats: EmbeddedLlmStats = { calls: 0, promptTokens: 0, reusedPromptTokens: 0, generatedTokens: 0, queued: 0, asrYields: 0, asrYieldMs: 0, lastCall: undefined };
  const asr = options.asrPriority;
  const context = await model.createContext({
    contextSize,
    batchSize,
    threads,
    // Two sequences although one is used: with every sequence waiting, node-llama-cpp dispatches at once and skips
    // the schedule below, which is where evaluation waits for final ASR decodes.
    sequences: 2,
    batching: {
      dispatchSchedule: (dispatch) => {
        const idle = asr?.finalsIdle();
        if (idle === undefined) {
          setImmediate(dispatch);
          return;
        }
        const startedAt = performance.now();
        stats.asrYields += 1;
        void idle.then(() => {
          stats.asrYieldMs += performance.now() - startedAt;
          dispatch();
        });
      },
    },
  });
  options.logger?.info(
    `llm: embedded ${path.basename(options.modelFile)} (${llama.gpu === false ? 'CPU' : llama.gpu}, ${threads} threads, context ${context.contextSize} tokens, batch ${batchSize})`,
  );
  return createEmbeddedProvider({ options, llama, model, context, stats, batchSize, threads });
}

async function loadLlama(gpu: 'auto' | false, logger: EmbeddedLlmOptions['logger']): Promise<Llama> {
  const log = (level: LlamaLogLevel, message: string): void => {
    if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) logger?.warn(`llm: ${message.trim()}`);
  };
  if (gpu === 'auto') {
    const llama = await getLlama({ build: 'never', gpu: 'auto', logLevel: LlamaLogLevel.warn, logger: log });
    // A GPU build with no device (Vulkan on a machine without a GPU) only adds overhead: use the CPU build.
    if (llama.gpu === false || (await llama.getGpuDeviceNames()).length > 0) return llama;
  }
  return getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.warn, logger: log });
}

interface ProviderParts {
  options: EmbeddedLlmOptions;
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  stats: EmbeddedLlmStats;
  batchSize: number;
  threads: number;
}

function createEmbeddedProvider(parts: ProviderParts): EmbeddedLlm {
  const { options, llama, model, context, stats } = parts;
  const sequence = context.getSequence();
  const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
  const queue = new CallQueue(options.maxQueuedCalls ?? 32);
  const grammars = new GrammarCache(llama, options.logger);
  const modelName = path.basename(options.modelFile).replace(/\.gguf$/i, '');
  let closed = false;

  const run = async (request: ChatRequest, signal: AbortSignal): Promise<ChatResult> => {
    const history = toHistory(request.messages);
    const tokens = chat.chatWrapper.generateContextState({ chatHistory: [...history, { type: 'model', response: [] }] }).contextText.tokenize(model.tokenizer);
    const maxTokens = request.maxTokens ?? DEFAULT_MAX_TOKENS;
    if (tokens.length + maxTokens > context.contextSize) {
      throw new LlmError(
        'llm-error',
        `the prompt (${tokens.length} tokens) and the answer (up to ${maxTokens}) do not fit the embedded model's context of ${context.contextSize} tokens; set VIVA_LLM_CONTEXT_SIZE higher`,
        { retryable: false },
      );
    }
    const prefillStartedAt = performance.now();
    const reused = await prefill(sequence, tokens, parts.batchSize, signal);
    const prefillMs = performance.now() - prefillStartedAt;
    const grammar = await grammars.get(request.structured);
    const generateStartedAt = performance.now();
    let firstTextMs: number | undefined;
    let generatedTokens = 0;
    const result = await chat.generateResponse(history, {
      signal,
      stopOnAbortSignal: false,
      maxTokens,
      temperature: request.temperature ?? 0,
      ...(grammar === undefined ? {} : { grammar }),
      onToken: (generated) => {
        generatedTokens += generated.length;
      },
      onTextChunk: (text) => {
        // A token already in flight when the caller aborted is not shown: an abort is the end of the stream.
        if (text === '' || signal.aborted) return;
        firstTextMs ??= performance.now() - generateStartedAt;
        request.onTextDelta?.(text);
      },
    });
    const figures: EmbeddedCallFigures = {
      promptTokens: tokens.length,
      reusedPromptTokens: reused,
      prefillMs,
      firstTextMs,
      generatedTokens,
      generateMs: performance.now() - generateStartedAt,
    };
    stats.calls += 1;
    stats.promptTokens += tokens.length;
    stats.reusedPromptTokens += reused;
    stats.generatedTokens += generatedTokens;
    stats.lastCall = figures;
    return { text: result.response, model: modelName, finishReason: result.metadata.stopReason === 'maxTokens' ? 'length' : 'stop' };
  };

  return {
    kind: 'embedded',
    model: modelName,
    location: options.modelFile,
    retry: { maxRetries: 0, baseDelayMs: 0 },
    structuredOutput: 'json_schema',
    canFallBack: false,
    contextSize: context.contextSize,
    threads: parts.threads,
    batchSize: parts.batchSize,
    gpu: llama.gpu === false ? 'cpu' : llama.gpu,
    fallBackFrom: () => 'json_schema',
    stats: () => ({ ...stats, queued: queue.waiting }),
    async streamChat(request) {
      if (closed) throw new LlmError('llm-error', 'the embedded LLM is closed', { retryable: false });
      const release = await queue.acquire(request.signal);
      const timeoutMs = request.timeoutMs ?? options.timeoutMs;
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      const signal = request.signal ? AbortSignal.any([request.signal, timeout.signal]) : timeout.signal;
      try {
        return await run(request, signal);
      } catch (error) {
        throw classifyEmbeddedError(error, { callerSignal: request.signal, timeoutSignal: timeout.signal, timeoutMs });
      } finally {
        clearTimeout(timer);
        release();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      queue.close();
      await context.dispose();
      await model.dispose();
    },
  };
}

/**
 * Brings the sequence's KV cache to `tokens` minus the last one (which generation evaluates): keeps the common prefix,
 * drops the rest, and evaluates what is new one batch at a time so an abort is seen between batches. Returns the number
 * of prompt tokens reused.
 */
async function prefill(sequence: LlamaContextSequence, tokens: readonly number[], batchSize: number, signal: AbortSignal): Promise<number> {
  const target = tokens.slice(0, -1);
  const { firstDifferentIndex } = sequence.compareContextTokens(target as Parameters<LlamaContextSequence['compareContextTokens']>[0]);
  if (firstDifferentIndex < sequence.nextTokenIndex) {
    await sequence.eraseContextTokenRanges([{ start: firstDifferentIndex, end: sequence.nextTokenIndex }]);
  }
  for (let start = firstDifferentIndex; start < target.length; start += batchSize) {
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    await sequence.evaluateWithoutGeneratingNewTokens(target.slice(start, start + batchSize) as Parameters<LlamaContextSequence['evaluateWithoutGeneratingNewTokens']>[0]);
  }
  return firstDifferentIndex;
}

function toHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  return messages.map((message): ChatHistoryItem => {
    if (message.role === 'system') return { type: 'system', text: message.content };
    if (message.role === 'user') return { type: 'user', text: message.content };
    return { type: 'model', response: [message.content] };
  });
}

function classifyEmbeddedError(
  error: unknown,
  context: { callerSignal: AbortSignal | undefined; timeoutSignal: AbortSignal; timeoutMs: number },
): LlmError {
  if (error instanceof LlmError) return error;
  if (context.callerSignal?.aborted) return new LlmError('analysis-cancelled', 'the analysis was cancelled', { retryable: false, cause: error });
  if (context.timeoutSignal.aborted) {
    return new LlmError('llm-timeout', `the embedded LLM did not finish answering within ${context.timeoutMs} ms`, { retryable: true, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new LlmError('llm-error', `the embedded LLM failed: ${message}`, { retryable: false, cause: error });
}

/** Grammars compiled from JSON schemas, by schema text (the same few schemas come back on every answer). */
class GrammarCache {
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  constructor(
    private readonly llama: Llama,
    private readonly logger: EmbeddedLlmOptions['logger'],
  ) {}

  get(structured: StructuredOutputRequest | undefined): Promise<LlamaGrammar> | undefined {
    if (structured === undefined || structured.mode === 'none') return undefined;
    if (structured.mode === 'json_object') return this.remember('json_object', () => this.llama.getGrammarFor('json'));
    const key = JSON.stringify(structured.schema);
    return this.remember(key, async () => {
      try {
        return await this.llama.createGrammarForJsonSchema<GbnfJsonSchema, Record<any, any>>(toGrammarSchema(structured.schema) as GbnfJsonSchema);
      } catch (error) {
        // A schema feature the grammar generator lacks: any JSON object, and zod checks the shape.
        this.logger?.warn(`llm: no grammar for schema ${structured.name} (${error instanceof Error ? error.message : String(error)}); using plain JSON`);
        return this.llama.getGrammarFor('json');
      }
    });
  }

  private remember(key: string, make: () => Promise<LlamaGrammar>): Promise<LlamaGrammar> {
    let grammar = this.grammars.get(key);
    if (!grammar) {
      if (this.grammars.size >= GRAMMAR_CACHE_SIZE) this.grammars.delete(this.grammars.keys().next().value as string);
      grammar = make();
      this.grammars.set(key, grammar);
    }
    return grammar;
  }
}

/** One call at a time, in arrival order; at most `capacity` waiting; a waiting call whose signal aborts leaves the line. */
class CallQueue {
  private running = false;
  private closed = false;
  private readonly line: Array<{ start(): void; fail(error: LlmError): void }> = [];
  constructor(private readonly capacity: number) {}

  get waiting(): number {
    return this.line.length;
  }

  acquire(signal: AbortSignal | undefined): Promise<() => void> {
    const cancelled = (): LlmError => new LlmError('analysis-cancelled', 'the analysis was cancelled', { retryable: false });
    if (signal?.aborted) return Promise.reject(cancelled());
    if (this.closed) return Promise.reject(new LlmError('llm-error', 'the embedded LLM is closed', { retryable: false }));
    const release = (): void => {
      this.running = false;
      this.line.shift()?.start();
    };
    if (!this.running) {
      this.running = true;
      return Promise.resolve(release);
    }
    if (this.line.length >= this.capacity) {
      return Promise.reject(new LlmError('llm-error', `the embedded LLM has ${this.line.length} calls waiting; try again shortly`, { retryable: true }));
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.line.indexOf(entry);
        if (index >= 0) this.line.splice(index, 1);
        reject(cancelled());
      };
      const entry = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.running = true;
          resolve(release);
        },
        fail: (error: LlmError) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.line.push(entry);
    });
  }

  close(): void {
    this.closed = true;
    for (const entry of this.line.splice(0)) entry.fail(new LlmError('llm-error', 'the embedded LLM was closed', { retryable: false }));
  }
}
