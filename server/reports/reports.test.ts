import { launchChromium } from '../../test/helpers/browser.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chineseInterviewDetail, englishInterviewDetail } from '../../test/fixtures/interview-detail.ts';
import { buildReport, recommend, renderHtml, renderMarkdown, renderReport, RECOMMENDATION_THRESHOLDS } from './index.ts';

const OUTPUT_DIR = path.resolve('test-output');
const GENERATED_AT = Date.UTC(2026, 2, 14, 8, 0, 0);
const render = { timeZone: 'Asia/Shanghai', generatedAtMs: GENERATED_AT };

describe('report model', () => {
  it('maps the weighted overall to a recommendation at the documented thresholds', () => {
    const { strongHire, hire, leanNoHire, minScoredAnswers } = RECOMMENDATION_THRESHOLDS;
    expect(recommend(strongHire, 5)).toBe('strong-hire');
    expect(recommend(strongHire - 0.01, 5)).toBe('hire');
    expect(recommend(hire, 5)).toBe('hire');
    expect(recommend(hire - 0.01, 5)).toBe('lean-no-hire');
    expect(recommend(leanNoHire, 5)).toBe('lean-no-hire');
    expect(recommend(leanNoHire - 0.01, 5)).toBe('no-hire');
    expect(recommend(9.5, minScoredAnswers - 1)).toBe('insufficient-evidence');
    expect(recommend(null, 10)).toBe('insufficient-evidence');
  });

  it('shows one answer per question (a split answer is one answer, scored once) and summarises with rubric weights', () => {
    const report = buildReport(chineseInterviewDetail(), { generatedAtMs: GENERATED_AT });
    expect(report.language).toBe('zh');
    expect(report.questions.map((q) => [q.source, q.answers.map((a) => `${a.turnIds.join('+')}:${a.status}`)])).toEqual([
      ['interviewer', ['c1:scored']],
      ['interviewer', ['c2+c3:scored']],
      ['interviewer', ['c4:not-an-answer']],
      ['interviewer', ['c5:scored']],
      ['interviewer', ['c6:failed']],
      ['interviewer', []],
    ]);
    expect(report.questions[1]?.answers[0]?.text).toBe('有一次校验任务把主库的连接池打满了，我们花了二十分钟定位。 后来我们给校验任务加了限流，并且放到了只读副本上。');
    expect(report.summary.dimensions).toEqual([
      { id: 'depth', name: '技术深度', weight: 2, average: 7.3, count: 3 },
      { id: 'communication', name: '表达', weight: 1, average: 7.3, count: 3 },
      { id: 'ownership', name: '主人翁意识', weight: 1, average: 8.7, count: 3 },
    ]);
    // (22/3 * 2 + 22/3 + 26/3) / 4 = 7.67
    expect(report.summary.weightedOverall).toBe(7.7);
    expect(report.summary.recommendation).toBe('hire');
    expect(report.summary.counts).toEqual({ answers: 5, scored: 3, noEvidence: 0, notAnswers: 1, failed: 1, pending: 0 });
  });

  it('uses planned questions by order when no interviewer turn was captured, and says when evidence is thin', () => {
    const report = buildReport(englishInterviewDetail());
    expect(report.language).toBe('en');
    expect(report.questions.map((q) => [q.source, q.text])).toEqual([
      ['planned', 'Walk me through a migration you led.'],
      ['none', null],
    ]);
    expect(report.summary.recommendation).toBe('insufficient-evidence');
    expect(report.summary.weightedOverall).toBe(7.7);
  });

  it('matches each asked question to the planned one by its words, whatever the order, and shows an unplanned one as asked', () => {
    const detail = chineseInterviewDetail();
    detail.interview.context.plannedQuestions = [
      { id: 'q1', text: '讲讲你做过的最复杂的数据迁移' },
      { id: 'q2', text: '线上事故你是怎么处理的？' },
      { id: 'q3', text: '和产品意见不一致的时候你怎么办？' },
    ];
    const report = buildReport(detail, { generatedAtMs: GENERATED_AT });
    // Asked: the migration (q1), an incident in other words (q2), something unplanned, the product disagreement (q3).
    expect(report.questions.map((q) => q.planned?.index ?? null)).toEqual([0, 1, null, 2, null, null]);
    expect(report.questions[2]).toMatchObject({ source: 'interviewer', text: expect.stringContaining('<script>'), planned: null });
    const md = renderMarkdown(report, render);
    expect(md).toContain('_(计划问题 3)_');
    expect(md).toContain('_(计划外的问题)_');
    expect(md).not.toContain('按顺序对应');
  });

  it('matches English questions asked in another order than planned', () => {
    const detail = englishInterviewDetail();
    detail.interview.context.plannedQuestions = [
      { id: 'q1', text: 'Walk me through a migration you led.' },
      { id: 'q2', text: 'How do you test a payment system?' },
    ];
    detail.turns = [
      { ...detail.turns[0]!, turnId: 'i1', channel: 'interviewer', text: 'First, how would you go about testing a payments system?', startMs: 0, endMs: 1_500, score: null, failure: null },
      { ...detail.turns[0]!, turnId: 'c1', startMs: 2_000, endMs: 20_000 },
      { ...detail.turns[0]!, turnId: 'i2', channel: 'interviewer', text: 'Great. Now walk me through the biggest migration you have led.', startMs: 21_000, endMs: 23_000, score: null, failure: null },
      { ...detail.turns[1]!, turnId: 'c2', startMs: 24_000, endMs: 40_000 },
    ];
    const report = buildReport(detail);
    expect(report.questions.map((q) => [q.source, q.planned?.index])).toEqual([
      ['interviewer', 1],
      ['interviewer', 0],
    ]);
    expect(renderHtml(report, render)).toContain('data-planned="2"');
  });

  it('picks the report language from the turns when the interview language is auto', () => {
    const detail = chineseInterviewDetail();
    detail.interview.language = 'auto';
    expect(buildReport(detail).language).toBe('zh');
    expect(buildReport(detail, { language: 'en' }).language).toBe('en');
  });
});

