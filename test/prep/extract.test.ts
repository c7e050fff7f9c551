import { describe, expect, it } from 'vitest';
import { cleanPages, cleanText } from '../../server/prep/clean-text.ts';
import { detectDocumentKind, ExtractError, extractText } from '../../server/prep/extract.ts';
import { hasCjkFont, makeDocx, makeEncryptedPdf, makePdf, makeScannedPdf } from './documents.ts';

async function extractError(bytes: Uint8Array, options: Parameters<typeof extractText>[1] = {}): Promise<ExtractError> {
  try {
    await extractText(bytes, options);
  } catch (error) {
    if (error instanceof ExtractError) return error;
    throw error;
  }
  throw new Error('expected extraction to fail');
}

describe('extractText on real files', () => {
  it('reads an English PDF and removes running headers, page numbers and hyphenation', async () => {
    const pdf = await makePdf(
      [
        'Jane Doe\nSenior backend engineer with experi-\nence in Go and Kubernetes.\n• Led the migration of 40 services',
        'Acme Corp 2019-2023\n– Built a Kafka pipeline handling 2M events/s',
        'Education\nMSc Computer Science, 2015',
      ],
      { header: 'Jane Doe - Curriculum Vitae', footer: 'Page {page} of {pages}' },
    );
    const result = await extractText(pdf);
    expect(result.kind).toBe('pdf');
    expect(result.pageCount).toBe(3);
    expect(result.text).toContain('experience in Go and Kubernetes.');
    expect(result.text).toContain('- Led the migration of 40 services');
    expect(result.text).toContain('- Built a Kafka pipeline handling 2M events/s');
    expect(result.text).not.toMatch(/Page \d of 3/);
    // The running header is kept once (it often carries the name), not three times.
    expect(result.text.match(/Curriculum Vitae/g)).toHaveLength(1);
    expect(result.text).not.toMatch(/ {2}|\n{3}/);
  });

  it.skipIf(!hasCjkFont())('reads a Chinese PDF with an embedded CJK font', async () => {
    const pdf = await makePdf(['张伟\n姓名：张伟 | 性别：男 | 年龄：28\n● 负责 Go 微服务开发，日均请求 3 亿次', '项目经历\n支付系统重构'], {
      cjk: true,
      footer: '第 {page} 页 共 {pages} 页',
    });
    const result = await extractText(pdf);
    expect(result.kind).toBe('pdf');
    expect(result.text).toContain('姓名：张伟 | 性别：男 | 年龄：28');
    expect(result.text).toContain('- 负责 Go 微服务开发，日均请求 3 亿次');
    expect(result.text).toContain('支付系统重构');
    expect(result.text).not.toContain('第 1 页');
    expect(result.text).not.toContain('共 2 页');
  });

  it('reads English and Chinese .docx files, normalising bullets', async () => {
    const english = await extractText(await makeDocx('Jane Doe\nExperience\n- Designed a PostgreSQL sharding scheme'));
    expect(english.kind).toBe('docx');
    expect(english.text).toBe('Jane Doe\nExperience\n- Designed a PostgreSQL sharding scheme');
    const chinese = await extractText(await makeDocx('张伟\n工作经历\n- 主导支付系统重构，QPS 提升 3 倍'));
    expect(chinese.text).toBe('张伟\n工作经历\n- 主导支付系统重构，QPS 提升 3 倍');
  });

  it('detects the type from the bytes, not the name', async () => {
    const docx = await makeDocx('Jane Doe');
    const pdf = await makePdf(['Jane Doe']);
    expect(detectDocumentKind(docx)).toEqual({ kind: 'docx' });
    expect(detectDocumentKind(pdf)).toEqual({ kind: 'pdf' });
    expect(detectDocumentKind(new TextEncoder().encode('# Jane\nGo developer'))).toEqual({ kind: 'text' });
  });

  it('reads plain text, Markdown, UTF-16 and GB18030 text', async () => {
    const markdown = await extractText(new TextEncoder().encode('# Jane Doe\n\n**Skills**: Go, [Kubernetes](https://k8s.io)\n\n* item one\n\n\n\n'));
    expect(markdown.text).toBe('Jane Doe\n\nSkills: Go, Kubernetes (https://k8s.io)\n\n- item one');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('张伟 Go', 'utf16le')]);
    expect((await extractText(utf16)).text).toBe('张伟 Go');
    // "张伟 简历" in GB18030, as older Chinese Windows tools save text.
    const gbk = await extractText(new Uint8Array([0xd5, 0xc5, 0xce, 0xb0, 0x20, 0xbc, 0xf2, 0xc0, 0xfa]));
    expect(gbk.text).toBe('张伟 简历');
    expect(gbk.warnings).toContain('decoded as gb18030');
  });

  it('reports a scanned PDF (images only, no text layer)', async () => {
    const error = await extractError(await makeScannedPdf(2));
    expect(error.code).toBe('scanned-pdf');
    expect(error.message).toBe('scanned PDF: no text layer (OCR is not supported)');
  });

  it('reports encrypted, corrupt and unsupported files clearly', async () => {
    expect((await extractError(makeEncryptedPdf())).code).toBe('encrypted');
    const pdf = await makePdf(['Jane Doe, Go developer']);
    const truncated = await extractError(pdf.slice(0, Math.floor(pdf.length / 3)));
    expect(truncated.code).toBe('corrupt');
    expect(truncated.message).toMatch(/corrupt or unreadable PDF/);
    const docx = await makeDocx('Jane Doe');
    const truncatedDocx = await extractError(docx.slice(0, 400));
    expect(truncatedDocx.code).toBe('corrupt');
    expect(truncatedDocx.message).toBe('corrupt or truncated .docx (the zip archive is incomplete)');
    // A complete zip whose document part is garbage: mammoth's own error, reported as corrupt.
    const garbled = Buffer.from(docx);
    const at = garbled.indexOf('word/document.xml');
    garbled.fill(0x41, at + 40, at + 400);
    const brokenDocx = await extractError(new Uint8Array(garbled));
    expect(brokenDocx.code).toBe('corrupt');
    expect(brokenDocx.message).toMatch(/corrupt or unreadable \.docx/);
    const legacyDoc = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
    expect((await extractError(legacyDoc)).message).toMatch(/legacy Word \.doc/);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    expect((await extractError(png)).message).toMatch(/PNG image: OCR is not supported/);
    const binary = new Uint8Array(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256));
    expect((await extractError(binary)).code).toBe('unsupported-type');
    expect((await extractError(new Uint8Array())).code).toBe('empty-file');
    expect((await extractError(new TextEncoder().encode(' \n\t\n'))).code).toBe('no-text');
  });

  it('enforces size, page and length limits', async () => {
    const big = new TextEncoder().encode('Go developer. '.repeat(1000));
    const tooLarge = await extractError(big, { maxBytes: 1024 });
    expect(tooLarge.code).toBe('too-large');
    expect(tooLarge.message).toMatch(/larger than the 1 KiB limit/);
    const pages = await makePdf(['one page of text here', 'two pages of text here', 'three pages of text']);
    expect((await extractError(pages, { maxPages: 2 })).code).toBe('too-many-pages');
    const cut = await extractText(big, { maxChars: 100 });
    expect(cut.text).toHaveLength(100);
    expect(cut.warnings[0]).toMatch(/cut to the first 100 characters/);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await extractError(await makePdf(['Jane Doe']), { signal: controller.signal })).code).toBe('aborted');
  });
});

describe('cleanText / cleanPages', () => {
  it('removes layout noise but keeps content that looks like a page number mid-page', () => {
    const pages = ['Header Co\nJane Doe\n2019\nGo developer\n1', 'Header Co\nMore text\nLast line\n2'];
    expect(cleanPages(pages)).toBe('Header Co\nJane Doe\n2019\nGo developer\n\nMore text\nLast line');
  });

  it('normalises whitespace, zero-width characters and bullet glyphs', () => {
    expect(cleanText('a\u00a0\u00a0b\u200b c\r\n\uf0b7 item\n\n\n\n▪ next\t\tx')).toBe('a b c\n- item\n\n- next x');
  });

  it('joins Chinese characters spaced out by a PDF text layer', () => {
    expect(cleanPages(['张 伟 负 责 Go 开 发'])).toBe('张伟负责 Go 开发');
  });
});
