import { ApiRequestError } from '../api/prep-api.ts';
import type { Translate } from '../i18n/i18n.tsx';

/** A failed REST call in the interface language: LLM and connection failures get a plain explanation, the rest the server's message. */
export function apiErrorText(t: Translate, error: unknown): string {
  if (error instanceof ApiRequestError) {
    if (error.code === 'server-unreachable') return t('error.server-unreachable');
    if (error.code === 'llm-unreachable') return t('api.error.llmUnreachable', { message: error.message });
    if (error.code === 'llm-timeout') return t('api.error.llmTimeout', { message: error.message });
    if (error.code.startsWith('llm-')) return t('api.error.llm', { code: error.code, message: error.message });
    if (error.code === 'not-found' && error.message.startsWith('HTTP')) return t('api.error.unavailable');
    return t('api.error.other', { code: error.code, message: error.message });
  }
  return t('api.error.other', { code: 'error', message: error instanceof Error ? error.message : String(error) });
}
