import { describe, expect, it } from 'vitest';
import { dictionaries, en, translate, zh } from './dictionary.ts';

const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n dictionary', () => {
  it('has every key in both English and Chinese, none empty', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [locale, dictionary] of Object.entries(dictionaries)) {
      for (const [key, text] of Object.entries(dictionary)) expect(text.trim(), `${locale}:${key}`).not.toBe('');
    }
  });

  it('uses the same parameters in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) expect(params(zh[key]), key).toEqual(params(en[key]));
  });

  it('Chinese text is actually translated where English has letters', () => {
    // Language names, brand text and button labels that switch language are the same on purpose.
    const same = Object.keys(en).filter((key) => en[key as keyof typeof en] === zh[key as keyof typeof en]);
    expect(same.sort()).toEqual(['setup.language.en', 'setup.language.zh']);
  });

  it('fills parameters and leaves unknown ones visible', () => {
    expect(translate('en', 'setup.uploadDone', { name: 'cv.pdf' })).toBe('Resume text filled in from cv.pdf.');
    expect(translate('zh', 'questions.progress', { covered: 1, total: 3 })).toBe('已覆盖 1 / 3');
    expect(translate('en', 'setup.uploadDone')).toBe('Resume text filled in from {name}.');
  });
});
