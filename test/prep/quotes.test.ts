import { describe, expect, it } from 'vitest';
import { verifyMatch } from '../../server/prep/match.ts';
import { createQuoteIndex, isVerbatimQuote } from '../../server/prep/quotes.ts';
import type { JobMatchOutput } from '../../protocol/prep.ts';

const RESUME = `Jane Doe
Senior engineer at Acme (2019-2023).
- Led the migration of 40 services
  to Kubernetes, cutting costs by 30%.
2016.07-2019.06 字节跳动 后端工程师，负责 Go 微服务开发。`;

describe('quote verification', () => {
  it('accepts quotes that differ only in whitespace, line breaks, width or case', () => {
    const quotes = createQuoteIndex(RESUME);
    expect(quotes.has('Led the migration of 40 services to Kubernetes')).toBe(true);
    expect(quotes.has('led  the migration\nof 40 services')).toBe(true);
    expect(quotes.has('负责Go微服务开发')).toBe(true);
    expect(quotes.has('负责 Go 微服务开发。')).toBe(true);
    expect(quotes.has('Ｇｏ')).toBe(true);
    expect(quotes.has('"Senior engineer at Acme"')).toBe(true);
  });

  it('accepts an ellipsis joining pieces that appear in order, and nothing else', () => {
    expect(isVerbatimQuote('Led the migration … cutting costs by 30%', RESUME)).toBe(true);
    expect(isVerbatimQuote('cutting costs by 30% ... Led the migration', RESUME)).toBe(false);
  });

  it('rejects paraphrases, inventions and trivially short quotes', () => {
    expect(isVerbatimQuote('Migrated 40 services to Kubernetes', RESUME)).toBe(false);
    expect(isVerbatimQuote('Led the migration of 400 services', RESUME)).toBe(false);
    expect(isVerbatimQuote('负责 Java 微服务开发', RESUME)).toBe(false);
    expect(isVerbatimQuote('', RESUME)).toBe(false);
    expect(isVerbatimQuote('G', RESUME)).toBe(false);
  });

  it('drops unverified skills and red flags from a match and flags them for review', () => {
    const output: JobMatchOutput = {
      score: 72,
      skillsMatched: [
        { skill: 'Kubernetes', quote: 'Led the migration of 40 services to Kubernetes' },
        { skill: 'Kafka', quote: 'Built Kafka pipelines at scale' },
      ],
      skillsMissing: [{ skill: 'Terraform', importance: 'nice-to-have' }],
      experienceEvaluation: { assessment: 'Seven years of backend work.', quote: 'Senior engineer at Acme (2019-2023).' },
      redFlags: [{ flag: 'Job hopping', quote: 'left after 3 months' }],
      summary: 'Strong backend profile.',
    };
    const match = verifyMatch(output, RESUME, { blind: false, language: 'en', model: 'm', promptVersion: 'match-job@1' });
    expect(match.skillsMatched.map((skill) => skill.skill)).toEqual(['Kubernetes']);
    expect(match.redFlags).toEqual([]);
    expect(match.experienceEvaluation.quote).toBe('Senior engineer at Acme (2019-2023).');
    expect(match.unverifiedClaims).toEqual([
      { kind: 'skill', claim: 'Kafka', quote: 'Built Kafka pipelines at scale' },
      { kind: 'red-flag', claim: 'Job hopping', quote: 'left after 3 months' },
    ]);
  });

  it('nulls an unverified experience quote but keeps the assessment', () => {
    const output: JobMatchOutput = {
      score: 40,
      skillsMatched: [],
      skillsMissing: [],
      experienceEvaluation: { assessment: 'Junior.', quote: 'two years at a startup' },
      redFlags: [],
      summary: 'x',
    };
    const match = verifyMatch(output, RESUME, { blind: true, language: 'en', model: 'm', promptVersion: 'v' });
    expect(match.experienceEvaluation).toEqual({ assessment: 'Junior.', quote: null });
    expect(match.unverifiedClaims).toEqual([{ kind: 'experience', claim: 'Junior.', quote: 'two years at a startup' }]);
    expect(match.blind).toBe(true);
  });
});
