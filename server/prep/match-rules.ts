/**
 * Rules a job match must pass beyond "the quote is in the résumé" (issue 16): a matched skill's quote must name the
 * skill (or an alias, or an equivalent the model states and the quote contains); matched and missing are disjoint; a
 * missing skill's importance follows the job description's own sections ("Requirements" vs "Nice to have", 任职要求 vs
 * 加分项); an experience assessment that repeats the summary is dropped. Pure functions; `verifyMatch` applies them.
 */
import { normalizeForMatch } from './clean-text.ts';

/** Names that mean the same skill (lower case). A résumé's "Postgres" backs a job's "PostgreSQL". */
const ALIAS_GROUPS: readonly (readonly string[])[] = [
  ['postgresql', 'postgres', 'psql'],
  ['javascript', 'js', 'ecmascript'],
  ['typescript', 'ts'],
  ['kubernetes', 'k8s'],
  ['go', 'golang'],
  ['node.js', 'nodejs', 'node'],
  ['react', 'react.js', 'reactjs'],
  ['vue', 'vue.js', 'vuejs'],
  ['aws', 'amazon web services'],
  ['gcp', 'google cloud', 'google cloud platform'],
  ['azure', 'microsoft azure'],
  ['c#', 'csharp'],
  ['c++', 'cpp'],
  ['machine learning', 'ml', '机器学习'],
  ['ci/cd', 'continuous integration', 'continuous delivery', 'continuous deployment', '持续集成'],
  ['mongodb', 'mongo'],
  ['elasticsearch', 'elastic search'],
  ['rest', 'restful'],
  ['microservices', 'microservice', 'micro-services', '微服务'],
  ['distributed', '分布式'],
  ['sql server', 'mssql'],
  ['tensorflow', 'tf'],
];

/** Words that say how much or how well, not what: "5+ years of strong Java experience" names Java only. */
const GENERIC_WORDS = new Set(
  'a an and or of with in on for the to using use strong solid good deep excellent proven hands-on working practical experience experienced years year yrs knowledge skills skill proficiency proficient familiarity familiar understanding ability background expertise development plus etc'.split(
    ' ',
  ),
);
/** Words of a job title: a stated "equivalent" made only of these ("Backend Developer") names no skill. */
const ROLE_WORDS = new Set('backend back-end frontend front-end full-stack fullstack developer developers engineer engineering software senior junior lead principal staff programmer manager architect intern'.split(' '));
const GENERIC_CJK = /熟练掌握|熟悉|精通|掌握|了解|经验|能力|以上|相关|年|的|和|及|或|语言|开发/g;
const HAN = /\p{Script=Han}/u;

function aliasesOf(term: string): readonly string[] {
  return ALIAS_GROUPS.find((group) => group.includes(term)) ?? [term];
}

/** True when `text` (normalised) names `term` as a word: "java" is not in "javascript", "api" is in "apis". */
function namesWord(text: string, term: string): boolean {
  if (term === '') return false;
  if (HAN.test(term)) return text.includes(term);
  let from = 0;
  for (;;) {
    const at = text.indexOf(term, from);
    if (at < 0) return false;
    const before = text[at - 1];
    const after = text.slice(at + term.length);
    const boundaryBefore = before === undefined || !/[a-z0-9]/.test(before);
    // A plural ("APIs"), or a version right after a longer name ("Java8", "Python3").
    const boundaryAfter = /^(?:e?s)?(?:[^a-z0-9]|$)/.test(after) || (term.length > 2 && /^\d/.test(after));
    if (boundaryBefore && boundaryAfter) return true;
    from = at + 1;
  }
}

function namesTerm(text: string, term: string): boolean {
  return aliasesOf(term).some((alias) => namesWord(text, alias));
}

/** The words of a skill name that must appear: the whole name first, else every non-generic part. */
function significantParts(skill: string): string[] {
  return skill
    .split(/[\s,;()（）、，:：]+/)
    .map((part) => part.replace(/^[+\-–—]+|[.!?]+$/g, ''))
    .map((part) => (HAN.test(part) ? part.replace(GENERIC_CJK, '') : part))
    .filter((part) => part !== '' && !GENERIC_WORDS.has(part) && !/^\d+\+?$/.test(part));
}

/** True when `text` names the skill: its whole name or an alias, or each significant part of a longer name. */
export function textNamesSkill(text: string, skill: string): boolean {
  const haystack = normalizeForMatch(text);
  const name = normalizeForMatch(skill);
  if (namesTerm(haystack, name)) return true;
  const parts = significantParts(name);
  // "REST APIs" is named by "REST API" too: a plural part may stand singular.
  const singular = (part: string) => (part.length > 3 && /[^s]s$/.test(part) ? part.slice(0, -1) : part);
  return parts.length > 0 && parts.every((part) => namesTerm(haystack, part) || namesTerm(haystack, singular(part)));
}

