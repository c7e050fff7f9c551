import { describe, expect, it } from 'vitest';
import { AnswerScore, type Rubric } from '../../protocol/schemas.ts';
import { createPromptLibrary } from '../prompts.ts';
import { z } from 'zod';
import { scoreOutputSchema } from '../../protocol/analysis-output.ts';
import { buildAnswerScore, noEvidenceTexts, weightedOverall, type ScoreOutput } from './score.ts';
import { TranscriptIndex } from './transcript-quotes.ts';

const prompts = createPromptLibrary();
const rubric: Rubric = {
  version: 'test@1',
  dimensions: [
    { id: 'depth', name: 'Depth', description: '', weight: 3 },
    { id: 'clarity', name: 'Clarity', description: '', weight: 1 },
  ],
};
const text = 'We moved billing to Kafka. It cut latency by 40%.';
const transcript = new TranscriptIndex(text, [], { startMs: 0, endMs: 5_000 });
const meta = { rubric, transcript, model: 'm', promptVersion: 'p@1', noEvidence: noEvidenceTexts(prompts, 'en') };

function output(depth: string[], clarity: string[]): ScoreOutput {
  return {
    label: 'answer',
    dimensions: {
      depth: { reason: 'Concrete.', evidence: depth, score: 9 },
      clarity: { reason: 'Clear.', evidence: clarity, score: 10 },
    },
    remark: 'Outstanding answer.',
  };
}

describe('scores bound to evidence', () => {
  it('gives a dimension whose quotes are not in the transcript no score, and leaves it out of the overall', () => {
    const score = buildAnswerScore(output(['moved billing to Kafka'], ['we rewrote everything in Rust']), meta);
    expect(score.dimensions.map((dimension) => [dimension.id, dimension.score])).toEqual([
      ['depth', 9],
      ['clarity', null],
    ]);
    expect(score.dimensions[1]?.reason).toMatch(/^No evidence/);
    expect(score.dimensions[1]?.evidence).toEqual([]);
    expect(score.overall).toBe(9);
    expect(score.evidencedDimensions).toBe(1);
    expect(score.quotes).toEqual({ claimed: 2, verified: 1 });
    expect(score.remark).toBe('Outstanding answer.');
  });

  it('does not score an answer none of whose quotes verify: label kept, overall null, fixed remark', () => {
    const score = buildAnswerScore(output(['I led a team of 200'], []), meta);
    expect(score.label).toBe('answer');
    expect(score.overall).toBeNull();
    expect(score.dimensions.every((dimension) => dimension.score === null)).toBe(true);
    expect(score.evidencedDimensions).toBe(0);
    expect(score.remark).toMatch(/^Not scored/);
    expect(score.remark).not.toContain('Outstanding');
  });

  it('words the no-evidence texts in Chinese for Chinese sessions', () => {
    const zh = buildAnswerScore(output([], []), { ...meta, noEvidence: noEvidenceTexts(prompts, 'zh') });
    expect(zh.remark).toMatch(/^未评分/);
    expect(zh.dimensions[0]?.reason).toMatch(/^无依据/);
  });

  it('caps evidence at 3 quotes per dimension in the schema the model is constrained by', () => {
    const schema = scoreOutputSchema(rubric);
    const json = JSON.stringify(z.toJSONSchema(schema));
    expect(json).toContain('"maxItems":3');
    const four = output(['a1', 'b2', 'c3', 'd4'], []);
    expect(schema.safeParse(four).success).toBe(false);
  });

  it('constrains evidence to the answer’s own clauses when they are given, so a paraphrase cannot be decoded', () => {
    const choices = transcript.quoteChoices();
    expect(choices.length).toBeGreaterThan(0);
    const schema = scoreOutputSchema(rubric, choices);
    const json = JSON.stringify(z.toJSONSchema(schema));
    expect(json).toContain(JSON.stringify(choices[0]));
    expect(schema.safeParse(output([choices[0] ?? ''], [])).success).toBe(true);
    expect(schema.safeParse(output(['something the candidate never said'], [])).success).toBe(false);
  });

  it('weights only evidenced dimensions', () => {
    expect(weightedOverall([{ id: 'depth', score: 8 }, { id: 'clarity', score: 4 }], rubric)).toBe(7);
    expect(weightedOverall([{ id: 'depth', score: null }, { id: 'clarity', score: 4 }], rubric)).toBe(4);
    expect(weightedOverall([{ id: 'depth', score: null }, { id: 'clarity', score: null }], rubric)).toBeNull();
  });

  it('still reads score cards stored before the rule (numbers everywhere, no counts)', () => {
    const stored = {
      label: 'answer',
      dimensions: [{ id: 'depth', name: 'Depth', score: 7, reason: 'ok', evidence: [] }],
      overall: 7,
      remark: '',
      model: 'm',
      promptVersion: 'answer-score@1+analysis-context@1',
      rubricVersion: 'default@1',
    };
    expect(AnswerScore.parse(stored)).toEqual(stored);
  });
});
