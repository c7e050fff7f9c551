import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchPlannedQuestions, questionSimilarity } from '../reports/question-match.ts';
import { guessTurnRole } from './turn-roles.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../audio-fixtures');

/** Every line of the two-speaker fixtures, with who said it and the plan when the fixture has one. */
function fixtureLines(): { fixture: string; channel: string; text: string; planned: string[] }[] {
  return ['interview-en', 'interview-zh', 'interview-long-en'].flatMap((name) => {
    const sidecar = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as {
      segments: { channel: string; text: string }[];
      plannedQuestions?: { text: string }[];
    };
    const planned = (sidecar.plannedQuestions ?? []).map((question) => question.text);
    return sidecar.segments.map((segment) => ({ fixture: name, channel: segment.channel, text: segment.text, planned }));
  });
}

describe('speaker roles guessed from words (one-channel sessions)', () => {
  it('attributes every line of the two-speaker fixtures (en, zh) to the right speaker', () => {
    const lines = fixtureLines();
    expect(lines.length).toBeGreaterThanOrEqual(14);
    for (const line of lines) expect(guessTurnRole(line.text, line.planned).channel, `${line.fixture}: ${line.text}`).toBe(line.channel);
  });

  it('does not take an answer for a question because it starts with a question word or echoes the plan', () => {
    expect(guessTurnRole('What I did was move the batch job to a stream.').channel).toBe('candidate');
    expect(guessTurnRole('With load tests every night.', ['How did you test it?']).channel).toBe('candidate');
    expect(guessTurnRole('我们用了 Redis 做缓存，后来换成了本地缓存。').channel).toBe('candidate');
  });

  it('is sure of a clear question and unsure of a bare phrase', () => {
    const question = guessTurnRole('Could you walk me through how you tested it?');
    expect(question.channel).toBe('interviewer');
    expect(question.confidence).toBeGreaterThan(0.7);
    expect(guessTurnRole('Kafka.').confidence).toBeLessThan(0.5);
    expect(guessTurnRole('   ')).toEqual({ channel: 'candidate', confidence: 0 });
  });
});

describe('planned questions matched by what was asked', () => {
  it('compares English by content words and Chinese by characters', () => {
    expect(questionSimilarity('So, how would you go about testing a payments system?', 'How do you test a payment system?')).toBeGreaterThanOrEqual(0.6);
    expect(questionSimilarity('Tell me about your last manager.', 'How do you test a payment system?')).toBe(0);
    expect(questionSimilarity('那次迁移中遇到的最大的线上事故是什么？', '线上事故你是怎么处理的？')).toBeGreaterThanOrEqual(0.5);
  });

  it('pairs each asked question with at most one planned one, best first, whatever the order; unplanned ones stay unmatched', () => {
    const planned = ['How do you test a service before it goes live?', 'Describe a time you disagreed with your manager.', 'Tell me about a system you built.'];
    const asked = ['Tell me about a system you designed and built yourself.', 'Did you enjoy the conference?', null, 'How did you test that service before it went live?', 'Tell me about a time you disagreed with your manager.'];
    expect(matchPlannedQuestions(asked, planned).map((match) => match?.index ?? null)).toEqual([2, null, null, 0, 1]);
  });
});
