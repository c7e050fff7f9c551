import type { ScreenResult } from './screen.ts';

/** Output formats of a screening report. */
export type ReportFormat = 'csv' | 'json' | 'html';

/** Picks the report format from an output file name (`ranking.csv` → csv); undefined for other extensions. */
export function reportFormatFromPath(filePath: string): ReportFormat | undefined {
  const match = /\.(csv|json|html?)$/i.exec(filePath);
  if (!match?.[1]) return undefined;
  const extension = match[1].toLowerCase();
  return extension === 'htm' || extension === 'html' ? 'html' : (extension as ReportFormat);
}

/** Renders a screening result in the given format (CSV and HTML as text, JSON pretty-printed). */
export function renderReport(result: ScreenResult, format: ReportFormat): string {
  if (format === 'csv') return toCsv(result);
  if (format === 'html') return toHtml(result);
  return `${JSON.stringify(result, null, 2)}\n`;
}

const CSV_HEADER = [
  'rank',
  'file',
  'candidate',
  'score',
  'skills_matched',
  'skills_missing',
  'red_flags',
  'experience',
  'summary',
  'unverified_claims',
  'status',
  'reason',
];

/** Quotes a CSV field (RFC 4180) and defuses spreadsheet formulas a resume could smuggle in ("=HYPERLINK(…)"). */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV with a UTF-8 byte-order mark and CRLF rows, so Excel opens Chinese text correctly; failed files are rows too. */
export function toCsv(result: ScreenResult): string {
  const rows: Array<Array<string | number | null>> = [CSV_HEADER];
  for (const entry of result.ranked) {
    const match = entry.match;
    rows.push([
      entry.rank,
      [entry.file, ...entry.duplicateFiles].join('; '),
      entry.candidateName,
      match.score,
      match.skillsMatched.map((skill) => skill.skill).join('; '),
      match.skillsMissing.map((skill) => (skill.importance === 'required' ? skill.skill : `${skill.skill} (nice to have)`)).join('; '),
      match.redFlags.map((flag) => flag.flag).join('; '),
      match.experienceEvaluation.assessment,
      match.summary,
      match.unverifiedClaims.length,
      'ranked',
      '',
    ]);
  }
  for (const failure of result.failed) rows.push(['', failure.file, '', '', '', '', '', '', '', '', 'failed', `${failure.code}: ${failure.reason}`]);
  for (const file of result.pending) rows.push(['', file, '', '', '', '', '', '', '', '', 'pending', 'not screened: the run was interrupted']);
  return `\uFEFF${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STRINGS = {
  en: {
    title: 'Resume screening',
    rank: 'Rank',
    file: 'File',
    candidate: 'Candidate',
    score: 'Score',
    matched: 'Skills matched',
    missing: 'Skills missing',
    flags: 'Red flags',
    summary: 'Summary',
    failed: 'Files that could not be screened',
    pending: 'Not screened (the run was interrupted)',
    reason: 'Reason',
    blind: 'Blind mode: names, gender, age, photos and contact details were removed before analysis.',
    unverified: 'claim(s) dropped: quote not found in the resume',
    generated: 'Generated',
    counts: (ranked: number, failed: number, pending: number) => `${ranked} ranked, ${failed} failed, ${pending} pending`,
    niceToHave: 'nice to have',
  },
  zh: {
    title: '简历筛选',
    rank: '排名',
    file: '文件',
    candidate: '候选人',
    score: '分数',
    matched: '匹配技能',
    missing: '缺少技能',
    flags: '风险点',
    summary: '总结',
    failed: '无法筛选的文件',
    pending: '未筛选（运行被中断）',
    reason: '原因',
    blind: '盲筛模式：分析前已移除姓名、性别、年龄、照片和联系方式。',
    unverified: '条结论被丢弃：引文不在简历中',
    generated: '生成时间',
    counts: (ranked: number, failed: number, pending: number) => `已排名 ${ranked}，失败 ${failed}，未处理 ${pending}`,
    niceToHave: '加分项',
  },
} as const;

/** When the screening finished, as a reader of that language writes it (with the time zone), in a `<time>` that keeps the ISO value. */
export function finishedAtHtml(iso: string, language: 'en' | 'zh'): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return escapeHtml(iso);
  const text = new Intl.DateTimeFormat(language === 'zh' ? 'zh-CN' : 'en-GB', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(date);
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(text)}</time>`;
}

