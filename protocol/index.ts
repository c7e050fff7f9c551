export * from './audio.ts';
export * from './schemas.ts';
export type * from './events.ts';
