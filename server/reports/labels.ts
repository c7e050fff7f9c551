import type { AnswerLabel } from '../../protocol/schemas.ts';

/** Language a report is written in. */
export type ReportLanguage = 'en' | 'zh';

/** The hiring recommendation derived from the weighted overall score. */
export type Recommendation = 'strong-hire' | 'hire' | 'lean-no-hire' | 'no-hire' | 'insufficient-evidence' | 'scoring';

/** Every piece of text a report prints, per language. */
export interface ReportLabels {
  htmlLang: string;
  locale: string;
  /** ': ' in English, the full-width '：' in Chinese. */
  colon: string;
  comma: string;
  reportTitle: string;
  untitled: string;
  candidate: string;
  role: string;
  date: string;
  duration: string;
  language: string;
  mode: string;
  status: string;
  consent: string;
  consentGiven: string;
  consentRefused: string;
  consentUnknown: string;
  languages: Record<'en' | 'zh' | 'auto', string>;
  modes: Record<'copilot' | 'automated' | 'recording', string>;
  statuses: Record<'live' | 'stopped' | 'processing' | 'done' | 'failed', string>;
  summary: string;
  recommendation: string;
  recommendations: Record<Recommendation, string>;
  /** The recommendation while answers wait for their score. */
  scoringProgress: (done: number, total: number) => string;
  weightedOverall: string;
  outOf10: string;
  fromScoredAnswers: (scored: number) => string;
  dimension: string;
  weight: string;
  average: string;
  scoredCount: string;
  noScores: string;
  counts: (c: { answers: number; scored: number; noEvidence: number; notAnswers: number; failed: number; pending: number }) => string;
  thresholds: (t: { strongHire: number; hire: number; leanNoHire: number; minScored: number }) => string;
  questions: string;
  questionShort: (index: number) => string;
  plannedByOrder: string;
  /** An asked question matched by its words to planned question `index` (1-based). */
  plannedMatch: (index: number) => string;
  /** An asked question that is not in the plan. */
  unplanned: string;
  questionNotCaptured: string;
  noAnswer: string;
  answer: string;
  score: string;
  overall: string;
  reason: string;
  evidence: string;
  remark: string;
  suggestions: string;
  probes: string;
  buildsOn: string;
  analysisFailed: (message: string) => string;
  analysisFailedAfterScore: (message: string) => string;
  notAnalysed: string;
  /** A dimension whose quotes did not verify against the transcript. */
  noEvidence: string;
  /** Status line of an answer with no verified evidence at all. */
  noEvidenceAnswer: string;
  /** After a per-answer overall built from fewer dimensions than the rubric has. */
  fromEvidencedDimensions: (evidenced: number, total: number) => string;
  notScored: (label: AnswerLabel) => string;
  answerLabels: Record<AnswerLabel, string>;
  transcriptPurged: string;
  noTurns: string;
  generated: (when: string) => string;
  versions: string;
}

const en: ReportLabels = {
  htmlLang: 'en',
  locale: 'en-GB',
  colon: ': ',
  comma: ', ',
  reportTitle: 'Interview report',
  untitled: 'Untitled interview',
  candidate: 'Candidate',
  role: 'Role',
  date: 'Date',
  duration: 'Duration',
  language: 'Language',
  mode: 'Mode',
  status: 'Status',
  consent: 'Recording consent',
  consentGiven: 'given',
  consentRefused: 'refused',
  consentUnknown: 'not recorded',
  languages: { en: 'English', zh: 'Chinese', auto: 'Detected per turn' },
  modes: { copilot: 'Live (co-pilot)', automated: 'Automated', recording: 'Recorded call' },
  statuses: { live: 'Live', stopped: 'Stopped', processing: 'Processing', done: 'Done', failed: 'Failed' },
  summary: 'Summary',
  recommendation: 'Recommendation',
  recommendations: {
    'strong-hire': 'Strong hire',
    hire: 'Hire',
    'lean-no-hire': 'Lean no hire',
    'no-hire': 'No hire',
    'insufficient-evidence': 'Insufficient evidence',
    scoring: 'Scoring…',
  },
  scoringProgress: (done, total) => `Scoring ${done} of ${total}…`,
  weightedOverall: 'Weighted overall',
  outOf10: '/ 10',
  fromScoredAnswers: (scored) => `from ${scored} scored answer${scored === 1 ? '' : 's'}`,
  dimension: 'Dimension',
  weight: 'Weight',
  average: 'Average',
  scoredCount: 'Answers',
  noScores: 'No answer was scored.',
  counts: (c) =>
    `${c.answers} candidate turn${c.answers === 1 ? '' : 's'}: ${c.scored} scored, ` +
    (c.noEvidence > 0 ? `${c.noEvidence} not scored for lack of verified evidence, ` : '') +
    `${c.notAnswers} not an answer, ` +
    `${c.failed} analysis failed, ${c.pending} not analysed.`,
  thresholds: (t) =>
    `Recommendation from the weighted overall: strong hire ≥ ${t.strongHire.toFixed(1)}, hire ≥ ${t.hire.toFixed(1)}, ` +
    `lean no hire ≥ ${t.leanNoHire.toFixed(1)}, otherwise no hire; fewer than ${t.minScored} scored answers: insufficient evidence. ` +
    'A suggestion for the interviewer, not a decision.',
  questions: 'Questions and answers',
  questionShort: (index) => `Q${index}`,
  plannedByOrder: 'planned question, matched by order',
  plannedMatch: (index) => `planned question ${index}`,
  unplanned: 'not in the plan',
  questionNotCaptured: 'Question not captured',
  noAnswer: 'No answer recorded.',
  answer: 'Answer',
  score: 'Score',
  overall: 'Overall',
  reason: 'Reason',
  evidence: 'Evidence',
  remark: 'Remark',
  suggestions: 'Follow-up suggestions',
  probes: 'probes',
  buildsOn: 'builds on',
  analysisFailed: (message) => `Analysis failed: ${message} — not scored`,
  analysisFailedAfterScore: (message) => `A later analysis step failed: ${message}`,
  notAnalysed: 'Not analysed — not scored',
  noEvidence: 'no evidence',
  noEvidenceAnswer: 'Not scored: none of the quoted evidence is in the transcript',
  fromEvidencedDimensions: (evidenced, total) => `(${evidenced} of ${total} dimensions evidenced)`,
  notScored: (label) => `Not scored: ${en.answerLabels[label]}`,
  answerLabels: { answer: 'answer', empty: 'empty turn', 'off-topic': 'off topic', 'non-answer': 'not an answer', gibberish: 'unintelligible' },
  transcriptPurged: 'The transcript was deleted by the retention policy.',
  noTurns: 'No transcript was recorded.',
  generated: (when) => `Generated by Viva on ${when}.`,
  versions: 'Model and prompt',
};

