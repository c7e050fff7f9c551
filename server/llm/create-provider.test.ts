import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../env.ts';
import { createLlmProvider } from './create-provider.ts';
import { LlmError } from './errors.ts';

const quiet = { info() {}, warn() {} };

describe('createLlmProvider', () => {
  it('stops start-up when the embedded model file is missing, naming the file and the command that fetches it', async () => {
    const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'viva-models-'));
    const settings = loadConfig({ VIVA_MODELS_DIR: modelsDir }).llm;
    const error = await createLlmProvider(settings, { logger: quiet }).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).toContain(path.join(modelsDir, 'llm', 'qwen2.5-1.5b-instruct-q4_k_m.gguf'));
    expect(error?.message).toContain('npm run models:download -- qwen2.5-1.5b-instruct');
    expect(error?.message).toContain('VIVA_LLM_MODEL_FILE');
    expect(error?.message).toContain('VIVA_LLM_BASE_URL');
    expect(error?.message).toContain('VIVA_LLM_OPTIONAL=true');
  });

  it('with VIVA_LLM_OPTIONAL starts anyway and every call reports why there is no model', async () => {
    const warnings: string[] = [];
    const settings = loadConfig({ VIVA_LLM_MODEL_FILE: '/nowhere/model.gguf', VIVA_LLM_OPTIONAL: 'true' }).llm;
    const llm = await createLlmProvider(settings, { logger: { info() {}, warn: (line) => warnings.push(line) } });
    expect(warnings.join('\n')).toContain('/nowhere/model.gguf');
    const error = await llm.streamChat({ messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlmError);
    expect((error as LlmError).message).toContain('/nowhere/model.gguf');
  });
});
