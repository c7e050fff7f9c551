import type { PlannedQuestion } from '../../protocol/schemas.ts';
import type { PrepDeps } from './deps.ts';
import { detectLanguage } from './language.ts';
import { createQuoteIndex } from './quotes.ts';
import { InterviewPlanOutput, PLAN_COUNT, type InterviewPlan, type PlanQuestion, type PrepLanguage } from '../../protocol/prep.ts';

/** Bounds of a plan's question count. */

/** Input of {@link planInterview}. */
export interface PlanInput {
  jd: string;
  resume: string;
  count?: number | undefined;
  /** Language of the questions; detected from the resume when undefined. */
  language?: PrepLanguage | undefined;
  signal?: AbortSignal | undefined;
}

/** How many questions of each kind a plan of `count` aims for: about half technical, the rest behavioural and open. */
export function questionMix(count: number): Record<PlanQuestion['kind'], number> {
  if (count <= 1) return { technical: count, behavioural: 0, open: 0 };
  if (count === 2) return { technical: 1, behavioural: 1, open: 0 };
  const open = Math.max(1, Math.round(count * 0.2));
  const behavioural = Math.max(1, Math.round(count * 0.3));
  return { technical: count - open - behavioural, behavioural, open };
}

/**
 * Writes a tailored question plan with the LLM (prompt `plan-questions`): `count` questions mixing technical,
 * behavioural and open ones, each tied to a JD competency or a resume claim whose quote is checked. Throws LlmError.
 */
export async function planInterview(deps: PrepDeps, input: PlanInput): Promise<{ plan: InterviewPlan; repaired: boolean }> {
  const count = Math.min(PLAN_COUNT.max, Math.max(PLAN_COUNT.min, Math.round(input.count ?? PLAN_COUNT.default)));
  const language = input.language ?? detectLanguage(input.resume);
  const mix = questionMix(count);
  const prompt = deps.prompts.render(
    'plan-questions',
    language,
    { count: String(count), technical: String(mix.technical), behavioural: String(mix.behavioural), open: String(mix.open) },
    { jobDescription: input.jd, resume: input.resume },
  );
  const result = await deps.llm.generate({
    schema: InterviewPlanOutput,
    schemaName: 'interview_plan',
    messages: prompt.messages,
    language,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
  });
  const jdQuotes = createQuoteIndex(input.jd);
  const resumeQuotes = createQuoteIndex(input.resume);
  const warnings: string[] = [];
  const questions: PlanQuestion[] = result.object.questions.slice(0, count).map((question, index) => {
    const inJd = jdQuotes.has(question.quote);
    const inResume = resumeQuotes.has(question.quote);
    // Trust the quote over the label: a model that quotes the resume but says 'jd' gets its basis corrected.
    const basis = question.basis === 'jd' ? (inJd || !inResume ? 'jd' : 'resume') : inResume || !inJd ? 'resume' : 'jd';
    return {
      id: `q${index + 1}`,
      text: question.text.trim(),
      kind: question.kind,
      competency: question.competency.trim(),
      basis,
      quote: question.quote,
      quoteVerified: inJd || inResume,
      rationale: question.rationale,
    };
  });
  if (questions.length < count) warnings.push(`the model wrote ${questions.length} of the ${count} questions asked for`);
  for (const kind of ['technical', 'behavioural', 'open'] as const) {
    if (mix[kind] > 0 && !questions.some((question) => question.kind === kind)) warnings.push(`no ${kind} question in the plan`);
  }
  const unverified = questions.filter((question) => !question.quoteVerified).length;
  if (unverified > 0) warnings.push(`${unverified} question(s) quote neither the JD nor the resume verbatim`);
  return {
    plan: { language, questions, warnings, model: result.model, promptVersion: prompt.version },
    repaired: result.repaired,
  };
}

/** The plan as the live session's planned questions (SessionContext.plannedQuestions). */
export function toPlannedQuestions(plan: InterviewPlan): PlannedQuestion[] {
  return plan.questions.map(({ id, text, kind, competency }) => ({ id, text, kind, competency }));
}
