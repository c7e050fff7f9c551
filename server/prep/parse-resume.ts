import { detectLanguage } from './language.ts';
import type { PrepDeps } from './deps.ts';
import { ParsedResume, type PrepLanguage } from '../../protocol/prep.ts';

/** A resume parsed into fields, with what produced it. */
export interface ParseResumeResult {
  resume: ParsedResume;
  language: PrepLanguage;
  model: string;
  promptVersion: string;
  repaired: boolean;
}

/** Turns resume text into a ParsedResume with the LLM (prompt `resume-parse`). Throws LlmError. */
export async function parseResume(
  deps: PrepDeps,
  input: { text: string; language?: PrepLanguage | undefined; signal?: AbortSignal | undefined },
): Promise<ParseResumeResult> {
  const language = input.language ?? detectLanguage(input.text);
  const prompt = deps.prompts.render('resume-parse', language, {}, { resume: input.text });
  const result = await deps.llm.generate({
    schema: ParsedResume,
    schemaName: 'parsed_resume',
    messages: prompt.messages,
    language,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
  });
  return { resume: result.object, language, model: result.model, promptVersion: prompt.version, repaired: result.repaired };
}