const zh: ReportLabels = {
  htmlLang: 'zh-CN',
  locale: 'zh-CN',
  colon: '：',
  comma: '，',
  reportTitle: '面试报告',
  untitled: '未命名面试',
  candidate: '候选人',
  role: '职位',
  date: '日期',
  duration: '时长',
  language: '语言',
  mode: '方式',
  status: '状态',
  consent: '录音同意',
  consentGiven: '已同意',
  consentRefused: '已拒绝',
  consentUnknown: '未记录',
  languages: { en: '英语', zh: '中文', auto: '逐段识别' },
  modes: { copilot: '现场（辅助）', automated: '自动面试', recording: '录音回顾' },
  statuses: { live: '进行中', stopped: '已结束', processing: '处理中', done: '已完成', failed: '失败' },
  summary: '总结',
  recommendation: '建议',
  recommendations: {
    'strong-hire': '强烈推荐录用',
    hire: '推荐录用',
    'lean-no-hire': '倾向不录用',
    'no-hire': '不录用',
    'insufficient-evidence': '证据不足',
    scoring: '评分中…',
  },
  scoringProgress: (done, total) => `评分中 ${done}/${total}…`,
  weightedOverall: '加权总分',
  outOf10: '/ 10',
  fromScoredAnswers: (scored) => `基于 ${scored} 个已评分回答`,
  dimension: '维度',
  weight: '权重',
  average: '平均分',
  scoredCount: '回答数',
  noScores: '没有已评分的回答。',
  counts: (c) =>
    `候选人发言 ${c.answers} 段：已评分 ${c.scored}，${c.noEvidence > 0 ? `因依据未核实而未评分 ${c.noEvidence}，` : ''}` +
    `非回答 ${c.notAnswers}，分析失败 ${c.failed}，未分析 ${c.pending}。`,
  thresholds: (t) =>
    `建议依据加权总分：≥ ${t.strongHire.toFixed(1)} 强烈推荐录用，≥ ${t.hire.toFixed(1)} 推荐录用，` +
    `≥ ${t.leanNoHire.toFixed(1)} 倾向不录用，其余不录用；已评分回答少于 ${t.minScored} 个时为证据不足。仅供面试官参考，不是最终决定。`,
  questions: '问题与回答',
  questionShort: (index) => `问题 ${index}`,
  plannedByOrder: '计划问题，按顺序对应',
  plannedMatch: (index) => `计划问题 ${index}`,
  unplanned: '计划外的问题',
  questionNotCaptured: '未记录到问题',
  noAnswer: '没有记录到回答。',
  answer: '回答',
  score: '评分',
  overall: '总分',
  reason: '理由',
  evidence: '依据',
  remark: '评语',
  suggestions: '追问建议',
  probes: '考察',
  buildsOn: '基于',
  analysisFailed: (message) => `分析失败：${message} — 未评分`,
  analysisFailedAfterScore: (message) => `后续分析步骤失败：${message}`,
  notAnalysed: '未分析 — 未评分',
  noEvidence: '无依据',
  noEvidenceAnswer: '未评分：引用的依据都不在转写中',
  fromEvidencedDimensions: (evidenced, total) => `（${total} 个维度中 ${evidenced} 个有依据）`,
  notScored: (label) => `未评分：${zh.answerLabels[label]}`,
  answerLabels: { answer: '回答', empty: '空白', 'off-topic': '离题', 'non-answer': '未作答', gibberish: '无法识别' },
  transcriptPurged: '根据保留策略，文字记录已删除。',
  noTurns: '没有文字记录。',
  generated: (when) => `由 Viva 生成于 ${when}。`,
  versions: '模型与提示词',
};

/** Report text per language. */
export const LABELS: Record<ReportLanguage, ReportLabels> = { en, zh };

/** The recommendation as printed: "Scoring 3 of 5…" while answers wait for their score. */
export function recommendationText(
  summary: { recommendation: Recommendation; analysis: { done: number; total: number } | null },
  labels: Pick<ReportLabels, 'recommendations' | 'scoringProgress'>,
): string {
  if (summary.recommendation === 'scoring' && summary.analysis) return labels.scoringProgress(summary.analysis.done, summary.analysis.total);
  return labels.recommendations[summary.recommendation];
}
