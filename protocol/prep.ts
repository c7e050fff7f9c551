// The preparation and screening contract: every LLM output schema of resume parsing, job match, question plans and
// feedback letters, and every REST payload of /api/resumes/parse, /api/match, /api/plans, /api/feedback and
// /api/screenings. The server validates requests and LLM output with them; the client validates replies with them.
import { z } from 'zod';
import { AnswerScore, PlannedQuestion } from './schemas.ts';

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

/**
 * What the LLM returns for a job match, before quotes are checked against the resume. The limits keep the schema within
 * what llama.cpp turns into a grammar (with 60 items, 1000-character quotes and 2000-character texts it refused, and the
 * embedded model answered unconstrained): quotes are short phrases, the texts two or three sentences.
 */
export const JobMatchOutput = z.object({
  score: z.number().int().min(0).max(100),
  skillsMatched: z
    .array(
      z.object({
        skill: z.string().min(1).max(200),
        quote: z.string().max(300),
        /** The name the résumé uses for the skill when it differs ("Postgres" for PostgreSQL); the quote must contain it. */
        equivalent: z.string().max(100).nullable().optional(),
      }),
    )
    .max(30),
  skillsMissing: z
    .array(z.object({ skill: z.string().min(1).max(200), importance: z.enum(['required', 'nice-to-have']) }))
    .max(30),
  experienceEvaluation: z.object({ assessment: z.string().min(1).max(1000), quote: z.string().max(300) }),
  redFlags: z.array(z.object({ flag: z.string().min(1).max(500), quote: z.string().max(300) })).max(20),
  summary: z.string().min(1).max(1000),
});
export type JobMatchOutput = z.infer<typeof JobMatchOutput>;

/** A claim whose quote was not found in the resume: kept out of the match and shown for review. */
export const UnverifiedClaim = z.object({
  kind: z.enum(['skill', 'experience', 'red-flag']),
  claim: z.string(),
  quote: z.string(),
  /** 'not-named': the quote is in the résumé but does not name the skill (nor an equivalent); absent: quote not found. */
  reason: z.enum(['not-found', 'not-named']).optional(),
});
export type UnverifiedClaim = z.infer<typeof UnverifiedClaim>;

