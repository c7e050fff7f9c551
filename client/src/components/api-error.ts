import type { Problem } from '../api/replies.ts';
import type { Translate } from '../i18n/i18n.tsx';

/** A failed REST call in the interface language: LLM and connection failures get a plain explanation, the rest the server's message. */
export function apiErrorText(t: Translate, problem: Problem): string {
  if (problem.code === 'server-unreachable') return t('error.server-unreachable');
  if (problem.code === 'llm-unreachable') return t('api.error.llmUnreachable', { message: problem.message });
  if (problem.code === 'llm-timeout') return t('api.error.llmTimeout', { message: problem.message });
  if (problem.code === 'timeout') return t('api.error.timeout');
  if (problem.code.startsWith('llm-')) return t('api.error.llm', { code: problem.code, message: problem.message });
  if (problem.code === 'not-found' && problem.message.startsWith('HTTP')) return t('api.error.unavailable');
  return t('api.error.other', { code: problem.code, message: problem.message });
}