describe('scores bound to evidence in reports', () => {
  /** The Chinese interview with c1's "communication" left without evidence and c2 an answer with no verified evidence. */
  function withUnevidenced() {
    const detail = chineseInterviewDetail();
    for (const turn of detail.turns) {
      if (!turn.score) continue;
      if (turn.turnId === 'c1') {
        turn.score.dimensions = turn.score.dimensions.map((d) => (d.id === 'communication' ? { ...d, score: null, reason: '无依据', evidence: [] } : d));
        turn.score.evidencedDimensions = 2;
      }
      if (turn.turnId === 'c2') {
        turn.score = { ...turn.score, overall: null, evidencedDimensions: 0, dimensions: turn.score.dimensions.map((d) => ({ ...d, score: null, evidence: [] })) };
      }
    }
    return detail;
  }

  it('leaves dimensions without evidence out of the averages and counts unevidenced answers apart', () => {
    const report = buildReport(withUnevidenced(), { generatedAtMs: GENERATED_AT });
    expect(report.questions[1]?.answers.map((a) => a.status)).toEqual(['no-evidence']);
    expect(report.summary.counts).toMatchObject({ scored: 2, noEvidence: 1 });
    expect(report.summary.dimensions.find((d) => d.id === 'communication')).toMatchObject({ count: 1, average: 8 });
  });

  it('prints "no evidence" instead of a number, in both languages', () => {
    const zh = renderMarkdown(buildReport(withUnevidenced(), render), render);
    expect(zh).toContain('| 表达 | 无依据 |');
    expect(zh).toContain('（3 个维度中 2 个有依据）');
    expect(zh).toContain('⚠ **未评分：引用的依据都不在转写中**');
    const en = renderHtml(buildReport(withUnevidenced(), { ...render, language: 'en' }), render);
    expect(en).toContain('<td class="num">no evidence</td>');
    expect(en).toContain('Not scored: none of the quoted evidence is in the transcript');
  });
});

