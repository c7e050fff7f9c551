/**
 * Prompt files: every prompt lives in prompts/<name>.<language>.md with a version in front matter and {{placeholders}}.
 * Rendering fails loudly when a value is missing, so a renamed field never silently sends "undefined" to a model.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Rubric, type Language } from '../protocol/schemas.ts';

/** Languages prompts are written in. */
export type PromptLanguage = 'en' | 'zh';

/** Languages every prompt must exist in. */
export const PROMPT_LANGUAGES: readonly PromptLanguage[] = ['en', 'zh'];

/** A value a template can use: text or a number, a list or an object for sections, a flag, or nothing. */
export type PromptValue = string | number | boolean | null | undefined | PromptValues | PromptValues[] | string[];

/** The context object a template renders with. */
export interface PromptValues {
  [key: string]: PromptValue;
}

/** A rendered prompt with the version recorded next to whatever it produced. */
export interface RenderedPrompt {
  name: string;
  language: PromptLanguage;
  /** From front matter, e.g. 'answer-score@1'. */
  version: string;
  text: string;
}

/** A prompt file that is missing, malformed, or rendered without a value it needs. */
export class PromptError extends Error {
  override readonly name = 'PromptError';
}

/** Loads, caches and renders prompt files. */
export interface PromptLibrary {
  /** Directory the files are read from. */
  readonly dir: string;
  /** Renders prompts/<name>.<language>.md with `values`; throws PromptError on a missing value or file. */
  render(name: string, language: PromptLanguage, values: PromptValues): RenderedPrompt;
  /** The version in the file's front matter. */
  version(name: string, language: PromptLanguage): string;
  /** The default rubric (prompts/rubric.default.json) with names and descriptions in `language`. */
  defaultRubric(language: PromptLanguage): Rubric;
}

/** The repository's prompts/ directory. */
export function defaultPromptsDir(): string {
  return fileURLToPath(new URL('../prompts/', import.meta.url));
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'var'; name: string }
  | { kind: 'section'; name: string; inverted: boolean; children: Node[] };

interface Template {
  version: string;
  nodes: Node[];
  file: string;
}

