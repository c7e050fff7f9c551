/** The one place an LLM provider is built from the configuration (server, `viva review`, `viva screen`). */
import type { Config } from '../env.ts';
import type { Logger } from '../logger.ts';
import { checkLlmEndpoint, createLlmClient } from './client.ts';
import type { LlmProvider } from './provider.ts';

/** What the factory needs besides the settings. */
export interface CreateLlmProviderDeps {
  logger: Pick<Logger, 'info' | 'warn'>;
  /** False for tools that cannot run without the LLM (`viva screen`): no VIVA_LLM_OPTIONAL hint. Default true. */
  canStartWithout?: boolean;
}

/**
 * Builds the configured provider and checks it can answer: the endpoint serves the model. Throws an Error whose
 * message says what to fix; with `optional` set a failed check is logged and the provider returned anyway.
 */
export async function createLlmProvider(settings: Config['llm'], deps: CreateLlmProviderDeps): Promise<LlmProvider> {
  const client = createLlmClient({
    baseUrl: settings.baseUrl,
    model: settings.model,
    ...(settings.apiKey === undefined ? {} : { apiKey: settings.apiKey }),
    timeoutMs: settings.timeoutMs,
    maxRetries: settings.maxRetries,
    structuredOutput: settings.structuredOutput,
  });
  try {
    const info = await checkLlmEndpoint(client);
    deps.logger.info(`llm: ${info.model} at ${settings.baseUrl}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (deps.canStartWithout === false) throw new Error(message);
    if (!settings.optional) throw new Error(`${message}\n(or set VIVA_LLM_OPTIONAL=true to start without answer analysis)`);
    deps.logger.warn(`llm: ${message}; starting anyway (VIVA_LLM_OPTIONAL): each answer will report the LLM error`);
  }
  return client;
}