/** A self-contained HTML page (inline CSS, no scripts or external resources) with the ranking and the failures. */
export function toHtml(result: ScreenResult): string {
  const t = STRINGS[result.language];
  const list = (items: string[]): string => (items.length === 0 ? '' : `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`);
  const rankedRows = result.ranked
    .map((entry) => {
      const match = entry.match;
      const scoreClass = match.score >= 75 ? 'high' : match.score >= 50 ? 'mid' : 'low';
      const files = [entry.file, ...entry.duplicateFiles].map(escapeHtml).join('<br>');
      const unverified =
        match.unverifiedClaims.length > 0 ? `<p class="note">${match.unverifiedClaims.length} ${escapeHtml(t.unverified)}</p>` : '';
      return `<tr>
<td class="num">${entry.rank}</td>
<td>${files}</td>
<td>${escapeHtml(entry.candidateName ?? '—')}</td>
<td class="num"><span class="score ${scoreClass}">${match.score}</span></td>
<td>${list(match.skillsMatched.map((skill) => skill.skill))}</td>
<td>${list(match.skillsMissing.map((skill) => (skill.importance === 'required' ? skill.skill : `${skill.skill} (${t.niceToHave})`)))}</td>
<td>${list(match.redFlags.map((flag) => flag.flag))}</td>
<td>${escapeHtml(match.summary)}${unverified}</td>
</tr>`;
    })
    .join('\n');
  const failedRows = result.failed
    .map((failure) => `<tr><td>${escapeHtml(failure.file)}</td><td>${escapeHtml(`${failure.code}: ${failure.reason}`)}</td></tr>`)
    .join('\n');
  const pendingRows = result.pending.map((file) => `<li>${escapeHtml(file)}</li>`).join('');
  return `<!doctype html>
<html lang="${result.language === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.title)}${result.jobTitle ? ` — ${escapeHtml(result.jobTitle)}` : ''}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; margin: 2rem; color: #1a1a1a; }
h1 { font-size: 1.4rem; margin-bottom: 0.2rem; }
.meta { color: #555; margin: 0.2rem 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; margin-bottom: 2rem; }
th, td { border: 1px solid #ddd; padding: 0.4rem 0.5rem; vertical-align: top; text-align: left; }
th { background: #f4f4f6; position: sticky; top: 0; }
tr:nth-child(even) td { background: #fafafa; }
td.num { text-align: right; white-space: nowrap; }
ul { margin: 0; padding-left: 1.1rem; }
.score { display: inline-block; min-width: 2.2rem; text-align: center; border-radius: 0.3rem; padding: 0.1rem 0.3rem; font-weight: 600; }
.score.high { background: #d9f2dd; } .score.mid { background: #fff1c7; } .score.low { background: #f9d9d9; }
.note { color: #8a5a00; font-size: 0.8rem; margin: 0.3rem 0 0; }
.blind { background: #eef4ff; border: 1px solid #c9dafc; padding: 0.5rem 0.7rem; border-radius: 0.3rem; }
</style>
</head>
<body>
<h1>${escapeHtml(t.title)}${result.jobTitle ? ` — ${escapeHtml(result.jobTitle)}` : ''}</h1>
<p class="meta">${escapeHtml(t.counts(result.ranked.length, result.failed.length, result.pending.length))} · ${escapeHtml(t.generated)} ${finishedAtHtml(result.finishedAt, result.language)}</p>
${result.blind ? `<p class="blind">${escapeHtml(t.blind)}</p>` : ''}
<table>
<thead><tr><th>${t.rank}</th><th>${t.file}</th><th>${t.candidate}</th><th>${t.score}</th><th>${t.matched}</th><th>${t.missing}</th><th>${t.flags}</th><th>${t.summary}</th></tr></thead>
<tbody>
${rankedRows}
</tbody>
</table>
${
  result.failed.length > 0
    ? `<h2>${escapeHtml(t.failed)}</h2>
<table>
<thead><tr><th>${t.file}</th><th>${t.reason}</th></tr></thead>
<tbody>
${failedRows}
</tbody>
</table>`
    : ''
}
${result.pending.length > 0 ? `<h2>${escapeHtml(t.pending)}</h2>\n<ul>${pendingRows}</ul>` : ''}
</body>
</html>
`;
}
