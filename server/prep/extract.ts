import { cleanPages, cleanText } from './clean-text.ts';
import { ExtractError } from './extract-error.ts';
import { parseDocumentInWorker, type WorkerLimits } from './parse-in-worker.ts';
import { checkZipLimits, type ZipLimits } from './zip-limits.ts';

export { ExtractError, type ExtractErrorCode } from './extract-error.ts';

/** File kinds Viva reads text from, found by magic bytes (never by the file name). */
export type DocumentKind = 'pdf' | 'docx' | 'text';

/** Limits that keep one hostile or huge upload from stalling the server. */
export interface ExtractOptions {
  /** Largest accepted input; default 10 MiB. */
  maxBytes?: number;
  /** Largest accepted PDF page count; default 50. */
  maxPages?: number;
  /** Text beyond this is cut (with a warning); default 100 000, the live session's resume limit. */
  maxChars?: number;
  /** Limits on a .docx's zip archive (entries, unpacked size, ratio), checked before it is unpacked. */
  zip?: ZipLimits;
  /** Time and memory of the worker thread that parses a PDF or .docx. */
  worker?: WorkerLimits;
  signal?: AbortSignal;
}

/** Clean text of a document plus what was noticed on the way. */
export interface ExtractedText {
  text: string;
  kind: DocumentKind;
  /** PDF page count; undefined for other kinds. */
  pageCount?: number;
  /** Non-fatal findings (truncated, pages without a text layer, legacy encoding). */
  warnings: string[];
}

/** Default limits, exported so the API and CLI can report them. */
export const EXTRACT_DEFAULTS = { maxBytes: 10 * 1024 * 1024, maxPages: 50, maxChars: 100_000 } as const;

/** Fewer visible characters than this in a whole PDF means there is no usable text layer. */
const MIN_PDF_TEXT_CHARS = 20;

type Detected =
  | { kind: DocumentKind }
  | { kind: 'unsupported'; code: 'unsupported-type' | 'encrypted' | 'corrupt'; message: string };

const startsWith = (bytes: Uint8Array, magic: number[], offset = 0): boolean =>
  magic.every((byte, index) => bytes[offset + index] === byte);

const asciiIncludes = (bytes: Uint8Array, needle: string, limit = bytes.length): boolean =>
  Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(limit, bytes.length)).includes(needle, 0, 'latin1');

/** Says what a file is from its first bytes; a renamed .pdf that is really a .docx is read as a .docx. */
export function detectDocumentKind(bytes: Uint8Array): Detected {
  // PDF readers accept the header anywhere in the first KiB (some generators prepend junk).
  if (asciiIncludes(bytes, '%PDF-', 1024)) return { kind: 'pdf' };
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    // Every complete zip ends with an end-of-central-directory record (within the last 64 KiB + 22 bytes).
    const tail = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).subarray(Math.max(0, bytes.length - 65_557));
    if (!tail.includes(Buffer.from([0x50, 0x4b, 0x05, 0x06]))) {
      return { kind: 'unsupported', code: 'corrupt', message: 'corrupt or truncated .docx (the zip archive is incomplete)' };
    }
    // Zip names are stored uncompressed, so the main part's name is visible in the raw bytes.
    if (asciiIncludes(bytes, 'word/document.xml')) return { kind: 'docx' };
    return { kind: 'unsupported', code: 'unsupported-type', message: 'zip archive that is not a Word .docx document' };
  }
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    // Password-protected .docx files are OLE2 containers holding an "EncryptedPackage" stream (UTF-16 name).
    if (Buffer.from(bytes).includes(Buffer.from('EncryptedPackage', 'utf16le'))) {
      return { kind: 'unsupported', code: 'encrypted', message: 'password-protected Word document: remove the password and upload it again' };
    }
    return { kind: 'unsupported', code: 'unsupported-type', message: 'legacy Word .doc (or other OLE2) file: save it as .docx or PDF' };
  }
  if (startsWith(bytes, [0x7b, 0x5c, 0x72, 0x74, 0x66])) {
    return { kind: 'unsupported', code: 'unsupported-type', message: 'RTF document: save it as .docx or PDF' };
  }
  const images: Array<[number[], string]> = [
    [[0x89, 0x50, 0x4e, 0x47], 'PNG'],
    [[0xff, 0xd8, 0xff], 'JPEG'],
    [[0x47, 0x49, 0x46, 0x38], 'GIF'],
    [[0x49, 0x49, 0x2a, 0x00], 'TIFF'],
    [[0x4d, 0x4d, 0x00, 0x2a], 'TIFF'],
  ];
  for (const [magic, name] of images) {
    if (startsWith(bytes, magic)) {
      return { kind: 'unsupported', code: 'unsupported-type', message: `${name} image: OCR is not supported, upload a PDF with a text layer, a .docx or text` };
    }
  }
  if (decodeText(bytes) !== undefined) return { kind: 'text' };
  return { kind: 'unsupported', code: 'unsupported-type', message: 'unrecognised binary file: expected PDF, .docx, plain text or Markdown' };
}

