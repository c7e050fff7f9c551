import { describe, expect, it } from 'vitest';
import { findQuote } from './highlight.ts';
import { readableFollowUpStream } from './streaming-followups.ts';

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

describe('readableFollowUpStream', () => {
  it('pulls question drafts out of streaming JSON, including the unfinished one', () => {
    const raw = '{"suggestions":[{"question":"Why \\"Kafka\\"?","buildsOn":"Kafka","probes":"choice"},{"question":"How did you test fail';
    expect(readableFollowUpStream(raw)).toEqual({ questions: ['Why "Kafka"?', 'How did you test fail'] });
  });
  it('drops half an escape at the end of the stream', () => {
    expect(readableFollowUpStream('{"suggestions":[{"question":"line\\')).toEqual({ questions: ['line'] });
    expect(readableFollowUpStream('{"suggestions":[{"question":"caf\\u00')).toEqual({ questions: ['caf'] });
  });
  it('passes plain text through', () => {
    expect(readableFollowUpStream('1. Ask about failover')).toEqual({ text: '1. Ask about failover' });
  });
});
