import { describe, expect, it } from 'vitest';
import { JsonFieldTextStreamer, parseJsonLenient } from './json-text.ts';

function streamField(pieces: string[], field = 'question'): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const streamer = new JsonFieldTextStreamer(field, (text, occurrence) => out.push([text, occurrence]));
  for (const piece of pieces) streamer.push(piece);
  return out;
}

function byOccurrence(events: Array<[string, number]>): string[] {
  const texts: string[] = [];
  for (const [text, occurrence] of events) texts[occurrence] = (texts[occurrence] ?? '') + text;
  return texts;
}

describe('JsonFieldTextStreamer', () => {
  const value = {
    suggestions: [
      { question: 'Why "Kafka"?\nAnd why \\ not RabbitMQ? ✓ 😀', buildsOn: 'question: "x"', probes: 'depth' },
      { question: '为什么选择 Kafka？', buildsOn: '', probes: 'a "question" key inside a value' },
    ],
  };
  const json = JSON.stringify(value);
  const asciiJson = json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

  it('extracts every question however the JSON is split, decoding escapes', () => {
    for (const size of [1, 2, 3, 5, 8, 13, json.length]) {
      for (const source of [json, asciiJson]) {
        const pieces = Array.from({ length: Math.ceil(source.length / size) }, (_, i) => source.slice(i * size, (i + 1) * size));
        expect(byOccurrence(streamField(pieces)), `size ${size}`).toEqual(value.suggestions.map((s) => s.question));
      }
    }
  });

  it('never splits a surrogate pair across deltas', () => {
    const events = streamField(asciiJson.split(''));
    for (const [text] of events) expect(text).not.toMatch(/[\ud800-\udbff]$/);
  });

  it('ignores prose and fences before the object, and anything after it', () => {
    const events = streamField(['Sure:\n```json\n{"question": "A?"}', '\n```\n{"question": "B?"}']);
    expect(byOccurrence(events)).toEqual(['A?']);
  });

  it('sends one delta per field per piece', () => {
    expect(streamField(['{"question": "Hel', 'lo", "x": 1, "question": "Bye"}'])).toEqual([
      ['Hel', 0],
      ['lo', 0],
      ['Bye', 1],
    ]);
  });
});

describe('parseJsonLenient', () => {
  it('takes the first balanced object that parses', () => {
    expect(parseJsonLenient('prose {not json} then {"a": {"b": "}"}} trailing')).toMatchObject({ ok: true, value: { a: { b: '}' } } });
  });

  it('explains why nothing could be parsed', () => {
    expect(parseJsonLenient('')).toEqual({ ok: false, problem: 'the reply was empty' });
    expect(parseJsonLenient('no braces here')).toEqual({ ok: false, problem: 'the reply contains no JSON object' });
    expect(parseJsonLenient('{"a": [1, 2')).toEqual({ ok: false, problem: 'the JSON object is not closed (the reply looks cut off)' });
    expect(parseJsonLenient('{"a": 1,}')).toMatchObject({ ok: false, problem: expect.stringMatching(/^the JSON does not parse/) });
  });
});
