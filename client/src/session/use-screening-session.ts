import type { PrepApi } from '../api/prep-api.ts';
import { initialScreeningState, screeningReducer, type ScreeningState } from '../state/screening-reducer.ts';
import { ScreeningController } from './screening-controller.ts';
import { useScreenController } from './screen-store.ts';

/** What the Screening screen gets: the state to render and the controller's actions. */
export interface ScreeningSession {
  state: ScreeningState;
  actions: Pick<ScreeningController, 'chooseFiles' | 'removeFile' | 'edit' | 'start'>;
}

/** The one owner of the Screening screen's state, upload and polling. */
export function useScreeningSession(api: PrepApi, pollIntervalMs?: number): ScreeningSession {
  const { state, controller } = useScreenController(screeningReducer, initialScreeningState, (store) => new ScreeningController(store, api, pollIntervalMs));
  return { state, actions: controller };
}
