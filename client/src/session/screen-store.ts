import { useEffect, useReducer, useState } from 'react';

/**
 * A dispatch that also keeps the controller's own copy of the state: the controller and React apply the same pure
 * reducer to the same actions in the same order, so the controller can read the current state between renders.
 */
export class ScreenStore<S, A> {
  private current: S;

  constructor(
    private readonly reducer: (state: S, action: A) => S,
    initial: S,
    private readonly forward: (action: A) => void = () => {},
  ) {
    this.current = initial;
  }

  /** The state after every action dispatched so far. */
  get state(): S {
    return this.current;
  }

  /** Applies an action here and in React. */
  dispatch = (action: A): void => {
    this.current = this.reducer(this.current, action);
    this.forward(action);
  };
}

/**
 * The hook shape every screen shares (as `useInterviewSession` for the interview): the hook owns the reducer, builds
 * the controller once with a dispatch into it, and disposes the controller when the app unmounts.
 */
export function useScreenController<S, A, C extends { dispose(): void }>(
  reducer: (state: S, action: A) => S,
  initial: () => S,
  create: (store: ScreenStore<S, A>) => C,
): { state: S; controller: C } {
  const [first] = useState(initial);
  const [state, dispatch] = useReducer(reducer, first);
  const [controller] = useState(() => create(new ScreenStore(reducer, first, dispatch)));
  useEffect(() => () => controller.dispose(), [controller]);
  return { state, controller };
}
