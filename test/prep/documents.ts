/**
 * Builders of real resume files for the preparation tests: PDFs (pdf-lib, with an embedded CJK font for Chinese),
 * .docx (docx), an image-only "scanned" PDF and a password-protected PDF.
 */
import { existsSync, readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import { PDFDocument, StandardFonts, type PDFFont } from 'pdf-lib';

/** Noto Sans CJK ships with Debian as a collection (.ttc); index 2 is the Simplified Chinese face. */
const CJK_COLLECTION = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
const CJK_COLLECTION_INDEX = 2;

let cjkFont: Uint8Array | undefined;

/** True when the CJK font the Chinese PDF tests embed is on this machine. */
export function hasCjkFont(): boolean {
  return existsSync(CJK_COLLECTION);
}

/**
 * One face of a TrueType/OpenType collection as a standalone font file. fontkit opens a .ttc as a collection, which
 * pdf-lib cannot subset, so the face's tables are copied into a plain sfnt with rewritten offsets.
 */
export function fontFromCollection(collection: Buffer, index: number): Buffer {
  if (collection.toString('latin1', 0, 4) !== 'ttcf') return collection;
  const fontCount = collection.readUInt32BE(8);
  if (index >= fontCount) throw new Error(`font collection has ${fontCount} faces, no index ${index}`);
  const offset = collection.readUInt32BE(12 + 4 * index);
  const tableCount = collection.readUInt16BE(offset + 4);
  const headerLength = 12 + 16 * tableCount;
  const tables = Array.from({ length: tableCount }, (_, i) => {
    const record = offset + 12 + 16 * i;
    return {
      tag: collection.subarray(record, record + 4),
      checksum: collection.readUInt32BE(record + 4),
      offset: collection.readUInt32BE(record + 8),
      length: collection.readUInt32BE(record + 12),
    };
  });
  const padded = (length: number): number => (length + 3) & ~3;
  const out = Buffer.alloc(headerLength + tables.reduce((sum, table) => sum + padded(table.length), 0));
  collection.copy(out, 0, offset, offset + 12);
  let position = headerLength;
  tables.forEach((table, i) => {
    const record = 12 + 16 * i;
    table.tag.copy(out, record);
    out.writeUInt32BE(table.checksum, record + 4);
    out.writeUInt32BE(position, record + 8);
    out.writeUInt32BE(table.length, record + 12);
    collection.copy(out, position, table.offset, table.offset + table.length);
    position += padded(table.length);
  });
  return out;
}

function loadCjkFont(): Uint8Array {
  cjkFont ??= fontFromCollection(readFileSync(CJK_COLLECTION), CJK_COLLECTION_INDEX);
  return cjkFont;
}

/** Options of {@link makePdf}. */
export interface PdfOptions {
  /** Embed the CJK font (needed for any Chinese text). */
  cjk?: boolean;
  /** Drawn at the top of every page. */
  header?: string;
  /** Drawn at the bottom of every page; `{page}` and `{pages}` are replaced. */
  footer?: string;
}

/** A real PDF whose text layer holds `pages` (one string per page, lines split on \n). */
export async function makePdf(pages: string[], options: PdfOptions = {}): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  let font: PDFFont;
  if (options.cjk) {
    document.registerFontkit(fontkit);
    font = await document.embedFont(loadCjkFont(), { subset: true });
  } else {
    font = await document.embedFont(StandardFonts.Helvetica);
  }
  const size = 11;
  pages.forEach((pageText, index) => {
    const page = document.addPage([595, 842]);
    let y = 800;
    if (options.header) page.drawText(options.header, { x: 50, y: 815, size: 9, font });
    for (const line of pageText.split('\n')) {
      page.drawText(line, { x: 50, y, size, font });
      y -= size * 1.6;
    }
    if (options.footer) {
      const footer = options.footer.replace('{page}', String(index + 1)).replace('{pages}', String(pages.length));
      page.drawText(footer, { x: 270, y: 30, size: 9, font });
    }
  });
  return document.save();
}

/** A "scanned" PDF: every page is an image, there is no text layer. */
export async function makeScannedPdf(pageCount = 2): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  // A 1x1 PNG stretched over the page stands in for the scan.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
  const image = await document.embedPng(png);
  for (let i = 0; i < pageCount; i++) document.addPage([595, 842]).drawImage(image, { x: 0, y: 0, width: 595, height: 842 });
  return document.save();
}

/**
 * A PDF protected by a user password (Standard security handler, RC4 40-bit). The /U entry does not match the empty
 * password, so a reader must ask for one — which is all pdf.js needs to refuse it.
 */
export function makeEncryptedPdf(): Uint8Array {
  const hex32 = (seed: number): string =>
    Array.from({ length: 32 }, (_, i) => ((seed * 31 + i * 17) & 0xff).toString(16).padStart(2, '0')).join('');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>',
    '<< /Length 8 >>\nstream\n\x01\x02\x03\x04\x05\x06\x07\x08\nendstream',
    `<< /Filter /Standard /V 1 /R 2 /O <${hex32(7)}> /U <${hex32(11)}> /P -44 >>`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xrefAt = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  const id = '0123456789abcdef0123456789abcdef';
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 5 0 R /ID [<${id}> <${id}>] >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(body, 'latin1'));
}

/** A real .docx: first line as a heading, then one paragraph per line ("- " lines become bullet-glyph paragraphs). */
export async function makeDocx(text: string): Promise<Uint8Array> {
  const [first = '', ...rest] = text.split('\n');
  const children = [
    new Paragraph({ heading: HeadingLevel.HEADING_1, alignment: AlignmentType.CENTER, children: [new TextRun(first)] }),
    ...rest.map((line) =>
      line.startsWith('- ') ? new Paragraph({ children: [new TextRun(`• ${line.slice(2)}`)] }) : new Paragraph({ children: [new TextRun(line)] }),
    ),
  ];
  const buffer = await Packer.toBuffer(new Document({ sections: [{ children }] }));
  return new Uint8Array(buffer);
}
