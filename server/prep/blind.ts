/** What blind mode removed, by kind, so a reviewer can see it worked without seeing the data. */
export type RedactionKind = 'name' | 'gender' | 'age' | 'birth-date' | 'photo' | 'email' | 'phone' | 'url' | 'address' | 'personal';

/** A resume with personal details removed, and counts of what was removed. */
export interface RedactedText {
  text: string;
  removed: Partial<Record<RedactionKind, number>>;
}

/** Placeholder left where something was removed; kept short so quotes around it still read naturally. */
export const REDACTED = '[REDACTED]';
/** Placeholder for the candidate's name. */
export const CANDIDATE = '[CANDIDATE]';

// Labelled fields, matched at the start of a line or after a separator, through the end of the value. Chinese resumes
// put several on one line ("性别：男 | 年龄：28 | 民族：汉"), so a value stops at the next separator.
/** A field value: stops at a line end, a separator or a run of spaces (the gap before the next field on the line). */
const fieldValue = (separators: string): string => String.raw`(?:[^\n\s${separators}]|[^\S\n](?![^\S\n])|(?<=\d)/(?=\d))*`;
// A slash separates fields ("男/28岁") except between digits ("1995/03/12").
const VALUE = fieldValue('|｜/,，;；');
// English addresses and dates contain commas ("12 Main St, Springfield", "March 3, 1990"): only stronger separators end them.
const LONG_VALUE = fieldValue('|｜;；');
const SEP_BEFORE = String.raw`(^|[\n|｜/,，;；。]|\.\s|\s{2,})`;

const LABELS: Array<[RedactionKind, string]> = [
  ['name', String.raw`姓\s*名|name|full name|candidate`],
  ['gender', String.raw`性\s*别|gender|sex|pronouns`],
  ['age', String.raw`年\s*龄|age`],
  ['birth-date', String.raw`出生(?:日期|年月|年份)?|生\s*日|date of birth|birth\s*date|birthday|d\.?o\.?b\.?|born`],
  ['personal', String.raw`民\s*族|籍\s*贯|户\s*口|户\s*籍|婚\s*姻(?:状况)?|婚\s*否|政治面貌|身份证(?:号码?)?|宗\s*教|健康状况|身\s*高|体\s*重|ethnicity|race|religion|marital status|nationality|citizenship|height|weight|id number`],
  ['photo', String.raw`照\s*片|头\s*像|photo(?:graph)?|picture|headshot`],
  ['address', String.raw`(?:现|家庭|通讯|联系|居住)?\s*(?:住\s*址|地\s*址)|现\s*居(?:住地)?|所在地|居住地|home address|address|location`],
  ['email', String.raw`e-?mail|邮\s*箱|电子邮(?:件|箱)`],
  ['phone', String.raw`phone|mobile|tel(?:ephone)?|cell|手\s*机|电\s*话|联系方式|微\s*信|wechat|qq`],
  ['url', String.raw`linkedin|github|website|homepage|blog|个人主页|博\s*客`],
];

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[a-z]{2,}/giu;
const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"'，。；）)]+|\b(?:linkedin\.com|github\.com|gitee\.com|gitlab\.com)\/[^\s<>"'，。；）)]+/giu;
// Chinese mobiles (also masked "138xxxxxxxx"/"138****1234"), +country numbers, (555) 123-4567, landlines 010-12345678.
const PHONE =
  /(?:\+?86[\s-]?)?(?<![\d])1[3-9]\d[\s-]?[\dx*]{4}[\s-]?[\dx*]{4}(?![\d])|\+\d{1,3}[\s.-]?\(?\d{1,4}\)?(?:[\s.-]?\d{2,4}){2,4}|\(\d{3}\)\s?\d{3}[\s.-]\d{4}|(?<![\d-])\d{3}[.-]\d{3}[.-]\d{4}(?![\d-])|(?<![\d-])0\d{2,3}-\d{7,8}(?![\d-])/giu;
const AGE_PHRASES = /\b\d{2}\s*(?:years?\s*old|y\/o|yrs?\s*old)\b|(?<![\d年])\d{2}\s*岁|\bage[d]?\s*:?\s*\d{2}\b/giu;
const BIRTH_PHRASES =
  /(?:出生于|生于)\s*\d{4}\s*(?:年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?)?|\d{4}\s*年\s*(?:\d{1,2}\s*月\s*)?(?:\d{1,2}\s*日\s*)?(?:出)?生(?!产|活|态|命|成)|\b[Bb]orn\s+(?:in\s+|on\s+)?(?:\d{1,2}\s+)?(?:[A-Z][a-z]+\s+)?(?:\d{1,2},?\s+)?\d{4}\b/gu;
// A lone gender word between separators ("男 | 28岁", "Male, 28"): not inside other words.
const LONE_GENDER = /(^|[\n|｜/,，;；(（]\s*|\s{2,})(男|女|male|female|man|woman)(?=\s*(?:$|[\n|｜/,，;；)）]))/gimu;
const PRONOUNS = /\b(?:she|he|they|ze|xe)\s*\/\s*(?:her|him|them|hir|zir|xem)(?:\s*\/\s*(?:hers|his|theirs|hirs|zirs|xyrs))?\b/giu;
const PHOTO_LINE = /^.*(?:\[(?:photo|image|照片|头像)[^\]]*\]|!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>).*$/gimu;