/** How a matched skill's quote backs it. */
export type SkillSupport = { supported: true; equivalent: string | null } | { supported: false };

/**
 * Whether `quote` backs `skill`: it names the skill (or an alias from the table), or names the `equivalent` the model
 * stated (a short name, e.g. "Postgres" for PostgreSQL). A quote such as "Backend Developer — Berlin" backs no skill.
 */
export function quoteSupportsSkill(skill: string, quote: string, equivalent?: string | null): SkillSupport {
  if (textNamesSkill(quote, skill)) {
    const alias = aliasesOf(normalizeForMatch(skill)).find((name) => name !== normalizeForMatch(skill) && namesWord(normalizeForMatch(quote), name));
    return { supported: true, equivalent: alias && !namesWord(normalizeForMatch(quote), normalizeForMatch(skill)) ? alias : null };
  }
  const stated = equivalent?.trim() ?? '';
  // A stated equivalent is a name, not a sentence: "Backend Developer" would otherwise back any skill it sits next to.
  const words = normalizeForMatch(stated).split(/\s+/);
  const namesSomething = words.some((word) => !GENERIC_WORDS.has(word) && !ROLE_WORDS.has(word));
  if (stated !== '' && stated.length <= 40 && words.length <= 3 && namesSomething && namesTerm(normalizeForMatch(quote), normalizeForMatch(stated))) {
    return { supported: true, equivalent: stated };
  }
  return { supported: false };
}

/** Same skill by name or alias ("Postgres" and "PostgreSQL"). */
export function sameSkill(a: string, b: string): boolean {
  const x = normalizeForMatch(a);
  const y = normalizeForMatch(b);
  return x === y || aliasesOf(x).includes(y);
}

/** Where a job description puts things. */
export type JdSection = 'required' | 'nice-to-have' | 'other';

const REQUIRED_HEADING =
  /^(requirements?|required( skills| qualifications)?|must[- ]haves?|minimum qualifications|basic qualifications|qualifications|what (you('ll| will)? )?(need|bring)|you have|who you are|skills|任职要求|任职资格|岗位要求|职位要求|基本要求|技能要求|必备(条件|技能)?|硬性要求)$/;
const NICE_HEADING = /^(nice[- ]to[- ]haves?|bonus( points)?|preferred( qualifications| skills)?|pluses|plus|good to have|desirable|extra credit|加分项?|加分条件|优先条件?|优先考虑)$/;
/** A line that marks itself as optional wherever it stands ("Kafka is a plus", "有 Kafka 经验者优先"). */
const NICE_INLINE = /\b(is a plus|a plus|nice to have|preferred|bonus)\b|优先|加分/;

/** The job description's lines, each with the section it stands in. */
export function jdSections(jd: string): { line: string; section: JdSection }[] {
  let section: JdSection = 'other';
  const lines: { line: string; section: JdSection }[] = [];
  for (const raw of jd.split(/\r?\n/)) {
    const line = normalizeForMatch(raw);
    if (line === '') continue;
    const stripped = line.replace(/^[#*\-•\d.、)\s【\[]+/, '').trim();
    const [head = '', ...rest] = stripped.split(/[:：】\]]/);
    const heading = head.trim();
    const body = rest.join(':').trim();
    const isHeadingLine = heading.length <= 40 && (body === '' || /[:：】\]]/.test(stripped));
    if (isHeadingLine && REQUIRED_HEADING.test(heading)) section = 'required';
    else if (isHeadingLine && NICE_HEADING.test(heading)) section = 'nice-to-have';
    else if (isHeadingLine && body === '' && /^#|[:：]$/.test(line)) section = 'other';
    const content = isHeadingLine && (REQUIRED_HEADING.test(heading) || NICE_HEADING.test(heading)) ? body : line;
    if (content !== '') lines.push({ line: content, section: NICE_INLINE.test(content) ? 'nice-to-have' : section });
  }
  return lines;
}

/** A missing skill's importance as the job description's sections say; the model's when the JD does not place it. */
export function importanceFromJd(
  skill: string,
  sections: readonly { line: string; section: JdSection }[],
  modelSaid: 'required' | 'nice-to-have',
): 'required' | 'nice-to-have' {
  const placed = sections.filter((entry) => entry.section !== 'other' && textNamesSkill(entry.line, skill)).map((entry) => entry.section);
  if (placed.length === 0) return modelSaid;
  return placed.includes('required') ? 'required' : 'nice-to-have';
}

/** True when the experience assessment says nothing the summary does not already say, word for word. */
export function repeatsSummary(assessment: string, summary: string): boolean {
  const words = (text: string) => normalizeForMatch(text).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  const a = words(assessment);
  const s = words(summary);
  return a !== '' && s.includes(a);
}
