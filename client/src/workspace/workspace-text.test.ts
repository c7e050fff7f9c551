import { describe, expect, it } from 'vitest';
import { workspaceEn, workspaceTranslate, workspaceZh } from './workspace-text.ts';

const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('workspace dictionary', () => {
  it('has every key in English and Chinese, none empty, with the same parameters', () => {
    expect(Object.keys(workspaceZh).sort()).toEqual(Object.keys(workspaceEn).sort());
    for (const key of Object.keys(workspaceEn) as (keyof typeof workspaceEn)[]) {
      expect(workspaceZh[key].trim(), key).not.toBe('');
      expect(params(workspaceZh[key]), key).toEqual(params(workspaceEn[key]));
    }
  });

  it('translates where English has words (only the pure format strings are the same)', () => {
    const same = Object.keys(workspaceEn).filter((key) => workspaceEn[key as keyof typeof workspaceEn] === workspaceZh[key as keyof typeof workspaceEn]);
    expect(same).toEqual(['ws.meta', 'ws.processing']);
    expect(workspaceTranslate('zh', 'ws.scoring', { done: 3, total: 5 })).toBe('评分中 3 / 5…');
  });
});
