/**
 * Untrusted text (résumés, job descriptions, transcripts, names) as a JSON document for the user message of a prompt,
 * never inside the instructions. JSON string encoding escapes quotes and newlines, so no text can close its field or
 * start a line of its own; in addition every "<" that could open a chat-template control token (`<|im_start|>`,
 * `</s>`, `<think>`) is written as \u003c, so a server whose tokenizer parses special tokens in message text cannot
 * read candidate text as a turn boundary. The JSON stays valid: parsing it gives back the original text.
 */
export function untrustedJson(value: unknown): string {
  // Only string contents can hold "<" (keys are ours), and "\u003c" is a valid JSON escape for it.
  return JSON.stringify(value, null, 2).replace(/<(?=[|/\p{L}])/gu, '\\u003c');
}
