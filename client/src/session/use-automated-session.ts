import type { AutomatedLanguage } from '../../../protocol/automated.ts';
import type { PrepApi } from '../api/prep-api.ts';
import { automatedReducer, initialAutomatedState, type AutomatedState } from '../state/automated-reducer.ts';
import { AutomatedController } from './automated-controller.ts';
import { useScreenController } from './screen-store.ts';

/** What the AI interview screen gets: the state to render and the controller's actions. */
export interface AutomatedSession {
  state: AutomatedState;
  actions: Pick<AutomatedController, 'edit' | 'copyFrom' | 'create' | 'revoke' | 'copyLink'>;
}

/** The one owner of the AI interview screen's state, requests and status polling. */
export function useAutomatedSession(api: PrepApi, language: AutomatedLanguage, pollIntervalMs?: number): AutomatedSession {
  const { state, controller } = useScreenController(automatedReducer, () => initialAutomatedState(language), (store) => new AutomatedController(store, api, pollIntervalMs));
  return { state, actions: controller };
}
