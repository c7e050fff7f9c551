/** CSS.escape where the browser has it (jsdom does not); turn ids only need quotes and backslashes escaped. */
export function cssEscape(value: string): string {
  return globalThis.CSS?.escape ? globalThis.CSS.escape(value) : value.replace(/["\\]/g, '\\$&');
}
