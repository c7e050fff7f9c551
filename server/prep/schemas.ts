import { z } from 'zod';
import { AnswerScore, PlannedQuestion } from '../../protocol/schemas.ts';

// Schemas the LLM fills use only required (possibly nullable) fields and no defaults or transforms, so they convert
// to the strict JSON schema vLLM's guided decoding and OpenAI's structured output accept.

/** Language of prompts and generated text in the preparation features. */
export const PrepLanguage = z.enum(['en', 'zh']);
export type PrepLanguage = z.infer<typeof PrepLanguage>;

/** One degree or course of study. */
export const EducationEntry = z.object({
  institution: z.string().max(300),
  degree: z.string().max(200).nullable(),
  field: z.string().max(200).nullable(),
  startDate: z.string().max(40).nullable(),
  endDate: z.string().max(40).nullable(),
});
export type EducationEntry = z.infer<typeof EducationEntry>;

/** One job. */
export const ExperienceEntry = z.object({
  company: z.string().max(300),
  title: z.string().max(300).nullable(),
  startDate: z.string().max(40).nullable(),
  endDate: z.string().max(40).nullable(),
  highlights: z.array(z.string().max(1000)).max(30),
});
export type ExperienceEntry = z.infer<typeof ExperienceEntry>;

/** One project. */
export const ProjectEntry = z.object({
  name: z.string().max(300),
  description: z.string().max(2000),
  technologies: z.array(z.string().max(100)).max(50),
});
export type ProjectEntry = z.infer<typeof ProjectEntry>;

/** A resume turned into fields by the LLM. */
export const ParsedResume = z.object({
  name: z.string().max(200).nullable(),
  contacts: z.object({
    emails: z.array(z.string().max(200)).max(10),
    phones: z.array(z.string().max(60)).max(10),
    links: z.array(z.string().max(500)).max(20),
    location: z.string().max(200).nullable(),
  }),
  yearsOfExperience: z.number().min(0).max(70).nullable(),
  education: z.array(EducationEntry).max(20),
  skills: z.array(z.string().max(100)).max(200),
  projects: z.array(ProjectEntry).max(50),
  experience: z.array(ExperienceEntry).max(50),
  /** Spoken languages, e.g. "English (fluent)", "普通话". */
  languages: z.array(z.string().max(100)).max(20),
});
export type ParsedResume = z.infer<typeof ParsedResume>;

/** What the LLM returns for a job match, before quotes are checked against the resume. */
export const JobMatchOutput = z.object({
  score: z.number().int().min(0).max(100),
  skillsMatched: z.array(z.object({ skill: z.string().min(1).max(200), quote: z.string().max(1000) })).max(60),
  skillsMissing: z
    .array(z.object({ skill: z.string().min(1).max(200), importance: z.enum(['required', 'nice-to-have']) }))
    .max(60),
  experienceEvaluation: z.object({ assessment: z.string().min(1).max(2000), quote: z.string().max(1000) }),
  redFlags: z.array(z.object({ flag: z.string().min(1).max(500), quote: z.string().max(1000) })).max(20),
  summary: z.string().min(1).max(2000),
});
export type JobMatchOutput = z.infer<typeof JobMatchOutput>;

/** A claim whose quote was not found in the resume: kept out of the match and shown for review. */
export const UnverifiedClaim = z.object({
  kind: z.enum(['skill', 'experience', 'red-flag']),
  claim: z.string(),
  quote: z.string(),
});
export type UnverifiedClaim = z.infer<typeof UnverifiedClaim>;

/** A job match whose every kept claim quotes the resume verbatim (after whitespace normalisation). */
export const JobMatch = z.object({
  score: z.number().int().min(0).max(100),
  skillsMatched: z.array(z.object({ skill: z.string(), quote: z.string() })),
  skillsMissing: z.array(z.object({ skill: z.string(), importance: z.enum(['required', 'nice-to-have']) })),
  experienceEvaluation: z.object({
    assessment: z.string(),
    /** Null when the model's quote was not found in the resume. */
    quote: z.string().nullable(),
  }),
  redFlags: z.array(z.object({ flag: z.string(), quote: z.string() })),
  summary: z.string(),
  /** Claims dropped because their quote is not in the resume. */
  unverifiedClaims: z.array(UnverifiedClaim),
  blind: z.boolean(),
  language: PrepLanguage,
  model: z.string(),
  promptVersion: z.string(),
});
export type JobMatch = z.infer<typeof JobMatch>;

/** What the LLM returns for an interview plan. */
export const InterviewPlanOutput = z.object({
  questions: z
    .array(
      z.object({
        text: z.string().min(1).max(2000),
        kind: z.enum(['technical', 'behavioural', 'open']),
        competency: z.string().min(1).max(200),
        /** Whether the question probes a job-description competency or a claim on the resume. */
        basis: z.enum(['jd', 'resume']),
        /** The JD requirement or resume claim it is tied to, verbatim. */
        quote: z.string().max(1000),
        rationale: z.string().max(1000),
      }),
    )
    .min(1)
    .max(40),
});
export type InterviewPlanOutput = z.infer<typeof InterviewPlanOutput>;

/** A planned question as the live screen tracks it (protocol PlannedQuestion) plus where it comes from. */
export const PlanQuestion = PlannedQuestion.extend({
  kind: z.enum(['technical', 'behavioural', 'open']),
  competency: z.string().max(200),
  basis: z.enum(['jd', 'resume']),
  quote: z.string(),
  /** The quote was found in the JD (basis 'jd') or the resume (basis 'resume'). */
  quoteVerified: z.boolean(),
  rationale: z.string(),
});
export type PlanQuestion = z.infer<typeof PlanQuestion>;

/** A tailored question plan; `questions` can be passed as SessionContext.plannedQuestions. */
export const InterviewPlan = z.object({
  language: PrepLanguage,
  questions: z.array(PlanQuestion),
  /** Notes about the plan's shape (fewer questions than asked, a kind missing). */
  warnings: z.array(z.string()),
  model: z.string(),
  promptVersion: z.string(),
});
export type InterviewPlan = z.infer<typeof InterviewPlan>;

/** Scores of one interview, as recorded by the live analysis, that a feedback letter is written from. */
export const FeedbackRequest = z.object({
  language: PrepLanguage,
  candidateName: z.string().max(200).optional(),
  role: z.string().max(200).optional(),
  companyName: z.string().max(200).optional(),
  decision: z.enum(['advance', 'reject', 'undecided']),
  answers: z
    .array(z.object({ question: z.string().max(2000).optional(), score: AnswerScore }))
    .min(1)
    .max(100),
});
export type FeedbackRequest = z.infer<typeof FeedbackRequest>;

/** What the LLM returns for a feedback letter. */
export const FeedbackLetterOutput = z.object({
  subject: z.string().min(1).max(300),
  greeting: z.string().min(1).max(300),
  paragraphs: z.array(z.string().min(1).max(3000)).min(1).max(8),
  strengths: z.array(z.string().min(1).max(500)).max(6),
  improvements: z.array(z.string().min(1).max(500)).max(6),
  closing: z.string().min(1).max(500),
});
export type FeedbackLetterOutput = z.infer<typeof FeedbackLetterOutput>;

/** A feedback letter in the candidate's language, with the plain-text body ready to send. */
export const FeedbackLetter = FeedbackLetterOutput.extend({
  language: PrepLanguage,
  /** Subject line excluded: greeting, paragraphs, strengths, improvements and closing as one text. */
  text: z.string(),
  model: z.string(),
  promptVersion: z.string(),
});
export type FeedbackLetter = z.infer<typeof FeedbackLetter>;
