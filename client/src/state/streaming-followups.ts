/**
 * Readable follow-up drafts while they stream. The server streams plain question text, one question per line (it
 * unpacks the model's JSON itself, see server/analysis/followups.ts), so the text is shown as it is: a question that
 * happens to start with "[" or "{" is a question, not JSON to parse.
 */
export function followUpDrafts(streamText: string): string[] {
  return streamText.split('\n').filter((line) => line.trim() !== '');
}
