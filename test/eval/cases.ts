/**
 * Replay cases of `npm run eval`: one JSON file per interview question (test/eval/cases/*.json), each with the session
 * context and several answers to it — strong, medium, vague, non-answers, injection attempts and name/gender swaps.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { AnswerLabel } from '../../protocol/schemas.ts';

/** What an answer is meant to be; decides the label it should get and which metric it feeds. */
export const CaseKind = z.enum(['strong', 'medium', 'vague', 'empty', 'non-answer', 'gibberish', 'off-topic', 'injection', 'name-swap']);
export type CaseKind = z.infer<typeof CaseKind>;

/** Kinds that must not be scored on the rubric, with the label they should get. */
export const NON_ANSWER_LABELS: Partial<Record<CaseKind, AnswerLabel>> = {
  empty: 'empty',
  'non-answer': 'non-answer',
  gibberish: 'gibberish',
  'off-topic': 'off-topic',
};

const AnswerCase = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    kind: CaseKind,
    /** The case this one is a variant of (injection, name-swap): its text and context unless overridden. */
    of: z.string().optional(),
    text: z.string().optional(),
    resume: z.string().optional(),
  })
  .refine((value) => value.text !== undefined || value.of !== undefined, 'an answer needs "text" or "of"');

/** One case file: a question with its context and answers. */
export const CaseFile = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  language: z.enum(['en', 'zh']),
  role: z.string(),
  jobDescription: z.string(),
  resume: z.string(),
  question: z.string(),
  answers: z.array(AnswerCase).min(1),
});
export type CaseFile = z.infer<typeof CaseFile>;

/** One answer ready to replay: everything resolved (variants inherit text and résumé from the case they vary). */
export interface EvalCase {
  /** "<file id>/<answer id>". */
  id: string;
  group: string;
  kind: CaseKind;
  /** Full id of the case this one is compared with (injection, name-swap). */
  of?: string;
  language: 'en' | 'zh';
  role: string;
  jobDescription: string;
  resume: string;
  question: string;
  text: string;
}

/** The committed cases directory. */
export function defaultCasesDir(): string {
  return fileURLToPath(new URL('./cases/', import.meta.url));
}

/** Resolves one case file into replayable cases; throws on a dangling "of". */
export function expandCaseFile(file: CaseFile): EvalCase[] {
  const byId = new Map(file.answers.map((answer) => [answer.id, answer]));
  return file.answers.map((answer) => {
    const base = answer.of === undefined ? undefined : byId.get(answer.of);
    if (answer.of !== undefined && !base) throw new Error(`case ${file.id}/${answer.id}: "of" names no answer: ${answer.of}`);
    const text = answer.text ?? base?.text;
    if (text === undefined) throw new Error(`case ${file.id}/${answer.id}: no text`);
    return {
      id: `${file.id}/${answer.id}`,
      group: file.id,
      kind: answer.kind,
      ...(answer.of === undefined ? {} : { of: `${file.id}/${answer.of}` }),
      language: file.language,
      role: file.role,
      jobDescription: file.jobDescription,
      resume: answer.resume ?? base?.resume ?? file.resume,
      question: file.question,
      text,
    };
  });
}

/** Loads every *.json in `dir`, sorted by name, optionally keeping the cases whose id contains `only`. */
export function loadCases(dir = defaultCasesDir(), only?: string): EvalCase[] {
  const files = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  const cases = files.flatMap((name) => {
    const parsed = CaseFile.safeParse(JSON.parse(readFileSync(path.join(dir, name), 'utf8')));
    if (!parsed.success) throw new Error(`${name}: ${z.prettifyError(parsed.error)}`);
    return expandCaseFile(parsed.data);
  });
  return only ? cases.filter((entry) => entry.id.includes(only)) : cases;
}
