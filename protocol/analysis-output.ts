/**
 * What the answer-analysis model must return (follow-up suggestions, score cards): zod schemas sent as the JSON schema of
 * each request (vLLM guided decoding, OpenAI strict mode) and used to validate the reply. Only validated results reach a
 * screen, as the `followup:end` and `score:final` payloads in schemas.ts.
 */
import { z } from 'zod';
import { AnswerLabel, type Rubric } from './schemas.ts';

/** response_format name of the follow-up request (the fake server and logs tell calls apart by it). */
export const FOLLOWUPS_SCHEMA_NAME = 'answer_followups';

const nonBlank = z.string().refine((text) => text.trim() !== '', 'must not be blank');

/**
 * What the model must return. Kept to JSON-schema features OpenAI's strict mode and vLLM's guided decoding share;
 * "question" comes first so its text streams to the screen before anything else.
 */
export const FollowUpsOutput = z.object({
  suggestions: z
    .array(z.object({ question: nonBlank, buildsOn: z.string(), probes: nonBlank }))
    .min(1)
    .max(3),
});
export type FollowUpsOutput = z.infer<typeof FollowUpsOutput>;

/** response_format name of the score request. */
export const SCORE_SCHEMA_NAME = 'answer_score';

/** Most evidence quotes the model may give per dimension (the prompt asks for up to 3). */
export const MAX_EVIDENCE_PER_DIMENSION = 3;

function dimensionOutput(quoteChoices: readonly string[]) {
  const [first, ...rest] = quoteChoices;
  // An enum of the answer's own clauses when there are any: constrained decoding can then quote only the transcript.
  const quote = first === undefined ? z.string() : z.enum([first, ...rest]);
  return z.object({
    reason: z.string(),
    // Bounded in the schema itself: with guided decoding a small model otherwise can go on listing quotes until max_tokens.
    evidence: z.array(quote).max(MAX_EVIDENCE_PER_DIMENSION),
    score: z.number().int().min(1).max(10),
  });
}
const DimensionOutput = dimensionOutput([]);

/**
 * What the model must return for `rubric`: dimensions keyed by rubric id, so guided decoding makes every dimension appear
 * exactly once. Dimensions are required whatever the label (the server drops them for non-answers): a nullable field let
 * guided decoding pair "answer" with null, which small models did (eval: Qwen2.5-0.5B, every case). Reason and evidence
 * come before the score so the model reasons first. With `quoteChoices` (the answer's clauses, see TranscriptIndex.quoteChoices)
 * evidence items must be one of them: Qwen2.5-0.5B paraphrased every quote it was free to write (eval: 0 of 39 verified).
 */
export function scoreOutputSchema(rubric: Rubric, quoteChoices: readonly string[] = []) {
  const dimension = dimensionOutput(quoteChoices);
  const dimensions = z.object(Object.fromEntries(rubric.dimensions.map((entry) => [entry.id, dimension])));
  return z.object({ label: AnswerLabel, dimensions, remark: z.string() });
}

/** The model's score object for a rubric. */
export type ScoreOutput = {
  label: AnswerLabel;
  dimensions: Record<string, z.infer<typeof DimensionOutput>>;
  remark: string;
};

