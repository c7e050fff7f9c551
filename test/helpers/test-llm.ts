/** The real small GGUF model the embedded-LLM tests run on. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where `fetch-llm.sh` lives (the shared models folder beside the checkout). */
export const FETCH_LLM_SCRIPT = path.resolve(repoRoot, '../shared/models/fetch-llm.sh');

/**
 * Path of the small test model: `VIVA_TEST_LLM_FILE` when set, else the last line `fetch-llm.sh small` prints (cached
 * after the first fetch). Throws a message saying how to provide it: these tests never skip silently.
 */
export function testLlmFile(): string {
  const fromEnv = process.env.VIVA_TEST_LLM_FILE;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`VIVA_TEST_LLM_FILE=${fromEnv} does not exist; run ${FETCH_LLM_SCRIPT} small and point it at the path it prints`);
  }
  let output = '';
  try {
    output = execFileSync('bash', [FETCH_LLM_SCRIPT, 'small'], { encoding: 'utf8', timeout: 15 * 60_000, stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (error) {
    throw new Error(`no test LLM: set VIVA_TEST_LLM_FILE to a small GGUF model, or make ${FETCH_LLM_SCRIPT} small work (${error instanceof Error ? error.message : String(error)})`);
  }
  const file = output.trim().split('\n').at(-1)?.trim() ?? '';
  if (!file || !existsSync(file)) throw new Error(`${FETCH_LLM_SCRIPT} small printed no usable path (got "${file}"); set VIVA_TEST_LLM_FILE`);
  return file;
}