const TAG = /\{\{\s*([#^/]?)\s*([A-Za-z_][\w.]*|\.)\s*\}\}/g;
const STANDALONE_SECTION_LINE = /^[ \t]*(\{\{\s*[#^/]\s*[A-Za-z_][\w.]*\s*\}\})[ \t]*\r?\n/gm;

/** Creates a prompt library reading from `dir` (default: the repository's prompts/). Files are read once and cached. */
export function createPromptLibrary(options: { dir?: string } = {}): PromptLibrary {
  const dir = options.dir ?? defaultPromptsDir();
  const templates = new Map<string, Template>();
  const rubrics = new Map<PromptLanguage, Rubric>();

  const load = (name: string, language: PromptLanguage): Template => {
    if (!/^[a-z0-9-]+$/.test(name)) throw new PromptError(`invalid prompt name "${name}"`);
    const file = path.join(dir, `${name}.${language}.md`);
    const cached = templates.get(file);
    if (cached) return cached;
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (error) {
      throw new PromptError(`prompt file ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    }
    const template = parseTemplate(source, file);
    templates.set(file, template);
    return template;
  };

  return {
    dir,
    render(name, language, values) {
      const template = load(name, language);
      const text = renderNodes(template.nodes, [values], template.file)
        .replace(/[ \t]+$/gm, '')
        .replace(/\n{3,}/g, '\n\n')
        .trim();
      return { name, language, version: template.version, text };
    },
    version(name, language) {
      return load(name, language).version;
    },
    defaultRubric(language) {
      const cached = rubrics.get(language);
      if (cached) return cached;
      const file = path.join(dir, 'rubric.default.json');
      let source: unknown;
      try {
        source = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new PromptError(`rubric file ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
      }
      const parsed = LocalisedRubric.safeParse(source);
      if (!parsed.success) throw new PromptError(`rubric file ${file} is invalid: ${z.prettifyError(parsed.error)}`);
      const rubric = Rubric.parse({
        version: parsed.data.version,
        dimensions: parsed.data.dimensions.map((dimension) => ({
          id: dimension.id,
          weight: dimension.weight,
          name: dimension.name[language],
          description: dimension.description[language],
        })),
      });
      rubrics.set(language, rubric);
      return rubric;
    },
  };
}

const LocalisedText = z.object({ en: z.string().min(1), zh: z.string().min(1) });
const LocalisedRubric = z.object({
  version: z.string().min(1),
  dimensions: z
    .array(z.object({ id: z.string().regex(/^[a-z0-9_-]+$/), weight: z.number().positive(), name: LocalisedText, description: LocalisedText }))
    .min(1),
});

function parseTemplate(source: string, file: string): Template {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(source);
  if (!match) throw new PromptError(`prompt file ${file} has no front matter (---\\nversion: name@1\\n---)`);
  const version = /^version:\s*(\S+)\s*$/m.exec(match[1] ?? '')?.[1];
  if (!version) throw new PromptError(`prompt file ${file} has no "version:" in its front matter`);
  // HTML comments are notes for prompt editors, never sent to a model.
  const body = source.slice(match[0].length).replace(/<!--[\s\S]*?-->\r?\n?/g, '').replace(STANDALONE_SECTION_LINE, '$1');

  const root: Node[] = [];
  const stack: Array<{ name: string; children: Node[] }> = [{ name: '', children: root }];
  let last = 0;
  for (const tag of body.matchAll(TAG)) {
    const [whole, sigil, name] = tag;
    const current = stack[stack.length - 1];
    if (!current || name === undefined) break;
    if (tag.index > last) current.children.push({ kind: 'text', text: body.slice(last, tag.index) });
    last = tag.index + whole.length;
    if (sigil === '#' || sigil === '^') {
      const section: Node = { kind: 'section', name, inverted: sigil === '^', children: [] };
      current.children.push(section);
      stack.push({ name, children: section.children });
    } else if (sigil === '/') {
      if (stack.length === 1 || current.name !== name) {
        throw new PromptError(`prompt file ${file}: {{/${name}}} closes ${stack.length === 1 ? 'nothing' : `{{#${current.name}}}`}`);
      }
      stack.pop();
    } else {
      current.children.push({ kind: 'var', name });
    }
  }
  if (stack.length > 1) throw new PromptError(`prompt file ${file}: {{#${stack[stack.length - 1]?.name}}} is never closed`);
  if (last < body.length) stack[0]?.children.push({ kind: 'text', text: body.slice(last) });
  // A "{{" that is not a tag is almost always a typo such as "{{ role }" — refuse it rather than send it to a model.
  for (const node of flatten(root)) {
    if (node.kind === 'text' && node.text.includes('{{')) {
      throw new PromptError(`prompt file ${file}: malformed placeholder near "${node.text.slice(node.text.indexOf('{{'), node.text.indexOf('{{') + 30)}"`);
    }
  }
  return { version, nodes: root, file };
}

function flatten(nodes: Node[]): Node[] {
  return nodes.flatMap((node) => (node.kind === 'section' ? [node, ...flatten(node.children)] : [node]));
}

function lookup(name: string, scopes: unknown[], file: string): { found: boolean; value: unknown } {
  if (name === '.') return { found: true, value: scopes[scopes.length - 1] };
  const [head, ...rest] = name.split('.');
  for (let i = scopes.length - 1; i >= 0; i -= 1) {
    const scope = scopes[i];
    if (scope !== null && typeof scope === 'object' && !Array.isArray(scope) && Object.hasOwn(scope, head ?? '')) {
      let value: unknown = (scope as Record<string, unknown>)[head ?? ''];
      for (const part of rest) {
        if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) {
          throw new PromptError(`prompt file ${file}: no value for {{${name}}}`);
        }
        value = (value as Record<string, unknown>)[part];
      }
      return { found: true, value };
    }
  }
  return { found: false, value: undefined };
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === false || value === '' || (Array.isArray(value) && value.length === 0);
}

function renderNodes(nodes: Node[], scopes: unknown[], file: string): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') {
      out += node.text;
      continue;
    }
    const { found, value } = lookup(node.name, scopes, file);
    if (node.kind === 'var') {
      if (!found || value === undefined || value === null) throw new PromptError(`prompt file ${file}: no value for {{${node.name}}}`);
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new PromptError(`prompt file ${file}: {{${node.name}}} must be text or a number, got ${Array.isArray(value) ? 'a list' : typeof value}`);
      }
      out += String(value);
      continue;
    }
    // A section's key must be given (even as '' or undefined): a typo in a section name must not silently drop text.
    if (!found) throw new PromptError(`prompt file ${file}: no value for section {{#${node.name}}}`);
    if (node.inverted) {
      if (isEmpty(value)) out += renderNodes(node.children, scopes, file);
    } else if (Array.isArray(value)) {
      for (const item of value) out += renderNodes(node.children, [...scopes, item], file);
    } else if (!isEmpty(value)) {
      out += renderNodes(node.children, typeof value === 'object' ? [...scopes, value] : scopes, file);
    }
  }
  return out;
}

/**
 * The language prompts are written in for one turn: the session's when it is 'en' or 'zh'; for 'auto', the turn's
 * detected language (whisper's code, else the text's script), defaulting to English.
 */
export function resolvePromptLanguage(sessionLanguage: Language | undefined, turn: { language?: string | undefined; text?: string | undefined } = {}): PromptLanguage {
  if (sessionLanguage === 'en' || sessionLanguage === 'zh') return sessionLanguage;
  const detected = turn.language?.trim().toLowerCase();
  if (detected) {
    if (detected === 'zh' || detected.startsWith('zh-') || detected === 'yue' || detected === 'chinese') return 'zh';
    if (detected === 'en' || detected.startsWith('en-') || detected === 'english') return 'en';
  }
  return turn.text ? detectTextLanguage(turn.text) : 'en';
}

/** 'zh' when Han characters make up a fair share of the text (a Chinese character is roughly worth an English word). */
export function detectTextLanguage(text: string): PromptLanguage {
  const han = text.match(/\p{Script=Han}/gu)?.length ?? 0;
  const latinWords = text.match(/[A-Za-z]+/g)?.length ?? 0;
  return han >= 2 && han >= latinWords ? 'zh' : 'en';
}
