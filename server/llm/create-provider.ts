/** The one place an LLM provider is built from the configuration (server, `viva review`, `viva screen`). */
import path from 'node:path';
import type { Config } from '../env.ts';
import type { Logger } from '../logger.ts';
import { downloadCommand, OFFICIAL_MODEL_FILES } from '../models/catalog.ts';
import { checkLlmEndpoint, createLlmClient } from './client.ts';
import { loadEmbeddedLlm, type AsrPriority } from './embedded.ts';
import { LlmError } from './errors.ts';
import type { LlmProvider } from './provider.ts';

/** What the factory needs besides the settings. */
export interface CreateLlmProviderDeps {
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Final ASR decodes the embedded LLM steps aside for (the speech runtime's decode scheduler). */
  asrPriority?: AsrPriority | undefined;
  /** False for tools that cannot run without the LLM (`viva screen`): no VIVA_LLM_OPTIONAL hint. Default true. */
  canStartWithout?: boolean;
}

/**
 * Builds the configured provider: the OpenAI-compatible endpoint when VIVA_LLM_BASE_URL is set (checked: it serves the
 * model), else the embedded model (file checked and loaded). Throws an Error whose message says what to fix; with
 * `optional` set the failure is logged and a provider whose every call reports it is returned instead.
 */
export async function createLlmProvider(settings: Config['llm'], deps: CreateLlmProviderDeps): Promise<LlmProvider> {
  try {
    if (settings.provider === 'embedded') return await createEmbedded(settings, deps);
    return await createOpenAiCompatible(settings, deps);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (deps.canStartWithout === false) throw new Error(message);
    if (!settings.optional) throw new Error(`${message}\n(or set VIVA_LLM_OPTIONAL=true to start without answer analysis)`);
    deps.logger.warn(`llm: ${message}; starting anyway (VIVA_LLM_OPTIONAL): each answer will report the LLM error`);
    return settings.provider === 'embedded' ? unavailableProvider(settings.modelFile, message) : createClient(settings);
  }
}

function createClient(settings: Config['llm']) {
  return createLlmClient({
    baseUrl: settings.baseUrl ?? '',
    model: settings.model,
    ...(settings.apiKey === undefined ? {} : { apiKey: settings.apiKey }),
    timeoutMs: settings.timeoutMs,
    maxRetries: settings.maxRetries,
    structuredOutput: settings.structuredOutput,
  });
}

async function createOpenAiCompatible(settings: Config['llm'], deps: CreateLlmProviderDeps): Promise<LlmProvider> {
  const client = createClient(settings);
  const info = await checkLlmEndpoint(client);
  deps.logger.info(`llm: ${info.model} at ${client.config.baseUrl}`);
  return client;
}

async function createEmbedded(settings: Config['llm'], deps: CreateLlmProviderDeps): Promise<LlmProvider> {
  return loadEmbeddedLlm({
    modelFile: settings.modelFile,
    timeoutMs: settings.timeoutMs,
    threads: settings.threads,
    contextSize: settings.contextSize,
    gpu: settings.gpu === 'auto' ? 'auto' : false,
    fileFix: modelFileFix(settings.modelFile),
    asrPriority: deps.asrPriority,
    logger: deps.logger,
  });
}

/** What to do about a missing or damaged model file: fetch it when it is the catalog's, or point elsewhere. */
export function modelFileFix(modelFile: string): string {
  const official = OFFICIAL_MODEL_FILES.find((file) => file.kind === 'llm' && file.fileName === path.basename(modelFile));
  const fetch = official ? `fetch it with \`${downloadCommand([official.name], path.dirname(path.dirname(modelFile)))}\`, ` : '';
  return `${fetch}set VIVA_LLM_MODEL_FILE to another GGUF model file, or set VIVA_LLM_BASE_URL to use an OpenAI-compatible server (vLLM, Ollama, llama.cpp)`;
}

/** Stands in for an embedded model that failed to load (VIVA_LLM_OPTIONAL): every call reports why. */
function unavailableProvider(modelFile: string, why: string): LlmProvider {
  return {
    kind: 'embedded',
    model: path.basename(modelFile).replace(/\.gguf$/i, ''),
    location: modelFile,
    retry: { maxRetries: 0, baseDelayMs: 0 },
    structuredOutput: 'json_schema',
    canFallBack: false,
    fallBackFrom: () => 'json_schema',
    streamChat: () => Promise.reject(new LlmError('llm-unreachable', `the embedded LLM is not loaded: ${why}`, { retryable: false })),
    close: async () => {},
  };
}
