import { redactResume, type RedactedText } from './blind.ts';
import type { PrepDeps } from './deps.ts';
import { detectLanguage } from './language.ts';
import { importanceFromJd, jdSections, quoteSupportsSkill, repeatsSummary, sameSkill } from './match-rules.ts';
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
 * Scores a resume against a job description with the LLM (prompt `match-job`), then applies the match rules
 * (`applyMatchRules`): claims whose quote is not in the résumé, or does not name the skill, move to `unverifiedClaims`;
 * an unverified experience quote becomes null. Throws LlmError.
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
    jobDescription: input.jd,
    blind: input.blind === true,
    language,
    model: result.model,
    promptVersion: prompt.version,
  });
  return { match, ...(redaction ? { redaction } : {}), repaired: result.repaired };
}

/** What the match rules removed or changed in one match (docs/prep.md has the figures on real models). */
export interface MatchRuleEffects {
  /** Matched skills whose quote is not in the résumé. */
  quoteNotFound: number;
  /** Matched skills whose quote is in the résumé but names neither the skill nor a stated equivalent. */
  quoteDoesNotNameSkill: number;
  /** Missing skills dropped because the same skill is matched (or listed twice). */
  missingOverlap: number;
  /** Missing skills whose importance the job description's sections changed. */
  importanceCorrected: number;
  /** The experience assessment repeated the summary and was dropped. */
  experienceDropped: boolean;
}

/** Meta of a verified match; `jobDescription` places missing skills in its own sections. */
export interface VerifyMeta {
  blind: boolean;
  language: PrepLanguage;
  model: string;
  promptVersion: string;
  jobDescription?: string;
}

/** Checks every quote of a model's job match against the resume it was shown and moves unverified claims aside. */
export function verifyMatch(output: JobMatchOutput, resumeShown: string, meta: VerifyMeta): JobMatch {
  return applyMatchRules(output, resumeShown, meta).match;
}

/**
 * The match rules: a matched skill's quote must be in the résumé and name the skill (or an alias, or the equivalent the
 * model stated, shown as such), else it is left out; missing skills exclude matched ones; a missing skill's importance
 * follows the JD's sections; red flags need a verified quote; an experience assessment that repeats the summary is dropped.
 */
export function applyMatchRules(output: JobMatchOutput, resumeShown: string, meta: VerifyMeta): { match: JobMatch; effects: MatchRuleEffects } {
  const quotes = createQuoteIndex(resumeShown);
  const unverifiedClaims: UnverifiedClaim[] = [];
  const effects: MatchRuleEffects = { quoteNotFound: 0, quoteDoesNotNameSkill: 0, missingOverlap: 0, importanceCorrected: 0, experienceDropped: false };
  const skillsMatched: JobMatch['skillsMatched'] = [];
  for (const skill of output.skillsMatched) {
    if (!quotes.has(skill.quote)) {
      effects.quoteNotFound++;
      unverifiedClaims.push({ kind: 'skill', claim: skill.skill, quote: skill.quote });
      continue;
    }
    const support = quoteSupportsSkill(skill.skill, skill.quote, skill.equivalent);
    if (!support.supported) {
      effects.quoteDoesNotNameSkill++;
      unverifiedClaims.push({ kind: 'skill', claim: skill.skill, quote: skill.quote, reason: 'not-named' });
      continue;
    }
    if (skillsMatched.some((kept) => sameSkill(kept.skill, skill.skill))) continue;
    skillsMatched.push({ skill: skill.skill, quote: skill.quote, ...(support.equivalent ? { equivalent: support.equivalent } : {}) });
  }
  const sections = meta.jobDescription ? jdSections(meta.jobDescription) : [];
  const skillsMissing: JobMatch['skillsMissing'] = [];
  for (const missing of output.skillsMissing) {
    const matched = skillsMatched.some((kept) => sameSkill(kept.skill, missing.skill) || (kept.equivalent && sameSkill(kept.equivalent, missing.skill)));
    if (matched || skillsMissing.some((kept) => sameSkill(kept.skill, missing.skill))) {
      effects.missingOverlap++;
      continue;
    }
    const importance = importanceFromJd(missing.skill, sections, missing.importance);
    if (importance !== missing.importance) effects.importanceCorrected++;
    skillsMissing.push({ skill: missing.skill, importance });
  }
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
  effects.experienceDropped = repeatsSummary(output.experienceEvaluation.assessment, output.summary);
  const match: JobMatch = {
    score: output.score,
    skillsMatched,
    skillsMissing,
    experienceEvaluation: {
      assessment: effects.experienceDropped ? '' : output.experienceEvaluation.assessment,
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
  return { match, effects };
}