/** A job match whose every kept claim quotes the resume verbatim (after whitespace normalisation). */
export const JobMatch = z.object({
  score: z.number().int().min(0).max(100),
  /** `equivalent`: the résumé's own name for the skill, shown beside it ("PostgreSQL (as Postgres)"). */
  skillsMatched: z.array(z.object({ skill: z.string(), quote: z.string(), equivalent: z.string().nullable().optional() })),
  skillsMissing: z.array(z.object({ skill: z.string(), importance: z.enum(['required', 'nice-to-have']) })),
  experienceEvaluation: z.object({
    /** Empty when the model's assessment only repeated the summary. */
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

/** Bounds of a question plan's length (`count`). */
export const PLAN_COUNT = { min: 1, max: 30, default: 8 } as const;

const RequestText = z.string().trim().min(1);

/** `POST /api/match`. */
export const MatchRequest = z.object({
  jd: RequestText.max(50_000),
  resume: RequestText.max(100_000),
  language: PrepLanguage.optional(),
  blind: z.boolean().optional(),
  candidateName: z.string().max(200).nullable().optional(),
});
export type MatchRequest = z.infer<typeof MatchRequest>;

/** Reply of `POST /api/match`; `redaction` in blind mode (counts of what was removed, and the text the model saw). */
export const MatchReply = z.object({
  match: JobMatch,
  redaction: z.object({ removed: z.record(z.string(), z.number()), text: z.string() }).optional(),
});
export type MatchReply = z.infer<typeof MatchReply>;

/** `POST /api/plans`. */
export const PlanRequest = z.object({
  jd: RequestText.max(50_000),
  resume: RequestText.max(100_000),
  count: z.number().int().min(PLAN_COUNT.min).max(PLAN_COUNT.max).optional(),
  language: PrepLanguage.optional(),
});
export type PlanRequest = z.infer<typeof PlanRequest>;

/** Reply of `POST /api/plans`: the plan and its questions in the live session's shape. */
export const PlanReply = z.object({ plan: InterviewPlan, plannedQuestions: z.array(PlannedQuestion) });
export type PlanReply = z.infer<typeof PlanReply>;

/** Reply of `POST /api/feedback`. */
export const FeedbackReply = z.object({ letter: FeedbackLetter });
export type FeedbackReply = z.infer<typeof FeedbackReply>;

/** Query of `POST /api/resumes/parse`: `llm=false` returns the text only. */
export const ResumeParseQuery = z.object({ language: PrepLanguage.optional(), llm: z.enum(['true', 'false']).optional() });
export type ResumeParseQuery = z.infer<typeof ResumeParseQuery>;

/** A failed LLM or extraction step, reported beside what did work. */
export const PrepFailure = z.object({ code: z.string(), message: z.string(), retryable: z.boolean() });
export type PrepFailure = z.infer<typeof PrepFailure>;

/** Reply of `POST /api/resumes/parse`: the clean text always; the parsed fields unless the LLM part failed or was skipped. */
export const ResumeParseReply = z.object({
  text: z.string(),
  kind: z.enum(['pdf', 'docx', 'text']),
  pageCount: z.number().nullable(),
  warnings: z.array(z.string()),
  resume: ParsedResume.nullable(),
  language: PrepLanguage.optional(),
  model: z.string().optional(),
  promptVersion: z.string().optional(),
  llmError: PrepFailure.nullable(),
});
export type ResumeParseReply = z.infer<typeof ResumeParseReply>;

/** A file uploaded inside a JSON body, its bytes as base64. */
export const UploadedFile = z.object({
  name: z.string().min(1).max(255),
  contentBase64: z.string().min(1),
});
export type UploadedFile = z.infer<typeof UploadedFile>;

/** `POST /api/screenings`: one of `jd` / `jdFile`, one of `folder` (server-side, allow-listed) / `files`. */
export const ScreeningRequest = z
  .object({
    jd: RequestText.max(50_000).optional(),
    jdFile: UploadedFile.optional(),
    jobTitle: z.string().max(200).optional(),
    folder: z.string().min(1).max(4096).optional(),
    files: z.array(UploadedFile).min(1).max(2000).optional(),
    blind: z.boolean().optional(),
    concurrency: z.number().int().min(1).max(16).optional(),
    language: PrepLanguage.optional(),
  })
  .refine((body) => (body.jd === undefined) !== (body.jdFile === undefined), { message: 'give exactly one of jd (text) or jdFile', path: ['jd'] })
  .refine((body) => (body.folder === undefined) !== (body.files === undefined), { message: 'give exactly one of folder or files', path: ['folder'] });
export type ScreeningRequest = z.infer<typeof ScreeningRequest>;

/** Where a screening stands; sent after every finished file. */
export const ScreeningProgress = z.object({
  total: z.number(),
  /** Ranked, failed or duplicate so far (resumed ones included). */
  done: z.number(),
  ranked: z.number(),
  failed: z.number(),
  /** Taken from the state file of an earlier, interrupted run. */
  resumed: z.number(),
  inFlight: z.number(),
  /** The file that just finished. */
  file: z.string().optional(),
});
export type ScreeningProgress = z.infer<typeof ScreeningProgress>;

/** Lifecycle of a screening. */
export const ScreeningState = z.enum(['running', 'complete', 'aborted', 'failed']);
export type ScreeningState = z.infer<typeof ScreeningState>;

/** Reply of `POST /api/screenings` (202). */
export const ScreeningStartReply = z.object({
  id: z.string(),
  status: ScreeningState,
  links: z.object({ self: z.string(), result: z.string() }),
});
export type ScreeningStartReply = z.infer<typeof ScreeningStartReply>;

/** Reply of `GET /api/screenings/:id`. */
export const ScreeningStatus = z.object({
  id: z.string(),
  status: ScreeningState,
  createdAt: z.string(),
  progress: ScreeningProgress,
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type ScreeningStatus = z.infer<typeof ScreeningStatus>;

/** One ranked resume. */
export const RankedResume = z.object({
  rank: z.number(),
  file: z.string(),
  /** Other files with byte-identical content, ranked once with this one. */
  duplicateFiles: z.array(z.string()),
  /** sha256 of the file's bytes: the key of the resumable state. */
  contentHash: z.string(),
  /** Null in blind mode or when no name was found. */
  candidateName: z.string().nullable(),
  match: JobMatch,
});
export type RankedResume = z.infer<typeof RankedResume>;

/** A file that could not be screened, with the reason. */
export const FailedResume = z.object({
  file: z.string(),
  code: z.string(),
  reason: z.string(),
  /** Screening it again may work (LLM down, timeout); false for a corrupt or scanned file. */
  retryable: z.boolean(),
});
export type FailedResume = z.infer<typeof FailedResume>;

/** A finished screening (`GET /api/screenings/:id/result?format=json`): the ranking, every failure, what was left undone. */
export const ScreeningResult = z.object({
  status: z.enum(['complete', 'aborted']),
  jobTitle: z.string().nullable(),
  blind: z.boolean(),
  language: PrepLanguage,
  startedAt: z.string(),
  finishedAt: z.string(),
  total: z.number(),
  ranked: z.array(RankedResume),
  failed: z.array(FailedResume),
  /** Files not screened because the run was interrupted. */
  pending: z.array(z.string()),
  /** How many results came from the state file of an earlier run. */
  resumed: z.number(),
  stateFile: z.string(),
});
export type ScreeningResult = z.infer<typeof ScreeningResult>;

/** Query of `GET /api/screenings/:id/result`. */
export const ScreeningResultQuery = z.object({ format: z.enum(['json', 'csv', 'html']).default('json') });
export type ScreeningResultQuery = z.infer<typeof ScreeningResultQuery>;
