import { en } from './en.ts';
import { zh } from './zh.ts';

export { en } from './en.ts';
export { zh } from './zh.ts';

/** Interface languages. */
export type Locale = 'en' | 'zh';

/** Every interface text key. */
export type MessageKey = keyof typeof en;

/** Both dictionaries by locale. */
export const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, zh };

/** Text of a key in a locale with `{name}` parameters filled in; a missing parameter stays visible as `{name}`. */
export function translate(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  const template = dictionaries[locale][key] ?? en[key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
