import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

describe('logger', () => {
  it('keeps the structured details of a line, an error with its message and stack', () => {
    const lines: string[] = [];
    const logger = createLogger('info', (line) => lines.push(line));
    logger.error('request failed', { method: 'PATCH', path: '/api/interviews/x', error: new Error('SQLITE_FULL: database or disk is full') });
    logger.debug('not printed', { at: 1 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('request failed');
    const details = JSON.parse(lines[0]!.slice(lines[0]!.indexOf('{'))) as { path: string; error: { message: string; stack: string } };
    expect(details.path).toBe('/api/interviews/x');
    expect(details.error.message).toContain('database or disk is full');
    expect(details.error.stack).toContain('logger.test.ts');
  });
});
