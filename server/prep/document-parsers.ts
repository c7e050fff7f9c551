import mammoth from 'mammoth';
import { getDocumentProxy } from 'unpdf';
import { ExtractError } from './extract-error.ts';

// The parsers of binary documents. They run in a worker thread (parse-in-worker.ts) with memory and time limits: a
// hostile PDF or .docx can exhaust the worker, never the server.

/** Reads each page's text layer; items on a new baseline start a new line. */
export async function extractPdf(input: Uint8Array, maxPages: number): Promise<{ pages: string[] }> {
  let document: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // A copy: pdf.js may transfer (detach) the buffer it is given, and the caller still owns `input`.
    document = await getDocumentProxy(new Uint8Array(input), { verbosity: 0 });
  } catch (error) {
    throw pdfError(error);
  }
  try {
    if (document.numPages > maxPages) {
      throw new ExtractError('too-many-pages', `the PDF has ${document.numPages} pages, more than the ${maxPages}-page limit`);
    }
    const pages: string[] = [];
    for (let pageNumber = 1; pageNumber <= document.numPages; pageNumber++) {
      const page = await document.getPage(pageNumber);
      const content = await page.getTextContent();
      let text = '';
      let lastY: number | undefined;
      for (const item of content.items) {
        if (!('str' in item)) continue;
        const y = item.transform[5] as number;
        const fontSize = Math.hypot(item.transform[2] as number, item.transform[3] as number) || 10;
        // pdf.js marks most line ends with hasEOL, but not a move to a new baseline between two items.
        if (lastY !== undefined && Math.abs(y - lastY) > fontSize * 0.5 && !text.endsWith('\n')) text += '\n';
        text += item.str;
        if (item.hasEOL) text += '\n';
        lastY = y;
      }
      pages.push(text);
      page.cleanup();
    }
    return { pages };
  } catch (error) {
    throw error instanceof ExtractError ? error : pdfError(error);
  } finally {
    await document.loadingTask.destroy();
  }
}

function pdfError(error: unknown): ExtractError {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'PasswordException' || /password/i.test(message)) {
    return new ExtractError('encrypted', 'password-protected PDF: remove the password and upload it again');
  }
  return new ExtractError('corrupt', `corrupt or unreadable PDF (${message})`);
}

/** The raw text of a .docx, one line per paragraph. */
export async function extractDocx(input: Uint8Array): Promise<string> {
  try {
    const result = await mammoth.extractRawText({ buffer: Buffer.from(input) });
    // mammoth ends every paragraph with a blank line; a resume's paragraphs are its lines.
    return result.value.replace(/\n\n/g, '\n');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ExtractError('corrupt', `corrupt or unreadable .docx (${message})`);
  }
}
