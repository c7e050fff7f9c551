import { describe, expect, it } from 'vitest';
import { TranscriptIndex } from './transcript-quotes.ts';

// Two whisper segments: "We moved billing to Kafka." [10_000, 12_000] and "It cut latency by 40%." [12_500, 14_500].
const text = 'We moved billing to Kafka. It cut latency by 40%.';
const segments = [
  { text: ' We moved billing to Kafka.', startMs: 10_000, endMs: 12_000 },
  { text: ' It cut latency by 40%.', startMs: 12_500, endMs: 14_500 },
];
const index = new TranscriptIndex(text, segments, { startMs: 10_000, endMs: 14_500 });

describe('TranscriptIndex quotes', () => {
  it('returns the transcript’s own words for a quote differing in case, spacing and punctuation', () => {
    expect(index.find('moved  BILLING to kafka')).toEqual({ quote: 'moved billing to Kafka', charStart: 3, charEnd: 25 });
    expect(index.find('Kafka it cut')).toEqual({ quote: 'Kafka. It cut', charStart: 20, charEnd: 33 });
    expect(index.find('latency by 40 %')?.quote).toBe('latency by 40');
  });

  it('rejects words the candidate did not say, and matches that start or end mid-word', () => {
    expect(index.find('we moved payments to Kafka')).toBeUndefined();
    expect(index.find('illing to Kaf')).toBeUndefined();
    expect(index.find('We')).toBeUndefined(); // too short to be evidence
  });

  it('splits a quote with an ellipsis into the parts that were said', () => {
    expect(index.findParts('We moved billing … by 40%').map((m) => m.quote)).toEqual(['We moved billing', 'by 40']);
    expect(index.findParts('We moved billing... to Postgres').map((m) => m.quote)).toEqual(['We moved billing']);
  });

  it('matches Chinese quotes regardless of full-width punctuation and spaces', () => {
    const zh = new TranscriptIndex('我们把计费迁移到了 Kafka，延迟降低了百分之四十。', [], { startMs: 0, endMs: 4_000 });
    expect(zh.find('计费迁移到了Kafka, 延迟')?.quote).toBe('计费迁移到了 Kafka，延迟');
    expect(zh.find('降低了百分之五十')).toBeUndefined();
  });
});

describe('TranscriptIndex quote choices (the evidence enum of the score request)', () => {
  it('offers the candidate’s sentences, without edge punctuation, each one found in the transcript', () => {
    expect(index.quoteChoices()).toEqual(['We moved billing to Kafka', 'It cut latency by 40']);
    const zh = new TranscriptIndex('我们把计费迁移到了 Kafka。延迟降低了百分之四十！好。', [], { startMs: 0, endMs: 4_000 });
    expect(zh.quoteChoices()).toEqual(['我们把计费迁移到了 Kafka', '延迟降低了百分之四十']);
  });

  it('offers the clauses of a long sentence too, leaves out fragments too short to be evidence, and caps the list', () => {
    const long =
      'In my last role I owned the payments reconciliation service end to end, we rewrote the matching job in Go, ' +
      'and the nightly run went from four hours to twenty minutes, which let finance close the books a day earlier. Yes.';
    const choices = new TranscriptIndex(long, [], { startMs: 0, endMs: 30_000 }).quoteChoices();
    expect(choices).toContain('we rewrote the matching job in Go');
    expect(choices).toContain('and the nightly run went from four hours to twenty minutes');
    expect(choices).not.toContain('Yes');
    const many = Array.from({ length: 100 }, (_, i) => `This is sentence number ${i}.`).join(' ');
    expect(new TranscriptIndex(many, [], { startMs: 0, endMs: 1 }).quoteChoices(10)).toHaveLength(10);
  });
});

describe('TranscriptIndex times', () => {
  it('maps a quote inside one segment by character position', () => {
    // "billing to Kafka" is characters 9..25 of a 26-character segment spanning 2000 ms.
    const [evidence] = index.evidence('billing to Kafka');
    expect(evidence).toEqual({ quote: 'billing to Kafka', startMs: Math.round(10_000 + (9 / 26) * 2000), endMs: Math.round(10_000 + (25 / 26) * 2000) });
  });

  it('maps a quote spanning two segments from the first one’s time to the second one’s', () => {
    const [evidence] = index.evidence('to Kafka. It cut');
    expect(evidence?.startMs).toBe(Math.round(10_000 + (17 / 26) * 2000));
    // "It cut" is 6 of the second segment's 22 characters (it starts at 27).
    expect(evidence?.endMs).toBe(Math.round(12_500 + (6 / 22) * 2000));
  });

  it('spreads the answer’s span over the text when no segment matches', () => {
    const bare = new TranscriptIndex('abcdefghij klmnopqrst', [{ text: 'something else', startMs: 0, endMs: 1 }], { startMs: 1_000, endMs: 3_100 });
    expect(bare.evidence('klmnopqrst')).toEqual([{ quote: 'klmnopqrst', startMs: 1_000 + 1_100, endMs: 3_100 }]);
  });

  it('drops invented evidence', () => {
    expect(index.evidence('we rewrote everything in Rust')).toEqual([]);
  });
});
