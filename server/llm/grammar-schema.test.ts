import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toGrammarSchema } from './grammar-schema.ts';
import { toResponseJsonSchema } from './structured.ts';

describe('toGrammarSchema', () => {
  it('maps what the grammar generator lacks and caps only what the schema leaves unbounded', () => {
    const schema = z.object({
      score: z.number().int().min(1).max(10),
      reason: z.string(),
      name: z.string().max(2000).nullable(),
      skills: z.array(z.string().max(100)).max(200),
      evidence: z.array(z.string()),
      label: z.enum(['answer', 'empty']),
    });
    const grammar = toGrammarSchema(toResponseJsonSchema(schema));
    const properties = grammar.properties as Record<string, Record<string, unknown>>;
    expect(properties.score).toEqual({ enum: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
    expect(properties.reason).toEqual({ type: 'string', maxLength: 300 });
    expect(properties.name).toEqual({ oneOf: [{ type: 'string', maxLength: 2000 }, { type: 'null' }] });
    expect(properties.skills).toEqual({ type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 200 });
    expect(properties.evidence).toMatchObject({ type: 'array', maxItems: 8 });
    expect(properties.label).toEqual({ enum: ['answer', 'empty'] });
    expect(grammar).toMatchObject({ type: 'object', additionalProperties: false });
  });
});
