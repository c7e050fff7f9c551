/**
 * Readable text of follow-ups while they stream. Models asked for JSON stream `{"suggestions":[{"question":"…`;
 * showing that raw is noise, so the question strings (the last one possibly unfinished) are pulled out.
 * Plain-text streams are returned as they are.
 */
export function readableFollowUpStream(raw: string): { questions: string[] } | { text: string } {
  const trimmed = raw.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[') && !trimmed.startsWith('```')) return { text: raw };
  const questions: string[] = [];
  const pattern = /"question"\s*:\s*"((?:[^"\\]|\\.)*)("?)/g;
  for (const match of trimmed.matchAll(pattern)) {
    const body = match[1] ?? '';
    questions.push(unescapeJson(body, match[2] === '"'));
  }
  return { questions: questions.filter((q) => q.trim() !== '') };
}

function unescapeJson(body: string, closed: boolean): string {
  // An unfinished string may end in half an escape sequence; drop it rather than show a backslash.
  const safe = closed ? body : body.replace(/\\(u[0-9a-fA-F]{0,3})?$/, '');
  try {
    return JSON.parse(`"${safe}"`) as string;
  } catch {
    return safe;
  }
}
