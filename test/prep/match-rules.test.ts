import { describe, expect, it } from 'vitest';
import type { JobMatchOutput } from '../../protocol/prep.ts';
import { applyMatchRules, verifyMatch } from '../../server/prep/match.ts';
import { importanceFromJd, jdSections, quoteSupportsSkill, textNamesSkill } from '../../server/prep/match-rules.ts';

// Issue 16: verified quotes that do not support the claim passed (a PHP developer had Java, Kotlin, Go and Kafka
// "matched", each backed by his header line), a skill was both matched and missing, "nice to have" skills were listed as
// required, and "Experience" repeated the summary word for word.

const PHP_RESUME = `Tom Becker
Backend Developer — Berlin, Germany — tom.becker@example.org
Experience
2018–2024 Shopware agency: 6 years of PHP 8 and Laravel, REST APIs for online shops, MySQL tuning.
Ran Postgres 14 on AWS for one client; RabbitMQ consumers for order events.`;

const JD = `Senior Backend Engineer (Go)
Requirements:
- 5+ years of Go or Java
- PostgreSQL and REST APIs
- Kotlin is a plus
Nice to have:
- Kafka
- Terraform`;

const meta = { blind: false, language: 'en', model: 'm', promptVersion: 'match-job@3', jobDescription: JD } as const;

function output(partial: Partial<JobMatchOutput>): JobMatchOutput {
  return {
    score: 40,
    skillsMatched: [],
    skillsMissing: [],
    experienceEvaluation: { assessment: 'Six years of PHP backend work.', quote: '6 years of PHP 8 and Laravel' },
    redFlags: [],
    summary: 'A PHP developer with shop backends.',
    ...partial,
  };
}

describe('a matched skill needs a quote that names it', () => {
  it('drops skills "backed" by a quote that does not name them and counts them as left out (the issue case)', () => {
    const header = 'Backend Developer — Berlin, Germany — tom.becker@example.org';
    const { match, effects } = applyMatchRules(
      output({
        skillsMatched: [
          { skill: 'Java', quote: header },
          { skill: 'Kotlin', quote: header },
          { skill: 'Go', quote: header, equivalent: 'Backend Developer' },
          { skill: 'Kafka', quote: header },
          { skill: 'REST APIs', quote: 'REST APIs for online shops' },
        ],
      }),
      PHP_RESUME,
      meta,
    );
    expect(match.skillsMatched.map((skill) => skill.skill)).toEqual(['REST APIs']);
    expect(match.unverifiedClaims.filter((claim) => claim.reason === 'not-named').map((claim) => claim.claim)).toEqual(['Java', 'Kotlin', 'Go', 'Kafka']);
    expect(effects.quoteDoesNotNameSkill).toBe(4);
  });

  it('accepts an alias from the table or an equivalent the model states, and shows it as such', () => {
    const match = verifyMatch(
      output({
        skillsMatched: [
          { skill: 'PostgreSQL', quote: 'Ran Postgres 14 on AWS' },
          { skill: 'Message queues', quote: 'RabbitMQ consumers for order events', equivalent: 'RabbitMQ' },
          { skill: 'PHP', quote: '6 years of PHP 8 and Laravel' },
        ],
      }),
      PHP_RESUME,
      meta,
    );
    expect(match.skillsMatched).toEqual([
      { skill: 'PostgreSQL', quote: 'Ran Postgres 14 on AWS', equivalent: 'postgres' },
      { skill: 'Message queues', quote: 'RabbitMQ consumers for order events', equivalent: 'RabbitMQ' },
      { skill: 'PHP', quote: '6 years of PHP 8 and Laravel' },
    ]);
  });

  it('reads names as words: Java is not in JavaScript, Go is not in Google, plurals and versions count', () => {
    expect(quoteSupportsSkill('Java', 'Built dashboards in JavaScript').supported).toBe(false);
    expect(quoteSupportsSkill('Go', 'Google Cloud certified').supported).toBe(false);
    expect(quoteSupportsSkill('Go', 'services in Golang').supported).toBe(true);
    expect(quoteSupportsSkill('REST API', 'designed RESTful APIs').supported).toBe(true);
    expect(quoteSupportsSkill('Python', 'Python3 data tooling').supported).toBe(true);
    expect(quoteSupportsSkill('5+ years of Kubernetes experience', 'ran k8s clusters').supported).toBe(true);
    expect(quoteSupportsSkill('C++', 'low-latency C++ services').supported).toBe(true);
    expect(quoteSupportsSkill('Go 语言', '负责 Go 微服务开发').supported).toBe(true);
    expect(quoteSupportsSkill('分布式系统', '负责支付系统').supported).toBe(false);
    expect(textNamesSkill('熟悉分布式系统设计', '分布式系统')).toBe(true);
  });
});

