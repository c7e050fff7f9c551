import { getLlama, LlamaLogLevel, type GbnfJsonSchema } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import { JobMatchOutput } from '../../protocol/prep.ts';
import { toGrammarSchema } from '../../server/llm/grammar-schema.ts';
import { toResponseJsonSchema } from '../../server/llm/structured.ts';

// The embedded model is held to the job match's shape by a grammar built from its schema. With 60 items, 1000-character
// quotes and 2000-character texts llama.cpp refused the grammar ("exceeds sane defaults") and the model answered
// unconstrained: the small model then wrote invalid or endless JSON.
describe('job match schema', () => {
  it('becomes a llama.cpp grammar', async () => {
    const llama = await getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.error });
    const grammar = await llama.createGrammarForJsonSchema<GbnfJsonSchema, Record<any, any>>(toGrammarSchema(toResponseJsonSchema(JobMatchOutput)) as GbnfJsonSchema);
    expect(grammar.grammar.length).toBeGreaterThan(0);
  }, 60_000);
});
