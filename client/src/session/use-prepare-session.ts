import type { PrepApi } from '../api/prep-api.ts';
import { initialPrepareState, prepareReducer, type PrepareDraft, type PrepareState } from '../state/prepare-reducer.ts';
import { PrepareController } from './prepare-controller.ts';
import { useScreenController } from './screen-store.ts';

/** What the Prepare screen gets: the state to render and the controller's actions. */
export interface PrepareSession {
  state: PrepareState;
  actions: Pick<PrepareController, 'edit' | 'upload' | 'match' | 'plan' | 'preparation'>;
}

/** The one owner of the Prepare screen's state and requests. */
export function usePrepareSession(api: PrepApi, initialDraft: () => PrepareDraft): PrepareSession {
  const { state, controller } = useScreenController(prepareReducer, () => initialPrepareState(initialDraft()), (store) => new PrepareController(store, api));
  return { state, actions: controller };
}
