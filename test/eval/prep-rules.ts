/**
 * How many job-match claims the preparation rules remove on a real model (issue 16). For each résumé in
 * test/eval/prep-cases/ against its job description, the model's raw job match (prompt match-job) is checked twice: with
 * the old rule alone (the quote is in the résumé) and with every rule (`applyMatchRules`). Prints one line per résumé and
 * the totals; docs/prep.md keeps the figures.
 *
 *   npx tsx test/eval/prep-rules.ts                         embedded small model (fetch-llm.sh small)
 *   VIVA_LLM_MODEL_FILE=/path/to/model.gguf npx tsx test/eval/prep-rules.ts
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { JobMatchOutput } from '../../protocol/prep.ts';
import { loadConfig } from '../../server/env.ts';
import { createLlmProvider } from '../../server/llm/create-provider.ts';
import { createLogger } from '../../server/logger.ts';
import { createPrepLlm } from '../../server/prep/llm.ts';
import { applyMatchRules } from '../../server/prep/match.ts';
import { createPrepPrompts } from '../../server/prep/prompts.ts';
import { createQuoteIndex } from '../../server/prep/quotes.ts';
import { createPromptLibrary } from '../../server/prompts.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const CASES = path.join(import.meta.dirname, 'prep-cases');

async function smallModelPath(): Promise<string> {
  const { stdout } = await promisify(execFile)(path.join(REPO, '../shared/models/fetch-llm.sh'), ['small'], { maxBuffer: 1 << 20 });
  const last = stdout.trim().split('\n').at(-1)?.trim() ?? '';
  if (!existsSync(last)) throw new Error(`fetch-llm.sh small printed no model path (got "${last}")`);
  return last;
}

async function main(): Promise<void> {
  const env = { ...process.env };
  if (!env.VIVA_LLM_BASE_URL && !env.VIVA_LLM_MODEL_FILE) env.VIVA_LLM_MODEL_FILE = await smallModelPath();
  env.VIVA_LLM_TIMEOUT_MS ??= '900000';
  const config = loadConfig(env, REPO);
  const provider = await createLlmProvider(config.llm, { logger: createLogger('warn'), canStartWithout: false });
  const library = createPromptLibrary();
  const llm = createPrepLlm(provider, { prompts: library });
  const prompts = createPrepPrompts(library);
  const totals = { matched: 0, keptOld: 0, keptNew: 0, notFound: 0, notNamed: 0, missing: 0, overlap: 0, importance: 0, experience: 0, resumes: 0 };
  console.log(`model ${provider.model}`);
  try {
    // PREP_CASES=5-java-zh (this script's own variable) runs the résumés whose file name contains it.
    const only = process.env.PREP_CASES ?? '';
    for (const name of readdirSync(CASES).filter((file) => file.endsWith('.resume.txt') && file.includes(only)).sort()) {
      const raw = readFileSync(path.join(CASES, name), 'utf8');
      // A first line "jd: <file>" names the résumé's job description (default: the Go backend one).
      const jdFile = raw.match(/^jd: (\S+)\n/)?.[1] ?? 'backend-go.jd.txt';
      const resume = raw.replace(/^jd: \S+\n/, '');
      const jd = readFileSync(path.join(CASES, jdFile), 'utf8');
      const language = /\p{Script=Han}/u.test(resume) ? 'zh' : 'en';
      const prompt = prompts.render('match-job', language, {}, { jobDescription: jd, resume });
      const startedMs = Date.now();
      const result = await llm.generate({ schema: JobMatchOutput, schemaName: 'job_match', messages: prompt.messages, language });
      const output = result.object;
      const quotes = createQuoteIndex(resume);
      const keptOld = output.skillsMatched.filter((skill) => quotes.has(skill.quote)).length;
      const { match, effects } = applyMatchRules(output, resume, { blind: false, language, model: result.model, promptVersion: prompt.version, jobDescription: jd });
      totals.resumes++;
      totals.matched += output.skillsMatched.length;
      totals.keptOld += keptOld;
      totals.keptNew += match.skillsMatched.length;
      totals.notFound += effects.quoteNotFound;
      totals.notNamed += effects.quoteDoesNotNameSkill;
      totals.missing += output.skillsMissing.length;
      totals.overlap += effects.missingOverlap;
      totals.importance += effects.importanceCorrected;
      totals.experience += effects.experienceDropped ? 1 : 0;
      console.log(
        `${name}: ${Math.round((Date.now() - startedMs) / 1000)} s; matched claimed ${output.skillsMatched.length}, kept ${keptOld} by the old rule, ` +
          `${match.skillsMatched.length} by all rules (quote not found ${effects.quoteNotFound}, quote does not name the skill ${effects.quoteDoesNotNameSkill}); ` +
          `missing ${output.skillsMissing.length} (also matched or repeated ${effects.missingOverlap}, importance from the JD ${effects.importanceCorrected}); ` +
          `experience repeats summary: ${effects.experienceDropped}`,
      );
      for (const claim of match.unverifiedClaims.filter((item) => item.kind === 'skill')) {
        console.log(`    left out (${claim.reason === 'not-named' ? 'does not name it' : 'not in the résumé'}): ${claim.claim} ← "${claim.quote}"`);
      }
    }
  } finally {
    await provider.close();
  }
  console.log(`totals ${JSON.stringify(totals)}`);
}

await main();
