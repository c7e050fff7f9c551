import { SessionContext, type Language, type PlannedQuestion, type RubricDimension } from '../../../protocol/index.ts';
import type { CaptureMode } from '../audio/audio-capture.ts';
import { translate, type Locale } from '../i18n/dictionary.ts';

/** The rubric a new form starts with: text keys, so the names follow the interface language until edited. */
export const DEFAULT_RUBRIC_KEYS = ['rubric.default.technical', 'rubric.default.clarity', 'rubric.default.problemSolving'] as const;
/** One of the default rubric names. */
export type DefaultRubricKey = (typeof DEFAULT_RUBRIC_KEYS)[number];

/** One editable rubric row; `weight` stays text while typing. */
export interface RubricRow {
  key: string;
  name: string;
  weight: string;
  /** A default dimension not renamed yet: its name is this key in the interface language (`name` is unused). */
  defaultKey?: DefaultRubricKey | undefined;
}

/** The name a rubric row shows and sends: a default row's name in `locale`, else what was typed. */
export function rubricRowName(row: RubricRow, locale: Locale): string {
  return row.defaultKey ? translate(locale, row.defaultKey) : row.name;
}

/** One editable planned-question row. */
export interface QuestionRow {
  key: string;
  text: string;
}

/** Everything the setup screen edits. */
export interface SetupForm {
  title: string;
  role: string;
  candidateName: string;
  /** When the interviewer ticked "the candidate agreed to be recorded" (ms since epoch); null while unticked. */
  consentAtMs: number | null;
  jobDescription: string;
  resume: string;
  rubric: RubricRow[];
  questions: QuestionRow[];
  language: Language;
  captureMode: CaptureMode;
}

let rowCounter = 0;
/** A key for a new editable row (React list key; never sent). */
export function newRowKey(): string {
  rowCounter += 1;
  return `row-${rowCounter}`;
}

/** The default form: three rubric dimensions at weight 1 (named in the interface language unless names are given), one empty question. */
export function defaultSetupForm(rubricNames?: [string, string, string]): SetupForm {
  const rubric: RubricRow[] = rubricNames
    ? rubricNames.map((name) => ({ key: newRowKey(), name, weight: '1' }))
    : DEFAULT_RUBRIC_KEYS.map((defaultKey) => ({ key: newRowKey(), name: '', weight: '1', defaultKey }));
  return {
    title: '',
    role: '',
    candidateName: '',
    consentAtMs: null,
    jobDescription: '',
    resume: '',
    rubric,
    questions: [{ key: newRowKey(), text: '' }],
    language: 'auto',
    captureMode: 'mic-and-tab',
  };
}

/** A problem with the form, as an i18n key plus the row it concerns. */
export interface SetupIssue {
  messageKey: 'setup.error.needTitleOrRole' | 'setup.error.rubricEmpty' | 'setup.error.rubricName' | 'setup.error.rubricWeight' | 'setup.error.rubricTooMany' | 'setup.error.tooLong';
  row?: number;
}

/** Stable id from a dimension name (`technical_skill`); names without latin letters get `dim-N`. */
export function dimensionId(name: string, index: number, taken: Set<string>): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 48);
  let id = slug || `dim-${index + 1}`;
  for (let n = 2; taken.has(id); n++) id = `${slug || `dim-${index + 1}`}-${n}`;
  taken.add(id);
  return id;
}

/** Turns the form into the `session:start` context (default rubric names in `locale`), or lists what must be fixed first. */
export function toSessionContext(form: SetupForm, locale: Locale = 'en'): { ok: true; context: SessionContext } | { ok: false; issues: SetupIssue[] } {
  const issues: SetupIssue[] = [];
  // A title or a role names the interview in the review, the stored list and the report, and the role is what the
  // model scores answers against; an interview with neither is almost always a form started by mistake.
  if (form.title.trim() === '' && form.role.trim() === '') issues.push({ messageKey: 'setup.error.needTitleOrRole' });
  const rows = form.rubric.filter((row) => row.defaultKey || row.name.trim() !== '' || row.weight.trim() !== '');
  if (rows.length === 0) issues.push({ messageKey: 'setup.error.rubricEmpty' });
  if (rows.length > 12) issues.push({ messageKey: 'setup.error.rubricTooMany' });
  const taken = new Set<string>();
  const dimensions: RubricDimension[] = [];
  rows.forEach((row, index) => {
    const name = rubricRowName(row, locale).trim();
    const weight = Number(row.weight);
    if (name === '' || name.length > 120) issues.push({ messageKey: 'setup.error.rubricName', row: index });
    if (!Number.isFinite(weight) || weight <= 0 || weight > 100) issues.push({ messageKey: 'setup.error.rubricWeight', row: index });
    // Default dimensions keep their English ids in every language, so scores compare across interviews.
    const idSource = row.defaultKey ? translate('en', row.defaultKey) : name;
    dimensions.push({ id: dimensionId(idSource, index, taken), name, description: '', weight });
  });
  const questions: PlannedQuestion[] = form.questions
    .map((row) => row.text.trim())
    .filter((text) => text !== '')
    .map((text, index) => ({ id: `q${index + 1}`, text }));
  if (issues.length > 0) return { ok: false, issues };
  const optional = (value: string) => (value.trim() === '' ? undefined : value.trim());
  const candidate = {
    title: optional(form.title),
    role: optional(form.role),
    jobDescription: optional(form.jobDescription),
    resume: optional(form.resume),
    candidateName: optional(form.candidateName),
    consent: form.consentAtMs === null ? undefined : { given: true, atMs: form.consentAtMs },
    rubric: { version: 'custom', dimensions },
    plannedQuestions: questions.length > 0 ? questions : undefined,
    mode: 'copilot' as const,
  };
  // Same schema the server parses with, so limits (lengths, counts) fail here with a clear message.
  const parsed = SessionContext.safeParse(candidate);
  if (!parsed.success) return { ok: false, issues: [{ messageKey: 'setup.error.tooLong' }] };
  return { ok: true, context: parsed.data };
}

/** What the Prepare screen hands to the setup form. */
export interface Preparation {
  role: string;
  /** A title for the interview, used when the form has none yet. */
  title?: string | undefined;
  jobDescription: string;
  resume: string;
  /** Planned question texts, in order; empty keeps the form's questions. */
  questions: string[];
  language?: Language | undefined;
}

/** The form with the prepared role, JD, resume, questions and language filled in, and a title when it had none (rubric and capture mode kept). */
export function applyPreparation(form: SetupForm, preparation: Preparation): SetupForm {
  const questions = preparation.questions.map((text) => text.trim()).filter((text) => text !== '');
  return {
    ...form,
    title: form.title.trim() || preparation.title?.trim() || form.title,
    role: preparation.role.trim() || form.role,
    jobDescription: preparation.jobDescription,
    resume: preparation.resume,
    questions: questions.length > 0 ? questions.map((text) => ({ key: newRowKey(), text })) : form.questions,
    language: preparation.language ?? form.language,
  };
}
