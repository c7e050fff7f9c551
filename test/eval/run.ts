/**
 * `npm run eval`: replays the committed answer cases (test/eval/cases) through the configured LLM with the live
 * scoring path and prints label accuracy on non-answers, strong > medium > vague ordering, repeatability, verified
 * evidence and the score change under injection and name swap. A report, never asserted.
 *
 *   npm run eval                                  embedded small model (VIVA_LLM_MODEL_FILE, else fetch-llm.sh small)
 *   VIVA_LLM_BASE_URL=http://host:8000/v1 VIVA_LLM_MODEL=… npm run eval    any OpenAI-compatible endpoint
 *   npm run eval -- --only zh- --repeat 3 --out my.json
 *   npm run eval -- --compare a.json b.json
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig } from '../../server/env.ts';
import { createLlmProvider } from '../../server/llm/create-provider.ts';
import { createLogger } from '../../server/logger.ts';
import { createPromptLibrary } from '../../server/prompts.ts';
import { defaultCasesDir, loadCases, type EvalCase } from './cases.ts';
import { computeMetrics, type CaseResult } from './metrics.ts';
import { replayCase } from './replay.ts';
import { formatCases, formatComparison, formatRun, parseRun, type EvalRun } from './report.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** Kinds repeated to check that temperature 0 gives the same scores. */
const REPEATED_KINDS = new Set(['strong', 'medium', 'vague']);

interface Options {
  compare?: [string, string];
  casesDir: string;
  only?: string;
  repeat: number;
  out?: string;
}

function parseArgs(args: readonly string[]): Options {
  const options: Options = { casesDir: defaultCasesDir(), repeat: 2 };
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    const next = (): string => {
      const value = args[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      return value;
    };
    if (arg === '--compare') options.compare = [next(), next()];
    else if (arg === '--cases') options.casesDir = path.resolve(next());
    else if (arg === '--only') options.only = next();
    else if (arg === '--repeat') options.repeat = Math.max(1, Number.parseInt(next(), 10) || 1);
    else if (arg === '--out') options.out = path.resolve(next());
    else throw new Error(`unknown option ${arg}; see test/eval/run.ts`);
  }
  return options;
}

/** The small test model's path: fetch-llm.sh small prints it on its last line (the file is cached). */
async function smallModelPath(): Promise<string> {
  const script = path.join(REPO, '../shared/models/fetch-llm.sh');
  const { stdout } = await promisify(execFile)(script, ['small'], { maxBuffer: 1 << 20 });
  const last = stdout.trim().split('\n').at(-1)?.trim() ?? '';
  if (!existsSync(last)) throw new Error(`fetch-llm.sh small printed no model path (got "${last}")`);
  return last;
}

async function evaluate(options: Options): Promise<void> {
  // The harness's own variables: an endpoint when named, else the embedded small model; a patient timeout for CPU models.
  const env = { ...process.env };
  if (!env.VIVA_LLM_BASE_URL && !env.VIVA_LLM_MODEL_FILE) env.VIVA_LLM_MODEL_FILE = await smallModelPath();
  env.VIVA_LLM_TIMEOUT_MS ??= '600000';
  const config = loadConfig(env, REPO);
  const logger = createLogger('warn');
  const llm = await createLlmProvider(config.llm, { logger, canStartWithout: false });
  const prompts = createPromptLibrary();
  const cases = loadCases(options.casesDir, options.only);
  const plan: Array<{ evalCase: EvalCase; repeat: number }> = cases.map((evalCase) => ({ evalCase, repeat: 0 }));
  for (let repeat = 1; repeat < options.repeat; repeat += 1) {
    for (const evalCase of cases) if (REPEATED_KINDS.has(evalCase.kind)) plan.push({ evalCase, repeat });
  }
  const startedAt = new Date();
  const results: CaseResult[] = [];
  const signal = new AbortController().signal;
  const out = options.out ?? path.join(REPO, 'test-output/eval', `${startedAt.toISOString().replace(/[:.]/g, '-')}-${safeName(llm.model)}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  const save = (): EvalRun => {
    const run: EvalRun = {
      evalVersion: 1,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      llm: { kind: llm.kind, model: llm.model, location: llm.location },
      promptVersions: [...new Set(results.flatMap((result) => (result.promptVersion ? [result.promptVersion] : [])))].sort(),
      repeat: options.repeat,
      results,
      metrics: computeMetrics(results),
    };
    writeFileSync(out, `${JSON.stringify(run, null, 2)}\n`);
    return run;
  };
  try {
    for (const [index, { evalCase, repeat }] of plan.entries()) {
      const result = await replayCase(llm, prompts, evalCase, repeat, signal);
      results.push(result);
      // Saved after every case: a run stopped half-way keeps what it measured (and --compare reads it).
      save();
      const outcome = result.error ? `error: ${result.error}` : `${result.label} ${result.overall ?? '—'}`;
      process.stderr.write(`[${index + 1}/${plan.length}] ${evalCase.id}${repeat > 0 ? ` (repeat ${repeat})` : ''}: ${outcome} (${(result.durationMs / 1000).toFixed(1)} s)\n`);
    }
  } finally {
    await llm.close();
  }
  const run = save();
  console.log(`${formatCases(results)}\n\n${formatRun(run)}\n\nsaved ${path.relative(process.cwd(), out)}`);
}

function safeName(text: string): string {
  return text.replace(/\.gguf$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.compare) {
    const [a, b] = options.compare.map((file) => parseRun(readFileSync(file, 'utf8'), file)) as [EvalRun, EvalRun];
    console.log(formatComparison(a, b));
    return;
  }
  await evaluate(options);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
