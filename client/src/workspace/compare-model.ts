import type { InterviewListItem } from '../../../protocol/interviews.ts';
import type { ReportSummary } from './workspace-api.ts';

/** Most interviews compared at once (columns that still fit at 1280 px). */
export const MAX_COMPARED = 5;

/** One candidate's column: the list row and its report. */
export interface ComparedInterview {
  item: InterviewListItem;
  report: ReportSummary;
}

/** A dimension row: its name and each column's average (null when that interview has none). */
export interface DimensionRow {
  id: string;
  name: string;
  averages: (number | null)[];
}

/** A question row: its label (the planned question, else its rank) and each column's answers to it. */
export interface QuestionRow {
  key: string;
  text: string | null;
  index: number;
  answers: ReportSummary['questions'][number]['answers'][];
}

/** Dimensions in the order they first appear across the columns, with each column's average. */
export function dimensionRows(compared: ComparedInterview[]): DimensionRow[] {
  const rows = new Map<string, DimensionRow>();
  compared.forEach((column, index) => {
    for (const dimension of column.report.summary.dimensions) {
      const row = rows.get(dimension.id) ?? { id: dimension.id, name: dimension.name, averages: compared.map(() => null) };
      row.averages[index] = dimension.average;
      rows.set(dimension.id, row);
    }
  });
  return [...rows.values()];
}

/**
 * Answers to the same question next to each other: a planned question is the same question in every interview that
 * asked it (matched by what the interviewer said, whatever the order they asked in); other blocks line up by their
 * rank in the interview ("question 2").
 */
export function questionRows(compared: ComparedInterview[]): QuestionRow[] {
  const rows = new Map<string, QuestionRow>();
  compared.forEach((column, index) => {
    for (const question of column.report.questions) {
      if (question.answers.length === 0) continue;
      const planned = question.planned?.text ?? null;
      const key = planned !== null ? `planned:${planned}` : `rank:${question.index}`;
      const row = rows.get(key) ?? { key, text: planned, index: question.index, answers: compared.map(() => []) };
      row.answers[index] = [...(row.answers[index] ?? []), ...question.answers];
      rows.set(key, row);
    }
  });
  // Planned questions first (in the order first seen), then the rest by rank.
  return [...rows.values()].sort((a, b) => Number(b.text !== null) - Number(a.text !== null) || (a.text !== null ? 0 : a.index - b.index));
}
