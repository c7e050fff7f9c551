/** The contract between the VAD stage and the turn pipeline (server/turns/channel-pipeline.ts). */

/** A VAD event in absolute sample positions of the channel (VadStream in this folder produces them). */
export type TurnVadEvent =
  | { type: 'speech-start'; startSample: number; atSample: number }
  | { type: 'speech-end'; startSample: number; endSample: number; atSample: number }
  | { type: 'misfire'; startSample: number; endSample: number };

/** The streaming VAD as the turn pipeline uses it; positions count from the first sample pushed into it. */
export interface TurnVad {
  push(samples: Float32Array): Promise<TurnVadEvent[]>;
  /** Speech probability of the latest window, when the VAD exposes it (used to hold partials while the speaker pauses). */
  readonly lastProbability?: number;
  flush(): Promise<TurnVadEvent[]>;
}
