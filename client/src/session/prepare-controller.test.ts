import { describe, expect, it } from 'vitest';
import { createFakeFetch } from '../api/fake-fetch.ts';
import { createPrepApi } from '../api/prep-api.ts';
import { demoJobDescription, demoMatch, demoResume } from '../dev/prep-fixtures.ts';
import { emptyPrepareDraft, initialPrepareState, prepareReducer } from '../state/prepare-reducer.ts';
import { PrepareController } from './prepare-controller.ts';
import { ScreenStore } from './screen-store.ts';

function setup(routes: Parameters<typeof createFakeFetch>[0]) {
  const fake = createFakeFetch(routes);
  const store = new ScreenStore(prepareReducer, initialPrepareState({ ...emptyPrepareDraft('en'), jobDescription: demoJobDescription, resume: demoResume }));
  let nowMs = 1_000;
  const controller = new PrepareController(store, createPrepApi({ fetch: fake.fetch }), () => nowMs);
  return { fake, store, controller, advance: (ms: number) => (nowMs += ms) };
}

describe('PrepareController', () => {
  it('runs one match at a time: a second start while the first runs sends nothing', async () => {
    let answer: () => void = () => {};
    const { fake, store, controller, advance } = setup({ 'POST /api/match': () => new Promise((resolve) => (answer = () => resolve({ json: { match: demoMatch } }))) });
    const first = controller.match();
    const second = controller.match();
    await second;
    expect(store.state.match).toMatchObject({ state: 'running', startedAtMs: 1_000, step: 'waiting' });
    advance(86_000);
    answer();
    await first;
    expect(fake.calls.filter((call) => call.path === '/api/match')).toHaveLength(1);
    expect(store.state.match).toMatchObject({ state: 'done', startedAtMs: 1_000, endedAtMs: 87_000 });
  });

  it('keeps a failure with its code, and a later run starts again', async () => {
    const { store, controller } = setup({
      'POST /api/plans': (_body, call) =>
        call === 0 ? { status: 503, json: { error: { code: 'llm-timeout', message: 'no answer in 60 s' } } } : { status: 500, json: { error: { code: 'internal', message: 'x' } } },
    });
    await controller.plan();
    expect(store.state.plan).toMatchObject({ state: 'error', problem: { code: 'llm-timeout', message: 'no answer in 60 s' } });
    await controller.plan();
    expect(store.state.plan).toMatchObject({ state: 'error', problem: { code: 'internal' } });
  });

  it('drops the result of a run that was disposed (the app went away)', async () => {
    let answer: () => void = () => {};
    const { store, controller } = setup({ 'POST /api/match': () => new Promise((resolve) => (answer = () => resolve({ json: { match: demoMatch } }))) });
    const run = controller.match();
    controller.dispose();
    answer();
    await run;
    expect(store.state.match.state).toBe('running');
  });
});
