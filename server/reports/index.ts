import type { InterviewDetail } from '../../protocol/interviews.ts';
import { buildReport } from './build-report.ts';
import type { RenderOptions } from './format.ts';
import type { ReportLanguage } from './labels.ts';
import { renderHtml } from './render-html.ts';
import { renderMarkdown } from './render-markdown.ts';

export { buildReport, recommend, reportLanguageFor, RECOMMENDATION_THRESHOLDS, type InterviewReport } from './build-report.ts';
export { LABELS, type ReportLanguage, type Recommendation } from './labels.ts';
export { renderHtml, escapeHtml } from './render-html.ts';
export { renderMarkdown, escapeMarkdown } from './render-markdown.ts';

/** Formats a report can be rendered in. */
export type ReportFormat = 'html' | 'md' | 'json';

/** A rendered report, ready to write to a file or an HTTP reply. */
export interface RenderedReport {
  body: string;
  contentType: string;
  extension: string;
}

/** Renders an interview's report in `format` (language: the interview's, unless given). */
export function renderReport(
  detail: InterviewDetail,
  format: ReportFormat,
  options: RenderOptions & { language?: ReportLanguage; generatedAtMs?: number } = {},
): RenderedReport {
  const report = buildReport(detail, options);
  switch (format) {
    case 'html':
      return { body: renderHtml(report, options), contentType: 'text/html; charset=utf-8', extension: 'html' };
    case 'md':
      return { body: renderMarkdown(report, options), contentType: 'text/markdown; charset=utf-8', extension: 'md' };
    case 'json':
      return { body: `${JSON.stringify(report, null, 2)}\n`, contentType: 'application/json; charset=utf-8', extension: 'json' };
  }
}
