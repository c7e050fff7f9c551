import { recommendationText, type Recommendation } from './labels.ts';
import type { InterviewReport, ReportAnswer, ReportQuestion } from './build-report.ts';
import { answerStatusLine, consentText, evidencedSuffix, formatClock, formatDate, formatDimensionScore, formatScore, labelsOf, type RenderOptions } from './format.ts';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const RECOMMENDATION_CLASS: Record<Recommendation, string> = {
  'strong-hire': 'rec-strong',
  hire: 'rec-hire',
  'lean-no-hire': 'rec-lean-no',
  'no-hire': 'rec-no',
  'insufficient-evidence': 'rec-insufficient',
  scoring: 'rec-insufficient',
};

// Inline and self-contained: the file must render the same when mailed, archived or printed offline.
const STYLE = `
:root { --ink: #1d2430; --muted: #5b6575; --line: #d9dee7; --soft: #f4f6f9; --accent: #2457c5;
  --good: #1c7c4a; --ok: #3c8d2f; --warn: #b26a00; --bad: #b3261e; --none: #6b7280; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #fff; color: var(--ink);
  font: 15px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "Noto Sans SC",
    "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", sans-serif; }
main { max-width: 900px; margin: 0 auto; padding: 32px 28px 48px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 4px; overflow-wrap: anywhere; }
.kicker { color: var(--muted); font-size: 13px; letter-spacing: .04em; text-transform: uppercase; margin: 0 0 6px; }
h2 { font-size: 19px; margin: 32px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 0; line-height: 1.45; overflow-wrap: anywhere; }
.meta { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 6px 20px; margin: 16px 0 0;
  padding: 14px 16px; background: var(--soft); border-radius: 8px; }
.meta div { min-width: 0; }
.meta dt { color: var(--muted); font-size: 12px; }
.meta dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.verdict { display: flex; flex-wrap: wrap; align-items: center; gap: 16px 28px; padding: 16px 18px; border: 1px solid var(--line);
  border-radius: 10px; }
.badge { display: inline-block; padding: 6px 14px; border-radius: 999px; color: #fff; font-weight: 700; font-size: 16px; }
.rec-strong { background: var(--good); } .rec-hire { background: var(--ok); } .rec-lean-no { background: var(--warn); }
.rec-no { background: var(--bad); } .rec-insufficient { background: var(--none); }
.overall { font-size: 30px; font-weight: 700; } .overall small { font-size: 14px; color: var(--muted); font-weight: 500; }
.basis { color: var(--muted); }
table { width: 100%; border-collapse: collapse; margin: 12px 0; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: break-word; }
table.scores { table-layout: fixed; }
table.scores col.name { width: 24%; } table.scores col.score { width: 64px; }
th { color: var(--muted); font-weight: 600; font-size: 12px; }
td.num, th.num { text-align: right; white-space: nowrap; width: 1%; }
.bar { width: 100%; min-width: 32px; max-width: 180px; height: 8px; background: var(--soft); border-radius: 4px; overflow: hidden; }
td.meter { width: 35%; vertical-align: middle; }
.bar span { display: block; height: 100%; background: var(--accent); }
.note { color: var(--muted); font-size: 13px; }
.question { border: 1px solid var(--line); border-radius: 10px; margin: 16px 0; overflow: hidden; }
.question > header { display: flex; gap: 12px; align-items: baseline; padding: 12px 16px; background: var(--soft); }
.qnum { flex: none; font-weight: 700; color: var(--accent); }
.qsource { display: block; font-size: 12px; font-weight: 500; color: var(--muted); margin-top: 2px; }
.missing { color: var(--muted); font-style: italic; font-weight: 500; }
.answer { padding: 12px 16px 14px; border-top: 1px solid var(--line); }
.question > header + .answer { border-top: 0; }
.answer-head { display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; font-size: 13px; color: var(--muted); }
.answer-head strong { color: var(--ink); font-size: 14px; }
.score-pill { margin-left: auto; font-weight: 700; color: var(--ink); background: var(--soft); border-radius: 6px; padding: 1px 8px; }
.text { margin: 6px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; word-break: normal; line-break: auto; }
.status { margin: 10px 0 0; padding: 8px 12px; border-radius: 6px; font-size: 14px; }
.status.failed { background: #fdecea; color: var(--bad); border-left: 4px solid var(--bad); }
.status.info { background: var(--soft); color: var(--muted); border-left: 4px solid var(--none); }
.evidence { margin: 6px 0 0; padding-left: 18px; font-size: 14px; }
.evidence li { overflow-wrap: anywhere; }
.evidence q { font-style: italic; }
:lang(zh) .evidence q { font-style: normal; }
.time { font-variant-numeric: tabular-nums; color: var(--muted); font-size: 12px; }
.sub { font-size: 13px; font-weight: 600; margin: 12px 0 2px; color: var(--muted); }
.suggestions { margin: 4px 0 0; padding-left: 20px; font-size: 14px; }
.suggestions li { overflow-wrap: anywhere; margin: 2px 0; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 10px; overflow-wrap: anywhere; }
@media (max-width: 560px) {
  main { padding: 20px 14px 32px; }
  .meta { grid-template-columns: 1fr 1fr; }
  th, td { padding: 6px 4px; }
  th.meter, td.meter { display: none; }
  table.scores col.name { width: 38%; } table.scores col.score { width: 44px; }
  .answer, .question > header { padding-left: 12px; padding-right: 12px; }
}
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  .verdict, .meta, table, .answer-head, .status { break-inside: avoid; }
  .question > header { break-after: avoid; }
  .question { border-color: #bbb; }
  a { color: inherit; text-decoration: none; }
}
`;

