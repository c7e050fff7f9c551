import { isUnevidencedAnswer, type AnswerScore, type FollowUpSuggestion } from '../../../protocol/index.ts';
import type { Translate } from '../i18n/i18n.tsx';
import { coveredQuestions } from './question-coverage.ts';
import { effectiveChannel, orderedTurns, type InterviewState } from './interview-reducer.ts';

/** `mm:ss` (or `h:mm:ss`) from milliseconds since the session started. */
export function formatClock(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const mmss = `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
  return hours > 0 ? `${hours}:${mmss}` : mmss;
}

/** Version of the export file layout. */
export const EXPORT_FORMAT = 'viva-interview-export/1';

/** Everything captured in one interview, as written to the JSON export. */
export interface InterviewExport {
  format: typeof EXPORT_FORMAT;
  exportedAt: string;
  sessionId: string | null;
  startedAt: string | null;
  stoppedAt: string | null;
  language: string;
  captureMode: string;
  context: InterviewState['context'];
  turns: {
    turnId: string;
    speaker: string;
    /** The channel the server saw, when the interviewer corrected the speaker. */
    originalChannel?: string;
    text: string;
    final: boolean;
    startMs: number;
    endMs: number;
    language?: string;
    score?: AnswerScore;
    followUps?: FollowUpSuggestion[];
    analysisError?: { code: string; message: string };
  }[];
  plannedQuestions: { id: string; text: string; covered: boolean; manual: boolean }[];
  audioGaps: InterviewState['gaps'];
  stopResult: InterviewState['stopResult'];
  stopError: InterviewState['stopError'];
}

/** Builds the JSON export of what this screen captured. */
export function buildExport(state: InterviewState, exportedAt: Date): InterviewExport {
  const questions = state.context.plannedQuestions ?? [];
  const coverage = coveredQuestions(questions, state);
  return {
    format: EXPORT_FORMAT,
    exportedAt: exportedAt.toISOString(),
    sessionId: state.sessionId,
    startedAt: state.startedAt,
    stoppedAt: state.stoppedAt,
    language: state.language,
    captureMode: state.captureMode,
    context: state.context,
    turns: orderedTurns(state.turns).map((turn) => {
      const speaker = effectiveChannel(state, turn);
      const score = state.scores[turn.turnId];
      const followUps = state.followUps[turn.turnId]?.suggestions ?? undefined;
      const error = state.analysisErrors[turn.turnId];
      return {
        turnId: turn.turnId,
        speaker,
        ...(speaker !== turn.channel ? { originalChannel: turn.channel } : {}),
        text: turn.text,
        final: turn.isFinal,
        startMs: turn.startMs,
        endMs: turn.endMs,
        ...(turn.language ? { language: turn.language } : {}),
        ...(score ? { score } : {}),
        ...(followUps ? { followUps } : {}),
        ...(error ? { analysisError: { code: error.code, message: error.message } } : {}),
      };
    }),
    plannedQuestions: questions.map((q) => ({ id: q.id, text: q.text, covered: coverage[q.id]?.covered ?? false, manual: coverage[q.id]?.manual ?? false })),
    audioGaps: state.gaps,
    stopResult: state.stopResult,
    stopError: state.stopError,
  };
}

/** Mean overall score of the scored answers, or null when none was scored. */
export function meanOverall(state: Pick<InterviewState, 'scores'>): number | null {
  const values = Object.values(state.scores)
    .map((s) => s.overall)
    .filter((v): v is number => v !== null);
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Mean score per rubric dimension name across scored answers. */
export function dimensionMeans(state: Pick<InterviewState, 'scores'>): { id: string; name: string; mean: number; count: number }[] {
  const byId = new Map<string, { name: string; sum: number; count: number }>();
  for (const score of Object.values(state.scores)) {
    for (const d of score.dimensions) {
      if (d.score === null) continue;
      const entry = byId.get(d.id) ?? { name: d.name, sum: 0, count: 0 };
      entry.sum += d.score;
      entry.count += 1;
      byId.set(d.id, entry);
    }
  }
  return [...byId.entries()].map(([id, e]) => ({ id, name: e.name, mean: e.sum / e.count, count: e.count }));
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** Builds a readable Markdown report in the interface language. */
export function buildMarkdown(state: InterviewState, t: Translate, exportedAt: Date): string {
  const lines: string[] = [];
  lines.push(`# ${state.context.title || t('review.untitled')}`, '');
  if (state.context.role) lines.push(`**${t('export.role')}:** ${state.context.role}  `);
  lines.push(t('export.generated', { date: exportedAt.toISOString() }), '');
  const mean = meanOverall(state);
  lines.push(
    t('review.summary', { turns: Object.keys(state.turns).length, answers: Object.keys(state.scores).length, mean: mean === null ? '—' : mean.toFixed(1) }),
    '',
  );
  const means = dimensionMeans(state);
  if (means.length > 0) {
    lines.push(`## ${t('review.dimensionMeans')}`, '');
    for (const m of means) lines.push(`- ${m.name}: ${m.mean.toFixed(1)}/10 (${m.count})`);
    lines.push('');
  }
  lines.push(`## ${t('export.transcript')}`, '');
  for (const turn of orderedTurns(state.turns)) {
    const speaker = t(`channel.${effectiveChannel(state, turn)}`);
    lines.push(`**[${formatClock(turn.startMs)}] ${speaker}:** ${turn.text}`, '');
    const score = state.scores[turn.turnId];
    if (score) {
      const overall =
        score.overall !== null
          ? `${t('score.overall')} ${score.overall.toFixed(1)}/10`
          : isUnevidencedAnswer(score)
            ? t('score.unevidenced')
            : t(`score.label.${score.label}`);
      lines.push(`> ${overall}${score.remark ? ` — ${score.remark}` : ''}`, '');
      if (score.dimensions.length > 0) {
        lines.push(`| ${t('export.scoreTable')} |`, '| --- | --- | --- |');
        for (const d of score.dimensions) lines.push(`| ${cell(d.name)} | ${d.score === null ? t('score.noEvidence') : `${d.score}/10`} | ${cell(d.reason)} |`);
        lines.push('');
      }
      lines.push(`<sub>${t('score.versions', { model: score.model, prompt: score.promptVersion, rubric: score.rubricVersion })}</sub>`, '');
    }
    const suggestions = state.followUps[turn.turnId]?.suggestions;
    if (suggestions && suggestions.length > 0) {
      lines.push(`*${t('review.suggestions')}:*`, '');
      for (const s of suggestions) {
        lines.push(`- ${s.question}`);
        if (s.buildsOn) lines.push(`  - ${t('followup.buildsOn')}: “${s.buildsOn}”`);
        lines.push(`  - ${t('followup.probes')}: ${s.probes}`);
      }
      lines.push('');
    }
    const error = state.analysisErrors[turn.turnId];
    if (error) lines.push(`> ${t('analysis.failed', { message: `${error.code}: ${error.message}` })}`, '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Saves text as a file through a temporary link (no server round trip). */
export function downloadText(filename: string, text: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${mimeType};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** File name stem from the title and start date, safe on every OS. */
export function exportFileStem(state: Pick<InterviewState, 'context' | 'startedAt'>): string {
  const title = (state.context.title ?? 'interview').replace(/[\\/:*?"<>|\s]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'interview';
  const date = (state.startedAt ?? new Date().toISOString()).slice(0, 16).replace(/[:T]/g, '-');
  return `viva-${title}-${date}`;
}
