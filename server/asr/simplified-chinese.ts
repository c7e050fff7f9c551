import * as OpenCC from 'opencc-js/t2cn';

/**
 * Traditional → simplified Chinese for transcripts. Even with a zh prompt, whisper writes traditional characters for
 * part of Mandarin speech (廣州市 for 广州市 on an AISHELL clip), and Viva's Chinese prompts, quotes and reports are in
 * simplified characters: a quote the LLM copies in simplified form must be found in the transcript. OpenCC's character
 * tables (Taiwan and Hong Kong variants to mainland simplified) do the work, not a hand-made list.
 */
type Convert = (text: string) => string;

let converters: Convert[] | undefined;

/** The text with traditional (Taiwan or Hong Kong variant) characters replaced by simplified ones; other text unchanged. */
export function toSimplifiedChinese(text: string): string {
  if (!/[\u3400-\u9fff\uf900-\ufaff]/.test(text)) return text;
  // Built on first use: the dictionaries take a few milliseconds to load, and English-only servers never need them.
  converters ??= [OpenCC.Converter({ from: 'tw', to: 'cn' }), OpenCC.Converter({ from: 'hk', to: 'cn' })];
  return converters.reduce((converted, convert) => convert(converted), text);
}
