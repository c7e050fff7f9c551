import path from 'node:path';
import type { Router } from 'express';
import { createApp, type SessionFeature, type VivaApp } from './app.ts';
import type { Config } from './env.ts';
import { createAnalysisFeature } from './features/analysis-feature.ts';
import { checkLlmEndpoint, createLlmClient, type LlmClient } from './llm/client.ts';
import type { Logger } from './logger.ts';
import { createPrepRouter } from './api/prep.ts';
import { createPrepLlm } from './prep/llm.ts';
import { createPrepPrompts } from './prep/prompts.ts';
import { createPromptLibrary } from './prompts.ts';
import { loadSpeechRuntime, type SpeechRuntime } from './speech-runtime.ts';

/** A fully wired Viva server, not yet listening. */
export interface BuiltServer {
  app: VivaApp;
  runtime: SpeechRuntime;
  llm: LlmClient;
  listen(): Promise<number>;
  close(): Promise<void>;
}

/** Options the environment does not carry. */
export interface BuildOptions {
  clientDir?: string;
}

/** Builds the real server from the configuration: models, LLM endpoint check, storage, features and routes. */
export async function buildServer(config: Config, logger: Logger, options: BuildOptions = {}): Promise<BuiltServer> {
  const llm = createLlmClient({
    baseUrl: config.llm.baseUrl,
    model: config.llm.model,
    ...(config.llm.apiKey === undefined ? {} : { apiKey: config.llm.apiKey }),
    timeoutMs: config.llm.timeoutMs,
    maxRetries: config.llm.maxRetries,
    structuredOutput: config.llm.structuredOutput,
  });
  try {
    const info = await checkLlmEndpoint(llm);
    logger.info(`llm: ${info.model} at ${config.llm.baseUrl}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!config.llm.optional) throw new Error(`${message}\n(or set VIVA_LLM_OPTIONAL=true to start without answer analysis)`);
    logger.warn(`llm: ${message}; starting anyway (VIVA_LLM_OPTIONAL): each answer will report the LLM error`);
  }

  const runtime = await loadSpeechRuntime({
    modelsDir: config.modelsDir,
    whisperModel: config.whisperModel,
    whisperThreads: config.whisperThreads,
    audioContext: config.whisperAudioContext,
    vad: { redemptionMs: config.vadRedemptionMs },
    logger,
  });

  const prompts = createPromptLibrary();
  const features: SessionFeature[] = [createAnalysisFeature({ llm, prompts, logger })];
  const apiRouters: Router[] = [
    createPrepRouter({
      prep: { llm: createPrepLlm(llm, { prompts }), prompts: createPrepPrompts(prompts) },
      screeningsDir: path.join(config.dataDir, 'screenings'),
      logger,
    }),
  ];

  const app = createApp({
    createVad: runtime.createVad,
    decoder: runtime.decoder,
    logger,
    partialIntervalMs: config.partialIntervalMs,
    features,
    apiRouters,
    ...(options.clientDir === undefined ? {} : { clientDir: options.clientDir }),
  });

  return {
    app,
    runtime,
    llm,
    listen: () => app.listen(config.port, config.host),
    async close() {
      await app.close();
      await runtime.close();
    },
  };
}
