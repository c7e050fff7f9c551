export * from './audio.ts';
export * from './schemas.ts';
export type * from './events.ts';
export * from './interviews.ts';
export * from './automated.ts';
export * from './prep.ts';
export * from './auth.ts';
