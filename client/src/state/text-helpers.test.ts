import { describe, expect, it } from 'vitest';
import { findQuote } from './highlight.ts';
import { followUpDrafts } from './streaming-followups.ts';

describe('findQuote', () => {
  const text = 'We used Kafka,  partitioned by\ncustomer ID, and Go consumers.';
  it('finds an exact quote', () => {
    const at = findQuote('I built a queue in Go.', 'a queue');
    expect(at).toEqual([8, 15]);
  });
  it('ignores case, whitespace runs and surrounding quotes/punctuation', () => {
    const range = findQuote(text, '“kafka, partitioned by customer id.”');
    expect(range).not.toBeNull();
    expect(text.slice(...range!)).toBe('Kafka,  partitioned by\ncustomer ID');
  });
  it('finds Chinese quotes', () => {
    const zh = '我们用了 Redis 做缓存，后来换成了本地缓存。';
    expect(zh.slice(...findQuote(zh, '后来换成了本地缓存')!)).toBe('后来换成了本地缓存');
  });
  it('returns null for a quote that is not there', () => {
    expect(findQuote(text, 'Postgres')).toBeNull();
    expect(findQuote(text, '  ')).toBeNull();
  });
});

describe('followUpDrafts', () => {
  it('shows a streamed question that starts with "[" or "{" as the question it is (the server sends plain text)', () => {
    expect(followUpDrafts('[Kafka] Why did you pick it over RabbitMQ?\n{Ops} How did you test failover')).toEqual([
      '[Kafka] Why did you pick it over RabbitMQ?',
      '{Ops} How did you test failover',
    ]);
    expect(followUpDrafts('["not", "json"] either')).toEqual(['["not", "json"] either']);
  });
  it('shows one draft per streamed line, skipping empty lines', () => {
    expect(followUpDrafts('1. Ask about failover\n\n2. And the rollback')).toEqual(['1. Ask about failover', '2. And the rollback']);
    expect(followUpDrafts('')).toEqual([]);
  });
});