/** Decodes text in UTF-8/UTF-16 (by BOM) or, failing UTF-8, GB18030 (older Chinese files); undefined when it is binary. */
function decodeText(bytes: Uint8Array): { text: string; encoding: string } | undefined {
  if (startsWith(bytes, [0xff, 0xfe])) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (startsWith(bytes, [0xfe, 0xff])) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  for (const encoding of ['utf-8', 'gb18030']) {
    let text: string;
    try {
      text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
    } catch {
      continue;
    }
    if (looksLikeText(text)) return { text: text.replace(/^\uFEFF/, ''), encoding };
  }
  return undefined;
}

/** Text has (almost) no control characters other than tab/newline; binaries are full of them. */
function looksLikeText(text: string): boolean {
  if (text.includes('\u0000')) return false;
  const sample = text.slice(0, 10_000);
  const controls = sample.match(/[\u0001-\u0008\u000e-\u001f\u007f]/g)?.length ?? 0;
  return controls <= sample.length * 0.01;
}

/** Turns a resume or job description (PDF, .docx, text, Markdown) into clean text, or throws ExtractError. */
export async function extractText(input: Uint8Array, options: ExtractOptions = {}): Promise<ExtractedText> {
  const maxBytes = options.maxBytes ?? EXTRACT_DEFAULTS.maxBytes;
  const maxChars = options.maxChars ?? EXTRACT_DEFAULTS.maxChars;
  throwIfAborted(options.signal);
  if (input.length === 0) throw new ExtractError('empty-file', 'the file is empty');
  if (input.length > maxBytes) {
    throw new ExtractError('too-large', `the file is ${formatBytes(input.length)}, larger than the ${formatBytes(maxBytes)} limit`);
  }
  const detected = detectDocumentKind(input);
  if (detected.kind === 'unsupported') throw new ExtractError(detected.code, detected.message);

  const warnings: string[] = [];
  let text: string;
  let pageCount: number | undefined;
  if (detected.kind === 'pdf') {
    const pdf = await parseDocumentInWorker(
      { kind: 'pdf', bytes: input, maxPages: options.maxPages ?? EXTRACT_DEFAULTS.maxPages },
      { ...options.worker, signal: options.signal },
    );
    if (!('pages' in pdf)) throw new ExtractError('corrupt', 'corrupt or unreadable PDF (no pages)');
    pageCount = pdf.pages.length;
    text = cleanPages(pdf.pages);
    const visible = text.replace(/\s/g, '').length;
    if (visible < MIN_PDF_TEXT_CHARS) {
      throw new ExtractError('scanned-pdf', 'scanned PDF: no text layer (OCR is not supported)');
    }
    const blankPages = pdf.pages.flatMap((page, index) => (page.replace(/\s/g, '').length === 0 ? [index + 1] : []));
    if (blankPages.length > 0) warnings.push(`pages without a text layer (scanned?): ${blankPages.join(', ')}`);
  } else if (detected.kind === 'docx') {
    checkZipLimits(input, options.zip);
    const docx = await parseDocumentInWorker({ kind: 'docx', bytes: input, maxPages: 0 }, { ...options.worker, signal: options.signal });
    if (!('text' in docx)) throw new ExtractError('corrupt', 'corrupt or unreadable .docx (no text)');
    text = cleanText(docx.text);
  } else {
    const decoded = decodeText(input);
    if (!decoded) throw new ExtractError('unsupported-type', 'unrecognised text encoding');
    if (decoded.encoding !== 'utf-8') warnings.push(`decoded as ${decoded.encoding}`);
    text = cleanText(stripMarkdown(decoded.text));
  }
  throwIfAborted(options.signal);
  if (text.replace(/\s/g, '').length === 0) throw new ExtractError('no-text', 'the document contains no text');
  if (text.length > maxChars) {
    text = text.slice(0, maxChars);
    warnings.push(`text cut to the first ${maxChars} characters`);
  }
  return { text, kind: detected.kind, ...(pageCount === undefined ? {} : { pageCount }), warnings };
}

/** Drops Markdown syntax that carries no meaning for a reader (heading marks, emphasis, link targets kept as text). */
function stripMarkdown(text: string): string {
  return text
    .replace(/^```[^\n]*$/gm, '')
    .replace(/^\s{0,3}#{1,6}\s+/gm, '')
    .replace(/!\[([^\]]*)\]\(([^)]*)\)/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '$1 ($2)')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/^\s{0,3}>\s?/gm, '')
    .replace(/^\s*([-*_])(\s*\1){2,}\s*$/gm, '');
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ExtractError('aborted', 'text extraction was cancelled');
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}
