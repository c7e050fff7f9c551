import { useSyncExternalStore } from 'react';
import type { Channel } from '../../../protocol/index.ts';

/** Input level of one channel, linear 0..1. */
export interface ChannelLevel {
  rms: number;
  peak: number;
}

const SILENT: ChannelLevel = { rms: 0, peak: 0 };

/**
 * Levels live outside the reducer: they change ten times a second per channel and only the meters need them,
 * so only the meters re-render.
 */
export class LevelStore {
  private levels: Record<Channel, ChannelLevel> = { interviewer: SILENT, candidate: SILENT };
  private readonly listeners = new Set<() => void>();

  /** Records the level of the latest frame of a channel. */
  set(channel: Channel, level: ChannelLevel): void {
    this.levels = { ...this.levels, [channel]: level };
    for (const listener of this.listeners) listener();
  }

  /** Back to silence (capture stopped). */
  reset(): void {
    this.levels = { interviewer: SILENT, candidate: SILENT };
    for (const listener of this.listeners) listener();
  }

  /** Latest level of a channel. */
  get(channel: Channel): ChannelLevel {
    return this.levels[channel];
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

/** Current level of one channel, re-rendering only when it changes. */
export function useChannelLevel(store: LevelStore, channel: Channel): ChannelLevel {
  return useSyncExternalStore(store.subscribe, () => store.get(channel), () => SILENT);
}
