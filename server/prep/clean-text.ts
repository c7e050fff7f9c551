/** Bullet glyphs seen in resumes (Word's Symbol-font bullet U+F0B7 and friends included), normalised to "- ". */
const BULLET = /^[ \t]*[•●▪■◆◇◦○·‣⁃➢➤►▶✓✔❖\uf0b7\uf0a7\uf076\uf0d8\uf0fc*–—][ \t]+/gmu;

/** A line that is only a page number: "3", "- 3 -", "Page 3", "Page 3 of 5", "3/5", "第 3 页", "第3页 共5页". */
const PAGE_NUMBER_LINE =
  /^\s*(?:[-–—]?\s*\d{1,3}\s*[-–—]?|(?:page|p\.)\s*\d{1,3}(?:\s*(?:of|\/)\s*\d{1,3})?|\d{1,3}\s*(?:of|\/)\s*\d{1,3}|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*\/\s*\d{1,3}\s*页)\s*$/i;

/** Page-number lines that cannot be content anywhere they appear (unlike a bare "2019"). */
const EXPLICIT_PAGE_NUMBER_LINE = /^\s*(?:(?:page|p\.)\s*\d{1,3}(?:\s*(?:of|\/)\s*\d{1,3})?|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?)\s*$/i;

const HAN = '\\p{Script=Han}';
const BETWEEN_HAN_SPACE = new RegExp(`(${HAN}) (?=${HAN})`, 'gu');

/** Normalises whitespace, bullets, hyphenation and CJK spacing of text from any source. */
export function cleanText(raw: string): string {
  let text = raw
    .replace(/\r\n?/g, '\n')
    .replace(/\f/g, '\n')
    .replace(/[\u200b-\u200d\u2060\ufeff\u00ad]/g, '')
    .replace(/[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]/g, ' ');
  text = text.replace(BULLET, '- ');
  // A word broken over two lines ("experi-\nence"): rejoin only letter-hyphen-newline-lowercase.
  text = text.replace(/(\p{L})-\n[ ]*(\p{Ll})/gu, '$1$2');
  text = text
    .split('\n')
    .map((line) => line.replace(/ {2,}/g, ' ').trim())
    .filter((line) => !EXPLICIT_PAGE_NUMBER_LINE.test(line))
    .join('\n');
  return text.replace(/\n{3,}/g, '\n\n').trim();
}

/** Lines compared with digits masked, so "Page 1 of 3" and "Page 2 of 3" count as the same footer. */
const signature = (line: string): string => line.trim().toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ');

/** How many lines at the top and bottom of a page may hold running headers, footers and page numbers. */
const EDGE_LINES = 3;

/** Cleans PDF pages: drops running headers/footers repeated on most pages and page-number lines at page edges, then joins. */
export function cleanPages(pages: string[]): string {
  const pageLines = pages.map((page) =>
    page
      .replace(/\r\n?/g, '\n')
      .split('\n')
      .filter((line) => line.trim().length > 0),
  );
  const repeated = new Set<string>();
  if (pages.length >= 2) {
    const counts = new Map<string, number>();
    for (const lines of pageLines) {
      const edges = new Set([...lines.slice(0, EDGE_LINES), ...lines.slice(-EDGE_LINES)].map(signature));
      for (const edge of edges) counts.set(edge, (counts.get(edge) ?? 0) + 1);
    }
    // Repeated on at least half the pages (and at least two) at the same edge: a running header or footer.
    const threshold = Math.max(2, Math.ceil(pages.length / 2));
    for (const [edge, count] of counts) if (count >= threshold && edge.length > 0) repeated.add(edge);
  }
  const seen = new Set<string>();
  const kept = pageLines.map((lines) =>
    lines
      .filter((line, index) => {
        const atEdge = index < EDGE_LINES || index >= lines.length - EDGE_LINES;
        if (!atEdge) return true;
        if (PAGE_NUMBER_LINE.test(line)) return false;
        const key = signature(line);
        if (!repeated.has(key)) return true;
        // Keep a running header once (it is often the candidate's name), drop its repeats.
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .join('\n'),
  );
  // PDF text layers often space out Chinese characters ("张 伟"): there, a space between two Han characters is layout.
  return cleanText(kept.join('\n\n')).replace(BETWEEN_HAN_SPACE, '$1');
}

/** Collapses all whitespace to single spaces (and none between Han characters), for comparing quotes with their source. */
export function normalizeForMatch(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u200b-\u200d\u2060\ufeff\u00ad]/g, '')
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/\s+/g, ' ')
    // Spacing next to Chinese text varies between the source and a model's quote ("负责 Java" vs "负责Java").
    .replace(/ (?=[\p{Script=Han}\u3000-\u303f\uff00-\uffef])|(?<=[\p{Script=Han}\u3000-\u303f\uff00-\uffef]) /gu, '')
    .trim()
    .toLowerCase();
}