function answerHtml(answer: ReportAnswer, report: InterviewReport): string {
  const labels = labelsOf(report);
  const parts: string[] = [];
  const score = answer.status === 'scored' ? answer.score : null;
  parts.push(
    `<div class="answer-head"><strong>${escapeHtml(labels.answer)}</strong>` +
      `<span class="time">${formatClock(answer.startMs)}–${formatClock(answer.endMs)}</span>` +
      (score ? `<span class="score-pill">${escapeHtml(labels.overall)} ${formatScore(score.overall)}${escapeHtml(evidencedSuffix(score, labels))}</span>` : '') +
      '</div>',
  );
  parts.push(`<p class="text">${escapeHtml(answer.text)}</p>`);
  const status = answerStatusLine(answer, labels);
  if (status) {
    const kind = answer.status === 'failed' || answer.failure ? 'failed' : 'info';
    parts.push(`<p class="status ${kind}" role="note">${escapeHtml(status)}</p>`);
  }
  if (score && score.dimensions.length > 0) {
    const rows = score.dimensions
      .map(
        (dimension) =>
          `<tr><td>${escapeHtml(dimension.name)}</td><td class="num">${escapeHtml(formatDimensionScore(dimension.score, labels))}</td><td>${escapeHtml(dimension.reason)}` +
          (dimension.evidence.length > 0
            ? `<ul class="evidence">${dimension.evidence
                .map((item) => `<li><q>${escapeHtml(item.quote)}</q> <span class="time">${formatClock(item.startMs)}</span></li>`)
                .join('')}</ul>`
            : '') +
          '</td></tr>',
      )
      .join('');
    parts.push(
      `<table class="scores"><colgroup><col class="name"><col class="score"><col></colgroup><thead><tr><th>${escapeHtml(labels.dimension)}</th><th class="num">${escapeHtml(labels.score)}</th>` +
        `<th>${escapeHtml(labels.reason)} · ${escapeHtml(labels.evidence)}</th></tr></thead><tbody>${rows}</tbody></table>`,
    );
    if (score.remark) parts.push(`<p class="note">${escapeHtml(labels.remark)}${labels.colon}${escapeHtml(score.remark)}</p>`);
  }
  if (answer.suggestions.length > 0) {
    parts.push(
      `<p class="sub">${escapeHtml(labels.suggestions)}</p><ol class="suggestions">` +
        answer.suggestions
          .map((s) => `<li>${escapeHtml(s.question)} <span class="note">— ${escapeHtml(labels.probes)}${labels.colon}${escapeHtml(s.probes)}</span></li>`)
          .join('') +
        '</ol>',
    );
  }
  return `<div class="answer" data-status="${answer.status}">${parts.join('')}</div>`;
}

/** Which planned question an asked one is (matched by its words), or that it was not planned; nothing without a plan. */
function plannedNote(question: ReportQuestion, report: InterviewReport, labels: ReturnType<typeof labelsOf>): string {
  if (question.source !== 'interviewer' || !report.plannedQuestionCount) return '';
  const note = question.planned ? labels.plannedMatch(question.planned.index + 1) : labels.unplanned;
  return `<span class="qsource" data-planned="${question.planned ? question.planned.index + 1 : 'none'}">${escapeHtml(note)}</span>`;
}