function count(removed: RedactedText['removed'], kind: RedactionKind, by = 1): void {
  removed[kind] = (removed[kind] ?? 0) + by;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Finds the candidate's name without an LLM: a "姓名：…"/"Name: …" field, or a first line that looks like a name. */
export function guessCandidateName(text: string): string | null {
  const labelled = /(?:^|[\n|｜])\s*(?:姓\s*名|name|full name)\s*[:：]\s*([^\n|｜,，;；]{1,60})/iu.exec(text);
  const fromLabel = labelled?.[1]?.trim();
  if (fromLabel) return fromLabel;
  for (const line of text.split('\n').slice(0, 5)) {
    const candidate = line.trim();
    if (!candidate) continue;
    if (/^\p{Script=Han}{2,4}$/u.test(candidate)) return candidate;
    if (/^\p{Lu}[\p{L}'’.-]+(?:\s+\p{Lu}[\p{L}'’.-]+){1,3}$/u.test(candidate) && !/resume|curriculum|vitae|简历/i.test(candidate)) return candidate;
    // "张伟 | Java 工程师" or "Jane Doe — Senior Engineer": a name before a separator on the first line.
    const head = /^(\p{Script=Han}{2,4}|\p{Lu}[\p{L}'’.-]+(?:\s+\p{Lu}[\p{L}'’.-]+){1,3})\s*[|｜—–\-·,，]/u.exec(candidate)?.[1];
    if (head && !/resume|curriculum|简历/i.test(head)) return head;
    return null;
  }
  return null;
}

/**
 * Removes name, gender, age and birth date, photo references and contact details (emails, phones, URLs, addresses) from a
 * resume before any LLM sees it. Deterministic: regular expressions plus the candidate's name (given, or guessed).
 */
export function redactResume(input: string, options: { name?: string | null } = {}): RedactedText {
  const removed: RedactedText['removed'] = {};
  let text = input;
  const name = options.name?.trim() || guessCandidateName(input);

  // Emails and URLs first: they contain characters the labelled-field patterns would split on.
  text = text.replace(EMAIL, () => (count(removed, 'email'), REDACTED));
  text = text.replace(URL_PATTERN, () => (count(removed, 'url'), REDACTED));
  text = text.replace(PRONOUNS, () => (count(removed, 'gender'), REDACTED));
  text = text.replace(PHOTO_LINE, () => (count(removed, 'photo'), REDACTED));

  for (const [kind, label] of LABELS) {
    const value = kind === 'address' || kind === 'birth-date' ? LONG_VALUE : VALUE;
    const pattern = new RegExp(`${SEP_BEFORE}(\\s*(?:${label})\\s*[:：]\\s*)(${value})`, 'gimu');
    text = text.replace(pattern, (whole: string, before: string, labelPart: string, value: string) => {
      if (value.trim().length === 0 || value.trim() === REDACTED) return whole;
      count(removed, kind);
      return `${before}${labelPart}${REDACTED}${/\s*$/.exec(value)?.[0] ?? ''}`;
    });
  }

  text = text.replace(PHONE, (match: string) => {
    // Year ranges such as "2019-2021" are not phones; the patterns above need at least 10 digits or a + prefix.
    if (match.replace(/\D/g, '').length < 7) return match;
    count(removed, 'phone');
    return REDACTED;
  });
  text = text.replace(BIRTH_PHRASES, () => (count(removed, 'birth-date'), REDACTED));
  text = text.replace(AGE_PHRASES, () => (count(removed, 'age'), REDACTED));
  text = text.replace(LONE_GENDER, (_whole: string, before: string) => (count(removed, 'gender'), `${before}${REDACTED}`));

  if (name && name !== REDACTED) {
    const variants = new Set([name]);
    const isLatin = /^[\p{Script=Latin}'’.\s-]+$/u.test(name);
    if (isLatin) {
      // "Jane Q. Doe" is also "Jane Doe", "Doe" and "Jane" further down the page.
      for (const part of name.split(/\s+/)) if (part.replace(/\./g, '').length >= 3) variants.add(part);
    } else {
      variants.add(name.replace(/\s+/g, ''));
      // A spaced-out Chinese name in PDF text ("张 伟").
      variants.add([...name.replace(/\s+/g, '')].join(' '));
    }
    const sorted = [...variants].sort((a, b) => b.length - a.length);
    const pattern = new RegExp(
      sorted.map((variant) => (isLatin ? `\\b${escapeRegExp(variant)}\\b` : escapeRegExp(variant))).join('|'),
      isLatin ? 'giu' : 'gu',
    );
    text = text.replace(pattern, () => (count(removed, 'name'), CANDIDATE));
  }
  return { text, removed };
}
