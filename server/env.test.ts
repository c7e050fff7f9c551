import { describe, expect, it } from 'vitest';
import { loadConfig } from './env.ts';

describe('loadConfig', () => {
  it('gives the documented defaults, resolved against the working directory', () => {
    const config = loadConfig({}, '/srv/viva');
    expect(config).toMatchObject({
      port: 3000,
      modelsDir: '/srv/viva/models',
      whisperModel: 'base',
      dataDir: '/srv/viva/data',
      llm: {
        provider: 'embedded',
        baseUrl: undefined,
        modelFile: '/srv/viva/models/llm/qwen2.5-1.5b-instruct-q4_k_m.gguf',
        threads: undefined,
        contextSize: undefined,
        gpu: 'auto',
        timeoutMs: 60_000,
        maxRetries: 2,
        structuredOutput: 'auto',
        optional: false,
      },
      vad: { redemptionMs: 400, minSpeechMs: 250 },
    });
  });

  it('refuses bad values with one message naming every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', VIVA_LLM_BASE_URL: 'not a url', VIVA_WHISPER_AUDIO_CONTEXT: 'half' })).toThrow(
      /PORT[\s\S]*VIVA_WHISPER_AUDIO_CONTEXT|PORT[\s\S]*VIVA_LLM_BASE_URL/,
    );
    try {
      loadConfig({ PORT: 'eighty', VIVA_LLM_BASE_URL: 'not a url' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('VIVA_LLM_BASE_URL');
    }
  });

  it('reads the LLM endpoint, key and optional flag', () => {
    const config = loadConfig({ VIVA_LLM_BASE_URL: 'http://localhost:11434/v1', VIVA_LLM_MODEL: 'qwen2.5:7b', VIVA_LLM_API_KEY: 'k', VIVA_LLM_OPTIONAL: 'true' });
    expect(config.llm).toMatchObject({ provider: 'openai-compatible', baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5:7b', apiKey: 'k', optional: true });
  });

  it('runs the embedded LLM without a base URL: a bare model file name is looked up in the models folder, a path is taken as given', () => {
    const bare = loadConfig({ VIVA_LLM_BASE_URL: '', VIVA_MODELS_DIR: 'm', VIVA_LLM_MODEL_FILE: 'qwen2.5-3b-instruct-q4_k_m.gguf', VIVA_LLM_THREADS: '2', VIVA_LLM_CONTEXT_SIZE: '8192', VIVA_LLM_GPU: 'off' }, '/srv/viva');
    expect(bare.llm).toMatchObject({ provider: 'embedded', modelFile: '/srv/viva/m/llm/qwen2.5-3b-instruct-q4_k_m.gguf', threads: 2, contextSize: 8192, gpu: 'off' });
    expect(loadConfig({ VIVA_LLM_MODEL_FILE: '../shared/small.gguf' }, '/srv/viva').llm.modelFile).toBe('/srv/shared/small.gguf');
    expect(() => loadConfig({ VIVA_LLM_THREADS: 'many', VIVA_LLM_CONTEXT_SIZE: '10' })).toThrow(/VIVA_LLM_THREADS[\s\S]*VIVA_LLM_CONTEXT_SIZE/);
  });

  it('reads the allowed hosts and the rate limits, with defaults', () => {
    expect(loadConfig({}, '/srv/viva')).toMatchObject({ allowedHosts: [], rateLimits: { sessionsPerMinute: 30, llmCallsPerMinute: 60 } });
    const config = loadConfig({ VIVA_ALLOWED_HOSTS: 'viva.lan, 10.0.0.5,', VIVA_RATE_SESSIONS_PER_MINUTE: '5', VIVA_RATE_LLM_PER_MINUTE: '7' }, '/srv/viva');
    expect(config).toMatchObject({ allowedHosts: ['viva.lan', '10.0.0.5'], rateLimits: { sessionsPerMinute: 5, llmCallsPerMinute: 7 } });
    expect(() => loadConfig({ VIVA_RATE_LLM_PER_MINUTE: '0' })).toThrow(/VIVA_RATE_LLM_PER_MINUTE/);
  });
});