describe('matched and missing', () => {
  it('are disjoint: a missing skill that is matched (by name or alias) or listed twice is dropped', () => {
    const { match, effects } = applyMatchRules(
      output({
        skillsMatched: [
          { skill: 'PostgreSQL', quote: 'Ran Postgres 14 on AWS' },
          { skill: 'PHP', quote: '6 years of PHP 8 and Laravel' },
        ],
        skillsMissing: [
          { skill: 'Postgres', importance: 'required' },
          { skill: 'PHP', importance: 'required' },
          { skill: 'Go', importance: 'required' },
          { skill: 'go', importance: 'required' },
        ],
      }),
      PHP_RESUME,
      meta,
    );
    expect(match.skillsMissing.map((skill) => skill.skill)).toEqual(['Go']);
    expect(effects.missingOverlap).toBe(3);
    const matched = new Set(match.skillsMatched.map((skill) => skill.skill.toLowerCase()));
    expect(match.skillsMissing.filter((skill) => matched.has(skill.skill.toLowerCase()))).toEqual([]);
  });

  it('follow the job description’s own sections for required vs nice to have', () => {
    const match = verifyMatch(
      output({
        skillsMissing: [
          { skill: 'Kafka', importance: 'required' },
          { skill: 'Terraform', importance: 'required' },
          { skill: 'Kotlin', importance: 'required' },
          { skill: 'Go', importance: 'nice-to-have' },
          { skill: 'Docker', importance: 'nice-to-have' },
        ],
      }),
      PHP_RESUME,
      meta,
    );
    expect(match.skillsMissing).toEqual([
      { skill: 'Kafka', importance: 'nice-to-have' },
      { skill: 'Terraform', importance: 'nice-to-have' },
      // "Kotlin is a plus" under Requirements marks itself optional.
      { skill: 'Kotlin', importance: 'nice-to-have' },
      { skill: 'Go', importance: 'required' },
      // Not in the JD's sections: the model's word stands.
      { skill: 'Docker', importance: 'nice-to-have' },
    ]);
  });

  it('reads Chinese sections too (任职要求 / 加分项, 优先)', () => {
    const sections = jdSections('岗位职责：\n负责支付系统\n任职要求：\n1. 熟悉 Go 语言\n2. 熟悉 MySQL\n加分项：\n- 有 Kafka 经验\n- 熟悉 Redis 者优先');
    expect(importanceFromJd('Kafka', sections, 'required')).toBe('nice-to-have');
    expect(importanceFromJd('Go', sections, 'nice-to-have')).toBe('required');
    expect(importanceFromJd('MySQL', sections, 'nice-to-have')).toBe('required');
    expect(importanceFromJd('Redis', sections, 'required')).toBe('nice-to-have');
    expect(importanceFromJd('支付', sections, 'required')).toBe('required');
  });
});

describe('experience', () => {
  it('drops an assessment that repeats the summary word for word, keeps one that says more', () => {
    const repeated = verifyMatch(output({ experienceEvaluation: { assessment: 'A PHP developer with shop backends.', quote: '6 years of PHP 8 and Laravel' } }), PHP_RESUME, meta);
    expect(repeated.experienceEvaluation).toEqual({ assessment: '', quote: '6 years of PHP 8 and Laravel' });
    const own = verifyMatch(output({}), PHP_RESUME, meta);
    expect(own.experienceEvaluation.assessment).toBe('Six years of PHP backend work.');
  });
});
