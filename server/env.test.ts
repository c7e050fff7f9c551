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
      llm: { baseUrl: 'http://localhost:8000/v1', model: 'Qwen/Qwen2.5-7B-Instruct', structuredOutput: 'auto', optional: false },
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
    expect(config.llm).toMatchObject({ baseUrl: 'http://localhost:11434/v1', model: 'qwen2.5:7b', apiKey: 'k', optional: true });
  });
});
