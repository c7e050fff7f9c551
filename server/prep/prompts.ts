import type { PromptLibrary } from '../prompts.ts';
import type { PrepPrompts } from './deps.ts';

/**
 * Preparation prompts from the shared prompt library. Each file holds a `{{#system}}` section (instructions) and a
 * `{{#user}}` section (the documents), rendered separately so that resume text never sits among the instructions.
 */
export function createPrepPrompts(library: PromptLibrary): PrepPrompts {
  return {
    render(name, language, variables) {
      const system = library.render(name, language, { ...variables, system: true, user: false });
      const user = library.render(name, language, { ...variables, system: false, user: true });
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