describe('report rendering', () => {
  it('writes Markdown in the interview language with failures shown as such and user text escaped', () => {
    const md = renderMarkdown(buildReport(chineseInterviewDetail(), render), render);
    expect(md).toContain('# 面试报告：后端工程师（支付方向）二面');
    expect(md).toContain('**建议：推荐录用** — 加权总分 7.7 / 10，基于 3 个已评分回答');
    expect(md).toContain('⚠ **分析失败：the model returned JSON that failed validation twice — 未评分**');
    // c3's failure predates its grouping into c2's answer: not the answer's.
    expect(md).not.toContain('模型 60 秒内没有返回');
    expect(md).toContain('⚠ **未评分：未作答**');
    expect(md).toContain('张伟 \\<zhang.wei@example.com\\>');
    expect(md).toContain('\\<script\\>alert("xss")\\</script\\>');
    expect(md).toContain('| 技术深度 | 2 | 7.3 | 3 |');
    const en = renderMarkdown(buildReport(englishInterviewDetail(), render), render);
    expect(en).toContain('**Recommendation: Insufficient evidence**');
    expect(en).toContain('kept \\*both\\* writes');
    expect(en).toContain('Analysis failed: the LLM server at http://gpu-box:8000 refused the connection — not scored');
  });

  it('writes self-contained HTML with every user string escaped', () => {
    const html = renderHtml(buildReport(chineseInterviewDetail(), render), render);
    expect(html).toMatch(/^<!doctype html>\n<html lang="zh-CN">/);
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
    expect(html).toContain('&#60;script&#62;alert(&#34;xss&#34;)&#60;/script&#62;');
    expect(html).toContain('分析失败：the model returned JSON that failed validation twice — 未评分');
    expect(html).toContain('data-recommendation="hire"');
    const json = JSON.parse(renderReport(chineseInterviewDetail(), 'json', render).body) as { summary: { weightedOverall: number } };
    expect(json.summary.weightedOverall).toBe(7.7);
  });
});

describe('report in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
    await mkdir(OUTPUT_DIR, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each([
    ['zh', chineseInterviewDetail],
    ['en', englishInterviewDetail],
  ] as const)('renders the %s report without overflow, scripts or outside requests, on screen and in print', async (language, fixture) => {
    const html = renderReport(fixture(), 'html', render).body;
    const file = path.join(OUTPUT_DIR, `report-${language}.html`);
    await writeFile(file, html);
    const context = await browser.newContext({ viewport: { width: 900, height: 1200 } });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) requests.push(request.url());
    });
    await page.goto(`file://${file}`);

    for (const width of [900, 390]) {
      await page.setViewportSize({ width, height: 1200 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `horizontal overflow at ${width}px`).toBeLessThanOrEqual(0);
    }
    await page.setViewportSize({ width: 900, height: 1200 });
    expect(requests).toEqual([]);
    expect(await page.locator('script').count()).toBe(0);
    // The escaped <script> is shown as text.
    if (language === 'zh') await expect(page.getByText('<script>alert("xss")</script>', { exact: false }).count()).resolves.toBe(1);
    const failed = page.locator('.answer[data-status="failed"] .status.failed');
    expect(await failed.count()).toBe(1);
    // Long answers wrap inside their card.
    const widths = await page.locator('.answer .text').evaluateAll((nodes) => nodes.map((node) => [node.scrollWidth, node.clientWidth]));
    for (const [scrollWidth, clientWidth] of widths) expect(scrollWidth).toBeLessThanOrEqual(clientWidth ?? 0);

    await page.screenshot({ path: path.join(OUTPUT_DIR, `report-${language}.png`), fullPage: true });
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ path: path.join(OUTPUT_DIR, `report-${language}.pdf`), format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await context.close();
  });
});
