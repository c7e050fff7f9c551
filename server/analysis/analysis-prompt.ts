/**
 * The prompt layout of every answer-analysis call: instructions only in the system message (prompts/analysis-context),
 * the interview (role, job description, résumé, earlier turns, question, answer) as one JSON object at the start of the
 * user message (prompts/analysis-data), the task after it. Untrusted text never sits among the instructions and cannot
 * end its field, so "ignore the rubric" in a transcript or a stray `"""` in a résumé stays data.
 */
import type { Channel, SessionContext } from '../../protocol/schemas.ts';
import type { ChatMessage } from '../llm/chat-stream.ts';
import type { PromptLanguage, PromptLibrary } from '../prompts.ts';
import { untrustedJson } from '../untrusted-json.ts';

/** The shared part of the analysis prompts: the same system message and data lead both calls (prefix-cache friendly). */
export interface AnalysisPrompt {
  system: string;
  /** The interview as JSON, with its lead-in line; the task is appended after it in the same user message. */
  data: string;
  /** Versions of the system and data prompts, recorded with what the calls produce. */
  version: string;
}

/** What the analysis prompts are built from. */
export interface AnalysisPromptInput {
  context: Pick<SessionContext, 'role' | 'jobDescription' | 'resume'>;
  /** The question being answered, if recorded. */
  question?: string | undefined;
  /** The answer text being analysed. */
  answer: string;
  /** Earlier turns, oldest first (this answer and its question may be the last entries: they are not repeated). */
  history: readonly { channel: Channel; text: string }[];
}

/** Clipping limits of {@link renderAnalysisPrompt}, in turns and characters. */
export interface AnalysisPromptLimits {
  historyTurns: number;
  historyTurnChars: number;
  jobDescriptionChars: number;
  resumeChars: number;
}

/** The interview data object the model reads (exported for tests and the eval harness). */
export interface AnalysisData {
  role: string | null;
  jobDescription: string | null;
  resume: string | null;
  earlierTurns: { speaker: Channel; text: string }[];
  question: string | null;
  answer: string;
}

/** Renders the system message and the JSON interview data of one answer's analysis. */
export function renderAnalysisPrompt(
  prompts: PromptLibrary,
  language: PromptLanguage,
  input: AnalysisPromptInput,
  limits: AnalysisPromptLimits,
): AnalysisPrompt {
  const system = prompts.render('analysis-context', language, {});
  const data = prompts.render('analysis-data', language, { data: untrustedJson(analysisData(input, limits)) });
  return { system: system.text, data: data.text, version: `${system.version}+${data.version}` };
}

/** The messages of one analysis call: the shared system message, then the data and the task in one user message. */
export function analysisMessages(prompt: AnalysisPrompt, task: string): ChatMessage[] {
  // One user message, not two: some chat templates refuse two user turns in a row.
  return [
    { role: 'system', content: prompt.system },
    { role: 'user', content: `${prompt.data}\n\n${task}` },
  ];
}

/** The interview data object: context clipped, a recent history window without this answer or its question repeated. */
export function analysisData(input: AnalysisPromptInput, limits: AnalysisPromptLimits): AnalysisData {
  const answer = input.answer.trim();
  const history = [...input.history];
  const last = history[history.length - 1];
  // The pipeline may already have appended this answer to the history: don't show it twice.
  if (last && last.channel === 'candidate' && oneLine(last.text) === oneLine(answer)) history.pop();
  // Likewise the question, when it is the interviewer's last turn.
  const beforeAnswer = history[history.length - 1];
  if (beforeAnswer && beforeAnswer.channel === 'interviewer' && input.question && oneLine(beforeAnswer.text) === oneLine(input.question)) history.pop();
  const earlierTurns = history
    .filter((turn) => turn.text.trim() !== '')
    .slice(-limits.historyTurns)
    .map((turn) => ({ speaker: turn.channel, text: clip(oneLine(turn.text), limits.historyTurnChars) }));
  return {
    role: orNull(oneLine(input.context.role ?? '')),
    jobDescription: orNull(clip(input.context.jobDescription, limits.jobDescriptionChars)),
    resume: orNull(clip(input.context.resume, limits.resumeChars)),
    earlierTurns,
    question: orNull(clip(input.question, 2000)),
    answer,
  };
}

function orNull(text: string): string | null {
  return text === '' ? null : text;
}

function clip(text: string | undefined, maxChars: number): string {
  if (!text) return '';
  const trimmed = text.trim();
  return trimmed.length <= maxChars ? trimmed : `${trimmed.slice(0, maxChars)}…`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
