import type { InterviewReport, ReportAnswer } from './build-report.ts';
import { LABELS, type ReportLabels } from './labels.ts';

/** Options shared by the renderers. */
export interface RenderOptions {
  /** IANA time zone for dates; defaults to the server's. */
  timeZone?: string;
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function formatClock(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = String(totalSeconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** A date and time in the report's locale. */
export function formatDate(ms: number, labels: ReportLabels, options: RenderOptions): string {
  return new Intl.DateTimeFormat(labels.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: options.timeZone }).format(new Date(ms));
}

/** One decimal, as scores are shown everywhere. */
export function formatScore(value: number | null): string {
  return value === null ? '—' : value.toFixed(1);
}

/** The labels of a report's language. */
export function labelsOf(report: InterviewReport): ReportLabels {
  return LABELS[report.language];
}

/** The consent line of the header. */
export function consentText(report: InterviewReport, labels: ReportLabels): string {
  const consent = report.interview.consent;
  if (!consent) return labels.consentUnknown;
  return consent.given ? labels.consentGiven : labels.consentRefused;
}

/** The single status line of an answer that was not scored (null when it was). */
export function answerStatusLine(answer: ReportAnswer, labels: ReportLabels): string | null {
  switch (answer.status) {
    case 'failed':
      return labels.analysisFailed(answer.failure?.message ?? '?');
    case 'pending':
      return labels.notAnalysed;
    case 'no-evidence':
      return labels.noEvidenceAnswer;
    case 'not-an-answer':
      return answer.score ? labels.notScored(answer.score.label) : labels.notAnalysed;
    case 'scored':
      return answer.failure ? labels.analysisFailedAfterScore(answer.failure.message) : null;
  }
}

/** A dimension's score as a report cell: the number, or "no evidence". */
export function formatDimensionScore(score: number | null, labels: ReportLabels): string {
  return score === null ? labels.noEvidence : String(score);
}

/** After a per-answer overall: " (2 of 3 dimensions evidenced)" when some dimensions had no verified evidence, else ''. */
export function evidencedSuffix(score: { dimensions: readonly unknown[]; evidencedDimensions?: number | undefined }, labels: ReportLabels): string {
  const evidenced = score.evidencedDimensions;
  if (evidenced === undefined || evidenced >= score.dimensions.length) return '';
  return ` ${labels.fromEvidencedDimensions(evidenced, score.dimensions.length)}`;
}
