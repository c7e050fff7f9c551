/**
 * Turns the JSON Schema zod emits into the subset node-llama-cpp compiles to a GBNF grammar, tightened for small models:
 * `anyOf` becomes `oneOf`, a small integer range becomes an enum, and strings and arrays the schema leaves unbounded get
 * length caps, so a model that rambles is cut off by the grammar rather than by maxTokens. Limits the schema sets are
 * kept as they are (a résumé may list 200 skills). zod still validates the result against the real schema.
 */

/** Caps applied where the schema sets no limit. */
export interface GrammarCaps {
  /** Characters per string value. */
  maxStringLength: number;
  /** Items per array. */
  maxArrayItems: number;
}

/** Defaults of {@link GrammarCaps}: a reason of two sentences, a quote, a question fit in 300 characters. */
export const GRAMMAR_CAPS: GrammarCaps = { maxStringLength: 300, maxArrayItems: 8 };

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The grammar-ready copy of `schema`; never modifies its argument. */
export function toGrammarSchema(schema: Schema, caps: GrammarCaps = GRAMMAR_CAPS): Schema {
  const convert = (node: unknown): Schema => {
    if (!isSchema(node)) return { type: ['string', 'number', 'boolean', 'null'] };
    const out: Schema = {};
    if (isSchema(node.$defs)) out.$defs = Object.fromEntries(Object.entries(node.$defs).map(([key, value]) => [key, convert(value)]));
    if (typeof node.$ref === 'string') return { ...out, $ref: node.$ref };
    if ('const' in node) return { ...out, const: node.const };
    if (Array.isArray(node.enum)) return { ...out, enum: node.enum };
    const alternatives = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined;
    if (alternatives) return { ...out, oneOf: alternatives.map(convert) };
    const type = node.type;
    if (type === 'integer' && typeof node.minimum === 'number' && typeof node.maximum === 'number' && node.maximum - node.minimum <= 20) {
      // A score of 1-10 as an enum: the grammar then cannot produce 11 or 0.
      const values: number[] = [];
      for (let value = Math.ceil(node.minimum); value <= node.maximum; value += 1) values.push(value);
      return { ...out, enum: values };
    }
    if (type === 'string') {
      const maxLength = typeof node.maxLength === 'number' ? node.maxLength : caps.maxStringLength;
      return { ...out, type: 'string', ...(typeof node.minLength === 'number' ? { minLength: Math.min(node.minLength, maxLength) } : {}), maxLength };
    }
    if (type === 'array') {
      const maxItems = typeof node.maxItems === 'number' ? node.maxItems : caps.maxArrayItems;
      return {
        ...out,
        type: 'array',
        items: convert(node.items),
        ...(typeof node.minItems === 'number' ? { minItems: Math.min(node.minItems, maxItems) } : {}),
        maxItems,
      };
    }
    if (type === 'object') {
      const properties = isSchema(node.properties) ? node.properties : {};
      const converted = Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, convert(value)]));
      const additional = node.additionalProperties;
      return {
        ...out,
        type: 'object',
        properties: converted,
        ...(Array.isArray(node.required) ? { required: node.required } : {}),
        // A record (z.record) has no properties: its values follow additionalProperties.
        additionalProperties: isSchema(additional) ? convert(additional) : Object.keys(converted).length === 0 && additional !== false,
      };
    }
    if (typeof type === 'string' || Array.isArray(type)) return { ...out, type };
    return { ...out, type: ['string', 'number', 'boolean', 'null'] };
  };
  return convert(schema);
}
