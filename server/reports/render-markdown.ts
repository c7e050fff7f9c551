import type { InterviewReport } from './build-report.ts';
import { answerStatusLine, consentText, evidencedSuffix, formatClock, formatDate, formatDimensionScore, formatScore, labelsOf, type RenderOptions } from './format.ts';
import { recommendationText } from './labels.ts';

/** Escapes text so Markdown shows it literally (no emphasis, links, headings, tables or raw HTML from user text). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]<>#|~&!]/g, (char) => `\\${char}`).replace(/\r?\n/g, ' ');
}

/** User text as a block quote, keeping its line breaks. */
function quoteBlock(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => `> ${line.replace(/[\\`*_{}[\]<>#|~&!]/g, (char) => `\\${char}`)}`)
    .join('\n');
}

/** Renders the report as GitHub-flavoured Markdown. */
export function renderMarkdown(report: InterviewReport, options: RenderOptions = {}): string {
  const labels = labelsOf(report);
  const { interview, summary } = report;
  const out: string[] = [];
  const title = interview.title ?? labels.untitled;
  out.push(`# ${labels.reportTitle}${labels.colon}${escapeMarkdown(title)}`, '');
  const meta: [string, string][] = [
    [labels.candidate, interview.candidateName ? escapeMarkdown(interview.candidateName) : '—'],
    [labels.role, interview.role ? escapeMarkdown(interview.role) : '—'],
    [labels.date, formatDate(interview.createdAtMs, labels, options)],
    [labels.duration, formatClock(interview.durationMs)],
    [labels.language, labels.languages[interview.language]],
    [labels.mode, labels.modes[interview.mode]],
    [labels.status, labels.statuses[interview.status] + (interview.statusMessage ? ` (${escapeMarkdown(interview.statusMessage)})` : '')],
    [labels.consent, consentText(report, labels)],
  ];
  for (const [name, value] of meta) out.push(`- **${name}**${labels.colon}${value}`);
  out.push('', `## ${labels.summary}`, '');
  out.push(
    `**${labels.recommendation}${labels.colon}${recommendationText(summary, labels)}** — ${labels.weightedOverall} ` +
      `${formatScore(summary.weightedOverall)} ${labels.outOf10}${labels.comma}${labels.fromScoredAnswers(summary.counts.scored)}`,
    '',
  );
  if (summary.dimensions.length > 0) {
    out.push(`| ${labels.dimension} | ${labels.weight} | ${labels.average} | ${labels.scoredCount} |`, '|---|---:|---:|---:|');
    for (const dimension of summary.dimensions) {
      out.push(`| ${escapeMarkdown(dimension.name)} | ${dimension.weight} | ${formatScore(dimension.average)} | ${dimension.count} |`);
    }
    out.push('');
  } else {
    out.push(labels.noScores, '');
  }
  out.push(labels.counts(summary.counts), '');
  const t = summary.thresholds;
  out.push(`_${labels.thresholds({ strongHire: t.strongHire, hire: t.hire, leanNoHire: t.leanNoHire, minScored: t.minScoredAnswers })}_`, '');

  out.push(`## ${labels.questions}`, '');
  if (interview.transcriptPurged) out.push(`_${labels.transcriptPurged}_`, '');
  else if (report.questions.length === 0) out.push(`_${labels.noTurns}_`, '');
  for (const question of report.questions) {
    const heading =
      question.text === null
        ? `${labels.questionShort(question.index)}. _${labels.questionNotCaptured}_`
        : `${labels.questionShort(question.index)}. ${escapeMarkdown(question.text)}`;
    out.push(`### ${heading}`, '');
    if (question.source === 'planned') out.push(`_(${labels.plannedByOrder})_`, '');
    else if (question.source === 'interviewer' && report.plannedQuestionCount > 0) {
      out.push(`_(${question.planned ? labels.plannedMatch(question.planned.index + 1) : labels.unplanned})_`, '');
    }
    if (question.answers.length === 0) out.push(`_${labels.noAnswer}_`, '');
    for (const answer of question.answers) {
      out.push(`**${labels.answer}** \`${formatClock(answer.startMs)}–${formatClock(answer.endMs)}\``, '', quoteBlock(answer.text), '');
      const status = answerStatusLine(answer, labels);
      if (status) out.push(`⚠ **${escapeMarkdown(status)}**`, '');
      const score = answer.status === 'scored' ? answer.score : null;
      if (score) {
        out.push(`**${labels.score}**${labels.colon}${labels.overall} ${formatScore(score.overall)} ${labels.outOf10}${evidencedSuffix(score, labels)}`, '');
        out.push(`| ${labels.dimension} | ${labels.score} | ${labels.reason} |`, '|---|---:|---|');
        for (const dimension of score.dimensions) {
          out.push(`| ${escapeMarkdown(dimension.name)} | ${formatDimensionScore(dimension.score, labels)} | ${escapeMarkdown(dimension.reason)} |`);
        }
        out.push('');
        const evidence = score.dimensions.flatMap((dimension) => dimension.evidence.map((item) => ({ dimension: dimension.name, item })));
        if (evidence.length > 0) {
          out.push(`${labels.evidence}${labels.colon.trim()}`, '');
          for (const { dimension, item } of evidence) {
            out.push(`- “${escapeMarkdown(item.quote)}” \`${formatClock(item.startMs)}\` (${escapeMarkdown(dimension)})`);
          }
          out.push('');
        }
        if (score.remark) out.push(`${labels.remark}${labels.colon}${escapeMarkdown(score.remark)}`, '');
      }
      if (answer.suggestions.length > 0) {
        out.push(`${labels.suggestions}${labels.colon.trim()}`, '');
        answer.suggestions.forEach((suggestion, index) => {
          out.push(`${index + 1}. ${escapeMarkdown(suggestion.question)} — _${labels.probes}${labels.colon}${escapeMarkdown(suggestion.probes)}_`);
        });
        out.push('');
      }
    }
  }
  if (summary.scoredBy.length > 0) out.push('---', '', `${labels.versions}${labels.colon}${summary.scoredBy.map(escapeMarkdown).join('; ')}`, '');
  out.push(`_${labels.generated(formatDate(report.generatedAtMs, labels, options))}_`, '');
  return out.join('\n');
}
