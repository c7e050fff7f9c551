import type { PrepApi } from '../api/prep-api.ts';
import type { SetupForm } from '../state/setup-form.ts';
import { initialSetupState, setupReducer, type SetupState } from '../state/setup-reducer.ts';
import { useScreenController } from './screen-store.ts';
import { SetupController } from './setup-controller.ts';

/** What the setup screen gets: the state to render and the controller's actions. */
export interface SetupSession {
  state: SetupState;
  actions: Pick<SetupController, 'change' | 'form' | 'uploadResume' | 'applyPreparation' | 'validate'>;
}

/** The one owner of the setup form between interviews. */
export function useSetupSession(api: PrepApi, initialForm: () => SetupForm): SetupSession {
  const { state, controller } = useScreenController(setupReducer, () => initialSetupState(initialForm()), (store) => new SetupController(store, api));
  return { state, actions: controller };
}
