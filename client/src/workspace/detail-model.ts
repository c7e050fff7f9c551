import { interviewDurationMs, type InterviewDetail, type TurnDetail } from '../../../protocol/interviews.ts';
import { initialInterviewState, type InterviewState, type Turn } from '../state/interview-reducer.ts';
import type { ReportSummary } from './workspace-api.ts';

/**
 * Whether a stored turn starts an answer (its analyses are keyed by it): a candidate turn with words that is the first of
 * its answer (turns stored before answers had ids are each their own).
 */
export function isAnswerHead(turn: TurnDetail): boolean {
  return turn.channel === 'candidate' && turn.text.trim() !== '' && (turn.answerId ?? turn.turnId) === turn.turnId;
}

/** Turns of a stored interview in the shape the transcript view and score cards read. */
export function turnsOf(detail: InterviewDetail): Turn[] {
  return detail.turns.map((turn, index) => ({
    turnId: turn.turnId,
    channel: turn.channel,
    text: turn.text,
    startMs: turn.startMs,
    endMs: turn.endMs,
    isFinal: true,
    ...(turn.language ? { language: turn.language } : {}),
    segments: turn.segments,
    arrival: index,
  }));
}

/**
 * A stored interview as the live screen's state after its stop, so the review components made for it (the feedback
 * letter) read it unchanged: context, language, final turns, scores, suggestions and analysis failures.
 */
export function toInterviewState(detail: InterviewDetail): InterviewState {
  const { interview } = detail;
  const state = initialInterviewState();
  const turns: InterviewState['turns'] = {};
  for (const turn of turnsOf(detail)) turns[turn.turnId] = turn;
  const scores: InterviewState['scores'] = {};
  const followUps: InterviewState['followUps'] = {};
  const analysisErrors: InterviewState['analysisErrors'] = {};
  for (const turn of detail.turns) {
    if (turn.score) scores[turn.turnId] = turn.score;
    if (turn.suggestions) followUps[turn.turnId] = { streamText: '', suggestions: turn.suggestions.suggestions };
    if (turn.failure) analysisErrors[turn.turnId] = { code: turn.failure.code, message: turn.failure.message, retryable: false, retrying: false };
  }
  return {
    ...state,
    phase: 'review',
    sessionId: interview.id,
    language: interview.language,
    context: {
      ...(interview.title ? { title: interview.title } : {}),
      ...(interview.role ? { role: interview.role } : {}),
      ...(interview.candidateName ? { candidateName: interview.candidateName } : {}),
      ...(interview.jobDescription ? { jobDescription: interview.jobDescription } : {}),
      ...(interview.context.rubric ? { rubric: interview.context.rubric } : {}),
      ...(interview.context.plannedQuestions ? { plannedQuestions: interview.context.plannedQuestions } : {}),
    },
    startedAt: new Date(interview.createdAtMs).toISOString(),
    stoppedAt: interview.endedAtMs === null ? null : new Date(interview.endedAtMs).toISOString(),
    turns,
    scores,
    followUps,
    analysisErrors,
    arrivals: detail.turns.length,
  };
}

/** One CSV field, quoted when it must be (RFC 4180); a leading = + - @ is defused so a spreadsheet never runs it. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Columns of the ATS row, in order. */
export const CSV_COLUMNS = ['interview_id', 'candidate', 'role', 'date', 'duration_s', 'answers', 'scored', 'overall', 'recommendation', 'dimensions', 'report_url'] as const;

/** A header line and one row for an applicant tracking system: who, when, the numbers and where the full report is. */
export function csvRow(detail: InterviewDetail, report: ReportSummary | null, reportUrl: string): string {
  const { interview } = detail;
  const durationMs = interviewDurationMs(detail);
  const dimensions = (report?.summary.dimensions ?? [])
    .filter((dimension) => dimension.average !== null)
    .map((dimension) => `${dimension.name}: ${dimension.average?.toFixed(1)}`)
    .join('; ');
  const values: (string | number | null)[] = [
    interview.id,
    interview.candidateName,
    interview.role,
    new Date(interview.createdAtMs).toISOString(),
    Math.round(durationMs / 1000),
    report?.summary.counts.answers ?? null,
    report?.summary.counts.scored ?? null,
    report?.summary.weightedOverall ?? null,
    report?.summary.recommendation ?? null,
    dimensions,
    reportUrl,
  ];
  return `${CSV_COLUMNS.join(',')}\r\n${values.map(csvField).join(',')}\r\n`;
}