function questionHtml(question: ReportQuestion, report: InterviewReport): string {
  const labels = labelsOf(report);
  const title = question.text === null ? `<span class="missing">${escapeHtml(labels.questionNotCaptured)}</span>` : escapeHtml(question.text);
  const source =
    question.source === 'planned'
      ? `<span class="qsource">${escapeHtml(labels.plannedByOrder)}</span>`
      : (question.startMs !== null ? `<span class="qsource">${formatClock(question.startMs)}</span>` : '') + plannedNote(question, report, labels);
  const answers =
    question.answers.length > 0
      ? question.answers.map((answer) => answerHtml(answer, report)).join('')
      : `<div class="answer"><p class="status info">${escapeHtml(labels.noAnswer)}</p></div>`;
  return (
    `<article class="question"><header><span class="qnum">${escapeHtml(labels.questionShort(question.index))}</span>` +
    `<h3>${title}${source}</h3></header>${answers}</article>`
  );
}

/** Renders the report as one self-contained, printable HTML page (inline CSS, no scripts, no external assets). */
export function renderHtml(report: InterviewReport, options: RenderOptions = {}): string {
  const labels = labelsOf(report);
  const { interview, summary } = report;
  const title = interview.title ?? labels.untitled;
  const meta: [string, string][] = [
    [labels.candidate, interview.candidateName ?? '—'],
    [labels.role, interview.role ?? '—'],
    [labels.date, formatDate(interview.createdAtMs, labels, options)],
    [labels.duration, formatClock(interview.durationMs)],
    [labels.language, labels.languages[interview.language]],
    [labels.mode, labels.modes[interview.mode]],
    [labels.status, labels.statuses[interview.status] + (interview.statusMessage ? ` — ${interview.statusMessage}` : '')],
    [labels.consent, consentText(report, labels)],
  ];
  const dimensionRows = summary.dimensions
    .map(
      (dimension) =>
        `<tr><td>${escapeHtml(dimension.name)}</td><td class="num">${dimension.weight}</td>` +
        `<td class="num">${formatScore(dimension.average)}</td>` +
        `<td class="meter"><div class="bar"><span style="width:${dimension.average === null ? 0 : Math.round(dimension.average * 10)}%"></span></div></td>` +
        `<td class="num">${dimension.count}</td></tr>`,
    )
    .join('');
  const t = summary.thresholds;
  let questions: string;
  if (interview.transcriptPurged) questions = `<p class="status info">${escapeHtml(labels.transcriptPurged)}</p>`;
  else if (report.questions.length === 0) questions = `<p class="status info">${escapeHtml(labels.noTurns)}</p>`;
  else questions = report.questions.map((question) => questionHtml(question, report)).join('\n');

  return `<!doctype html>
<html lang="${labels.htmlLang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Viva">
<title>${escapeHtml(`${labels.reportTitle}: ${title}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<p class="kicker">${escapeHtml(labels.reportTitle)}</p>
<h1>${escapeHtml(title)}</h1>
<dl class="meta">${meta.map(([name, value]) => `<div><dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd></div>`).join('')}</dl>
</header>
<section aria-labelledby="summary">
<h2 id="summary">${escapeHtml(labels.summary)}</h2>
<div class="verdict">
<div><div class="note">${escapeHtml(labels.recommendation)}</div><span class="badge ${RECOMMENDATION_CLASS[summary.recommendation]}" data-recommendation="${summary.recommendation}">${escapeHtml(recommendationText(summary, labels))}</span></div>
<div><div class="note">${escapeHtml(labels.weightedOverall)}</div><span class="overall">${formatScore(summary.weightedOverall)} <small>${escapeHtml(labels.outOf10)}</small></span></div>
<div class="basis">${escapeHtml(labels.fromScoredAnswers(summary.counts.scored))}</div>
</div>
${
  summary.dimensions.length > 0
    ? `<table class="dimensions"><thead><tr><th>${escapeHtml(labels.dimension)}</th><th class="num">${escapeHtml(labels.weight)}</th><th class="num">${escapeHtml(labels.average)}</th><th class="meter"></th><th class="num">${escapeHtml(labels.scoredCount)}</th></tr></thead><tbody>${dimensionRows}</tbody></table>`
    : `<p class="note">${escapeHtml(labels.noScores)}</p>`
}
<p>${escapeHtml(labels.counts(summary.counts))}</p>
<p class="note">${escapeHtml(labels.thresholds({ strongHire: t.strongHire, hire: t.hire, leanNoHire: t.leanNoHire, minScored: t.minScoredAnswers }))}</p>
</section>
<section aria-labelledby="questions">
<h2 id="questions">${escapeHtml(labels.questions)}</h2>
${questions}
</section>
<footer>${summary.scoredBy.length > 0 ? `${escapeHtml(labels.versions)}${labels.colon}${escapeHtml(summary.scoredBy.join('; '))}<br>` : ''}${escapeHtml(labels.generated(formatDate(report.generatedAtMs, labels, options)))}</footer>
</main>
</body>
</html>
`;
}
