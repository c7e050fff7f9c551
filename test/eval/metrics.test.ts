import { describe, expect, it } from 'vitest';
import { CaseKind, expandCaseFile, loadCases } from './cases.ts';
import { computeMetrics, metricRows, orderingOf, repeatabilityOf, shiftOf, type CaseResult } from './metrics.ts';
import { formatComparison, parseRun } from './report.ts';

/** A canned result: only what a metric reads. */
function result(caseId: string, kind: CaseKind, overall: number | null, extra: Partial<CaseResult> = {}): CaseResult {
  const [group = 'g'] = caseId.split('/');
  return {
    caseId,
    group,
    kind,
    language: 'en',
    repeat: 0,
    label: overall === null && !['strong', 'medium', 'vague', 'injection', 'name-swap'].includes(kind) ? (kind === 'empty' ? 'empty' : 'non-answer') : 'answer',
    overall,
    dimensions: overall === null ? {} : { depth: Math.round(overall) },
    quotes: { claimed: 2, verified: 1 },
    durationMs: 1000,
    ...extra,
  };
}

describe('eval metrics (canned results)', () => {
  it('orders strong > medium > vague pairwise, an unscored answer ranking lowest', () => {
    const ordering = orderingOf([
      result('a/strong', 'strong', 8),
      result('a/medium', 'medium', 6),
      result('a/vague', 'vague', 3),
      result('b/strong', 'strong', 5),
      result('b/medium', 'medium', 7),
      result('b/vague', 'vague', null, { label: 'answer' }),
      // A question without a vague answer is not counted.
      result('c/strong', 'strong', 9),
    ]);
    expect(ordering).toEqual({ groups: 2, ordered: 1, pairs: 6, pairsCorrect: 5 });
  });

  it('counts a case identical on repeat only when label, overall and every dimension agree', () => {
    const repeat = repeatabilityOf([
      result('a/strong', 'strong', 8),
      result('a/strong', 'strong', 8, { repeat: 1 }),
      result('a/medium', 'medium', 6),
      result('a/medium', 'medium', 6, { repeat: 1, dimensions: { depth: 5 } }),
      result('a/vague', 'vague', 3),
      // A failed repeat is left out rather than counted as a difference.
      result('a/vague', 'vague', null, { repeat: 1, error: 'timeout', label: null }),
    ]);
    expect(repeat).toEqual({ compared: 2, identical: 1 });
  });

  it('measures how variants move against their original, and counts scored/unscored flips', () => {
    const originals = new Map([
      ['a/medium', result('a/medium', 'medium', 5)],
      ['b/medium', result('b/medium', 'medium', 6)],
      ['c/medium', result('c/medium', 'medium', null, { label: 'answer' })],
    ]);
    const shift = shiftOf(
      [
        result('a/injection', 'injection', 7, { of: 'a/medium' }),
        result('b/injection', 'injection', 5, { of: 'b/medium' }),
        result('c/injection', 'injection', 9, { of: 'c/medium' }),
        result('d/injection', 'injection', 9, { of: 'd/missing' }),
      ],
      originals,
    );
    expect(shift).toEqual({ pairs: 3, compared: 2, meanDelta: 0.5, meanAbsDelta: 1.5, maxAbsDelta: 2, raised: 2, changedState: 1 });
  });

  it('computes label accuracy, evidence share and headline rows from a whole run', () => {
    const metrics = computeMetrics([
      result('a/strong', 'strong', 8),
      result('a/medium', 'medium', 6),
      result('a/vague', 'vague', 4),
      result('a/none', 'non-answer', null),
      result('a/noise', 'gibberish', null, { label: 'non-answer' }),
      result('a/off', 'off-topic', 5, { label: 'answer' }),
      result('a/silence', 'empty', null, { quotes: null }),
      result('a/strong', 'strong', 8, { repeat: 1, quotes: { claimed: 10, verified: 0 } }),
    ]);
    expect(metrics.nonAnswers).toEqual({ total: 4, exact: 2, keptOut: 3 });
    expect(metrics.answers).toEqual({ total: 3, scored: 3 });
    // Repeats do not count twice in the evidence share.
    expect(metrics.evidence).toEqual({ claimed: 12, verified: 6 });
    const rows = Object.fromEntries(metricRows(metrics).map((row) => [row.name, row.value]));
    expect(rows['non-answers labelled exactly']).toBe(50);
    expect(rows['non-answers kept out of scoring']).toBe(75);
    expect(rows['evidence quotes that verify']).toBe(50);
    expect(rows['strong > medium > vague (pairs)']).toBe(100);
    expect(rows['identical on repeat']).toBe(100);
    expect(rows['injection: mean overall change']).toBeNull();
  });

  it('compares two saved runs figure by figure', () => {
    const save = (overall: number) =>
      JSON.stringify({
        evalVersion: 1,
        startedAt: '2026-12-04T00:00:00Z',
        durationMs: 1000,
        llm: { kind: 'embedded', model: `m${overall}`, location: 'x' },
        promptVersions: ['answer-score@2'],
        repeat: 1,
        results: [result('a/strong', 'strong', overall), result('a/medium', 'medium', 6), result('a/vague', 'vague', 4)],
      });
    const text = formatComparison(parseRun(save(5), 'a.json'), parseRun(save(8), 'b.json'));
    expect(text).toContain('a: m5 · answer-score@2');
    expect(text).toMatch(/\| strong > medium > vague \(pairs\) *\| 66\.7 % *\| 100\.0 % *\| \+33\.3 *\|/);
    expect(() => parseRun('{"results": []}', 'bad.json')).toThrow(/bad\.json is not an eval result file/);
  });
});

describe('eval cases', () => {
  it('ships cases in English and Chinese covering every kind, each variant naming a case of its own question', () => {
    const cases = loadCases();
    expect(new Set(cases.map((entry) => entry.language))).toEqual(new Set(['en', 'zh']));
    expect(new Set(cases.map((entry) => entry.kind))).toEqual(new Set(CaseKind.options));
    const ids = new Set(cases.map((entry) => entry.id));
    for (const entry of cases) if (entry.of !== undefined) expect(ids.has(entry.of), entry.id).toBe(true);
    for (const group of new Set(cases.map((entry) => entry.group))) {
      const kinds = cases.filter((entry) => entry.group === group).map((entry) => entry.kind);
      expect(kinds, group).toEqual(expect.arrayContaining(['strong', 'medium', 'vague', 'name-swap']));
    }
  });

  it('lets a variant inherit its original text and override the résumé', () => {
    const [original, swap] = expandCaseFile({
      id: 'q',
      language: 'en',
      role: 'r',
      jobDescription: 'jd',
      resume: 'Jane',
      question: 'q?',
      answers: [
        { id: 'strong', kind: 'strong', text: 'An answer.' },
        { id: 'swap', kind: 'name-swap', of: 'strong', resume: 'John' },
      ],
    });
    expect(original).toMatchObject({ id: 'q/strong', resume: 'Jane', text: 'An answer.' });
    expect(swap).toMatchObject({ id: 'q/swap', of: 'q/strong', resume: 'John', text: 'An answer.' });
  });
});
