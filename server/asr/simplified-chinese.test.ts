import { describe, expect, it } from 'vitest';
import { toSimplifiedChinese } from './simplified-chinese.ts';

describe('toSimplifiedChinese', () => {
  it('turns the traditional characters whisper writes into simplified ones, Taiwan and Hong Kong variants alike', () => {
    expect(toSimplifiedChinese('廣州市房地產中介協會分析')).toBe('广州市房地产中介协会分析');
    expect(toSimplifiedChinese('甚至出現交易幾乎停滯的情況')).toBe('甚至出现交易几乎停滞的情况');
    expect(toSimplifiedChinese('我們在這裏討論資料庫')).toBe('我们在这里讨论资料库');
  });

  it('leaves simplified Chinese, English and mixed text as they are', () => {
    expect(toSimplifiedChinese('广州市房地产中介协会分析。')).toBe('广州市房地产中介协会分析。');
    expect(toSimplifiedChinese('We used Kafka, 然后我们用了 Redis.')).toBe('We used Kafka, 然后我们用了 Redis.');
    expect(toSimplifiedChinese('ask not what your country can do for you')).toBe('ask not what your country can do for you');
  });
});
