import { redactResume, type RedactedText } from './blind.ts';
import type { PrepDeps } from './deps.ts';
import { detectLanguage } from './language.ts';
import { createQuoteIndex } from './quotes.ts';
import { JobMatchOutput, type JobMatch, type PrepLanguage, type UnverifiedClaim } from '../../protocol/prep.ts';

/** Input of {@link matchResume}. */
export interface MatchInput {
  jd: string;
  resume: string;
  /** Language of the analysis; detected from the resume when undefined. */
  language?: PrepLanguage | undefined;
  /** Remove personal details before the model sees the resume. */
  blind?: boolean | undefined;
  /** The candidate's name when known (blind mode removes it everywhere). */
  candidateName?: string | null | undefined;
  signal?: AbortSignal | undefined;
}

/** A verified job match plus, in blind mode, what was removed and the text the model saw. */
export interface MatchResult {
  match: JobMatch;
  /** Present in blind mode. */
  redaction?: RedactedText;
  repaired: boolean;
}

/**
 * Scores a resume against a job description with the LLM (prompt `match-job`), then keeps only claims whose quote is in
 * the resume text the model was shown: unverified matched skills and red flags move to `unverifiedClaims`; an unverified
 * experience quote becomes null. Throws LlmError.
 */
export async function matchResume(deps: PrepDeps, input: MatchInput): Promise<MatchResult> {
  const language = input.language ?? detectLanguage(input.resume);
  const redaction = input.blind ? redactResume(input.resume, { name: input.candidateName ?? null }) : undefined;
  const resumeShown = redaction ? redaction.text : input.resume;
  const prompt = deps.prompts.render('match-job', language, {}, { jobDescription: input.jd, resume: resumeShown });
  const result = await deps.llm.generate({
    schema: JobMatchOutput,
    schemaName: 'job_match',
    messages: prompt.messages,
    language,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
  });
  const match = verifyMatch(result.object, resumeShown, {
    blind: input.blind === true,
    language,
    model: result.model,
    promptVersion: prompt.version,
  });
  return { match, ...(redaction ? { redaction } : {}), repaired: result.repaired };
}

/** Checks every quote of a model's job match against the resume it was shown and moves unverified claims aside. */
export function verifyMatch(
  output: JobMatchOutput,
  resumeShown: string,
  meta: { blind: boolean; language: PrepLanguage; model: string; promptVersion: string },
): JobMatch {
  const quotes = createQuoteIndex(resumeShown);
  const unverifiedClaims: UnverifiedClaim[] = [];
  const skillsMatched = output.skillsMatched.filter((skill) => {
    if (quotes.has(skill.quote)) return true;
    unverifiedClaims.push({ kind: 'skill', claim: skill.skill, quote: skill.quote });
    return false;
  });
  const redFlags = output.redFlags.filter((flag) => {
    if (quotes.has(flag.quote)) return true;
    // A red flag without evidence in the resume is exactly the claim that must not reach a ranking.
    unverifiedClaims.push({ kind: 'red-flag', claim: flag.flag, quote: flag.quote });
    return false;
  });
  const experienceQuoteVerified = quotes.has(output.experienceEvaluation.quote);
  if (!experienceQuoteVerified && output.experienceEvaluation.quote.trim()) {
    unverifiedClaims.push({ kind: 'experience', claim: output.experienceEvaluation.assessment, quote: output.experienceEvaluation.quote });
  }
  return {
    score: output.score,
    skillsMatched,
    skillsMissing: output.skillsMissing,
    experienceEvaluation: {
      assessment: output.experienceEvaluation.assessment,
      quote: experienceQuoteVerified ? output.experienceEvaluation.quote : null,
    },
    redFlags,
    summary: output.summary,
    unverifiedClaims,
    blind: meta.blind,
    language: meta.language,
    model: meta.model,
    promptVersion: meta.promptVersion,
  };
}
