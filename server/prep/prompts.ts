import type { PromptLibrary } from '../prompts.ts';
import { untrustedJson } from '../untrusted-json.ts';
import type { PrepPrompts } from './deps.ts';

/**
 * Preparation prompts from the shared prompt library. Each file holds a `{{#system}}` section (instructions) and a
 * `{{#user}}` section (the documents as JSON in `{{data}}`), rendered separately so that résumé text never sits among
 * the instructions, and encoded so that it cannot end its field (a `"""` or a chat-template token stays text).
 */
export function createPrepPrompts(library: PromptLibrary): PrepPrompts {
  return {
    render(name, language, variables, data) {
      const system = library.render(name, language, { ...variables, system: true, user: false });
      const user = library.render(name, language, { ...variables, data: untrustedJson(data), system: false, user: true });
      return {
        messages: [
          { role: 'system', content: system.text },
          { role: 'user', content: user.text },
        ],
        version: system.version,
      };
    },
  };
}
