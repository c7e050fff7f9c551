import { describe, expect, it } from 'vitest';
import { FakeTranscriber } from './fake.ts';
import { DecodeScheduler, SchedulerError, type DecodeJob, type DecodeOutcome } from './scheduler.ts';

const second = new Float32Array(16_000);

function job(key: string, priority: 'final' | 'partial', extra: Partial<DecodeJob> = {}): DecodeJob {
  return { key, priority, pcm: second, language: 'en', ...extra };
}

/** Lets queued promise callbacks and the scheduler's dispatch run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Which job each transcriber call was, by the prompt the test tagged it with. */
function callTags(fake: FakeTranscriber): (string | undefined)[] {
  return fake.calls.map((call) => call.options.initialPrompt);
}

function text(outcome: DecodeOutcome): string {
  if (outcome.skipped) throw new Error(`skipped: ${outcome.reason}`);
  return outcome.text;
}

describe('DecodeScheduler', () => {
  it('tells other CPU work when no final decode runs or waits (partials do not count)', async () => {
    const fake = new FakeTranscriber({ manual: true });
    const scheduler = new DecodeScheduler(fake);
    expect(scheduler.finalsIdle()).toBeUndefined();
    const partial = scheduler.decode(job('t0', 'partial'));
    await flush();
    expect(scheduler.finalsIdle()).toBeUndefined();
    const finals = [scheduler.decode(job('t1', 'final')), scheduler.decode(job('t2', 'final'))];
    let idle = false;
    void scheduler.finalsIdle()?.then(() => {
      idle = true;
    });
    for (let i = 0; i < 2; i++) {
      fake.pending()[0]!.finish();
      await flush();
      expect(idle).toBe(false);
    }
    fake.pending()[0]!.finish();
    await flush();
    await Promise.all([partial, ...finals]);
    expect(idle).toBe(true);
    expect(scheduler.finalsIdle()).toBeUndefined();
  });

  it('runs one decode at a time by default, finals in arrival order', async () => {
    const fake = new FakeTranscriber({ manual: true });
    const scheduler = new DecodeScheduler(fake);
    const outcomes = ['a', 'b', 'c'].map((key) => scheduler.decode(job(key, 'final', { initialPrompt: key })));
    await flush();
    expect(fake.calls).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      fake.pending()[0]!.finish(`text ${i}`);
      await flush();
    }
    expect((await Promise.all(outcomes)).map(text)).toEqual(['text 0', 'text 1', 'text 2']);
    expect(callTags(fake)).toEqual(['a', 'b', 'c']);
    expect(fake.maxRunning).toBe(1);
    expect(fake.calls.every((call) => call.options.purpose === 'final')).toBe(true);
  });

  it('runs a waiting final before a partial that queued earlier', async () => {
    const fake = new FakeTranscriber({ manual: true });
    const scheduler = new DecodeScheduler(fake);
    const first = scheduler.decode(job('t1', 'final', { initialPrompt: 'final t1' }));
    await flush();
    const partial = scheduler.decode(job('t2', 'partial', { initialPrompt: 'partial t2' }));
    const second = scheduler.decode(job('t3', 'final', { initialPrompt: 'final t3' }));
    await flush();
    fake.pending()[0]!.finish();
    await flush();
    fake.pending()[0]!.finish();
    await flush();
    fake.pending()[0]!.finish();
    await Promise.all([first, partial, second]);
    expect(callTags(fake)).toEqual(['final t1', 'final t3', 'partial t2']);
    expect(fake.calls[2]!.options.purpose).toBe('partial');
  });

  it('replaces a queued partial with the newer partial of the same turn', async () => {
    const fake = new FakeTranscriber({ manual: true });
    const scheduler = new DecodeScheduler(fake);
    const busy = scheduler.decode(job('other', 'final'));
    await flush();
    const older = scheduler.decode(job('t', 'partial', { initialPrompt: 'v1' }));
    const newer = scheduler.decode(job('t', 'partial', { initialPrompt: 'v2' }));
    expect(await older).toEqual({ skipped: true, reason: 'replaced' });
    fake.pending()[0]!.finish();
    await flush();
    fake.pending()[0]!.finish('newest words');
    expect(text(await newer)).toBe('newest words');
    await busy;
    expect(callTags(fake)).toEqual([undefined, 'v2']);
    expect(scheduler.stats().partials.skipped.replaced).toBe(1);
    expect(scheduler.stats().partials.completed).toBe(1);
  });

  it('skips a partial at once while finals are waiting', async () => {
    const fake = new FakeTranscriber({ manual: true });
    const scheduler = new DecodeScheduler(fake);
    const running = scheduler.decode(job('a', 'final'));
    const waiting = scheduler.decode(job('b', 'final'));
    await flush();
    expect(await scheduler.decode(job('c', 'partial'))).toEqual({ skipped: true, reason: 'behind' });
    fake.pending()[0]!.finish();
    await flush();
    fake.pending()[0]!.finish();
    await Promise.all([running, waiting]);
    expect(fake.calls).toHaveLength(2);
    expect(scheduler.stats().partials.skipped.behind).toBe(1);
  });

  it('skips a partial that waited longer than maxPartialWaitMs', async () => {
    let clockMs = 0;
    const fake = new FakeTranscriber({ manual: true });
    const scheduler = new DecodeScheduler(fake, { maxPartialWaitMs: 1000, now: () => clockMs });
    const running = scheduler.decode(job('a', 'final'));
    await flush();
    const partial = scheduler.decode(job('b', 'partial'));
    clockMs = 1500;
    fake.pending()[0]!.finish();
    await running;
    expect(await partial).toEqual({ skipped: true, reason: 'stale' });
    expect(fake.calls).toHaveLength(1);
    expect(scheduler.stats().partials.skipped.stale).toBe(1);
  });

  it("drops a turn's partial once its final is scheduled, queued or already running", async () => {
    const fake = new FakeTranscriber({ manual: true });
    const scheduler = new DecodeScheduler(fake);
    const runningPartial = scheduler.decode(job('t1', 'partial'));
    await flush();
    const queuedPartial = scheduler.decode(job('t2', 'partial'));
    const final1 = scheduler.decode(job('t1', 'final', { initialPrompt: 'final t1' }));
    const final2 = scheduler.decode(job('t2', 'final', { initialPrompt: 'final t2' }));
    expect(await queuedPartial).toEqual({ skipped: true, reason: 'superseded' });
    fake.pending()[0]!.finish('stale preview');
    // The preview finished after its turn's final was scheduled: showing it now would go backwards.
    expect(await runningPartial).toEqual({ skipped: true, reason: 'superseded' });
    await flush();
    fake.pending()[0]!.finish('final one');
    await flush();
    expect(await scheduler.decode(job('t2', 'partial'))).toEqual({ skipped: true, reason: 'superseded' });
    fake.pending()[0]!.finish('final two');
    expect([text(await final1), text(await final2)]).toEqual(['final one', 'final two']);
    expect(scheduler.stats().partials.skipped.superseded).toBe(3);
  });

  it('removes an aborted queued job without decoding it', async () => {
    const fake = new FakeTranscriber({ manual: true });
    const scheduler = new DecodeScheduler(fake);
    const running = scheduler.decode(job('a', 'final'));
    const controller = new AbortController();
    const queued = scheduler.decode(job('b', 'final', { signal: controller.signal }));
    await flush();
    controller.abort();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    fake.pending()[0]!.finish();
    await running;
    await flush();
    expect(fake.calls).toHaveLength(1);
    expect(scheduler.stats().finals).toMatchObject({ completed: 1, aborted: 1 });
  });

  it('rejects an already aborted job without queueing it', async () => {
    const fake = new FakeTranscriber({ manual: true });
    const scheduler = new DecodeScheduler(fake);
    await expect(scheduler.decode(job('a', 'final', { signal: AbortSignal.abort() }))).rejects.toMatchObject({ name: 'AbortError' });
    expect(fake.calls).toHaveLength(0);
  });

  it('answers an abort of a running job at once but keeps its slot until the decode really ends', async () => {
    const fake = new FakeTranscriber({ manual: true });
    const scheduler = new DecodeScheduler(fake);
    const controller = new AbortController();
    const running = scheduler.decode(job('a', 'final', { signal: controller.signal }));
    const next = scheduler.decode(job('b', 'final', { initialPrompt: 'b' }));
    await flush();
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    await flush();
    expect(fake.calls).toHaveLength(1);
    expect(scheduler.stats().running).toBe(1);
    fake.pending()[0]!.finish();
    await flush();
    expect(callTags(fake)).toEqual([undefined, 'b']);
    fake.pending()[0]!.finish('b done');
    expect(text(await next)).toBe('b done');
    expect(fake.maxRunning).toBe(1);
  });

  it('rejects only the job whose decode failed', async () => {
    const fake = new FakeTranscriber({ manual: true });
    const scheduler = new DecodeScheduler(fake);
    const failing = scheduler.decode(job('a', 'final'));
    const healthy = scheduler.decode(job('b', 'final'));
    await flush();
    fake.pending()[0]!.fail(new Error('whisper.cpp failed'));
    await expect(failing).rejects.toThrow('whisper.cpp failed');
    await flush();
    fake.pending()[0]!.finish('fine');
    expect(text(await healthy)).toBe('fine');
    expect(scheduler.stats().finals).toMatchObject({ completed: 1, failed: 1 });
  });

  it('runs up to maxConcurrent decodes together', async () => {
    const fake = new FakeTranscriber({ delayMs: 5 });
    const scheduler = new DecodeScheduler(fake, { maxConcurrent: 2 });
    const outcomes = await Promise.all(['a', 'b', 'c', 'd'].map((key) => scheduler.decode(job(key, 'final'))));
    expect(outcomes.every((outcome) => !outcome.skipped)).toBe(true);
    expect(fake.maxRunning).toBe(2);
  });

  it('refuses finals beyond maxQueuedFinals with a retryable error', async () => {
    const fake = new FakeTranscriber({ manual: true });
    const scheduler = new DecodeScheduler(fake, { maxQueuedFinals: 1 });
    const running = scheduler.decode(job('a', 'final'));
    await flush();
    const queued = scheduler.decode(job('b', 'final'));
    const refused = scheduler.decode(job('c', 'final'));
    await expect(refused).rejects.toBeInstanceOf(SchedulerError);
    await expect(refused).rejects.toMatchObject({ code: 'overloaded', retryable: true });
    fake.pending()[0]!.finish();
    await flush();
    fake.pending()[0]!.finish();
    await Promise.all([running, queued]);
    expect(scheduler.stats().finals.refused).toBe(1);
  });

  it('keeps at most maxQueuedPartials turns waiting, skipping the oldest', async () => {
    const fake = new FakeTranscriber({ manual: true });
    const scheduler = new DecodeScheduler(fake, { maxQueuedPartials: 2 });
    const running = scheduler.decode(job('busy', 'final'));
    await flush();
    const p1 = scheduler.decode(job('t1', 'partial'));
    const p2 = scheduler.decode(job('t2', 'partial'));
    const p3 = scheduler.decode(job('t3', 'partial'));
    expect(await p1).toEqual({ skipped: true, reason: 'behind' });
    fake.pending()[0]!.finish();
    await running;
    await flush();
    fake.pending()[0]!.finish();
    await flush();
    fake.pending()[0]!.finish();
    expect((await Promise.all([p2, p3])).every((outcome) => !outcome.skipped)).toBe(true);
  });

  it('reports queue waits and decode times', async () => {
    let clockMs = 0;
    const fake = new FakeTranscriber({ manual: true });
    const scheduler = new DecodeScheduler(fake, { now: () => clockMs });
    const a = scheduler.decode(job('a', 'final'));
    const b = scheduler.decode(job('b', 'final'));
    await flush();
    clockMs = 400;
    fake.pending()[0]!.finish();
    await a;
    await flush();
    clockMs = 500;
    fake.pending()[0]!.finish();
    const outcome = await b;
    await flush();
    expect(outcome.skipped === false && outcome.queueWaitMs).toBe(400);
    const stats = scheduler.stats();
    expect(stats.queueWaitMs.final).toMatchObject({ count: 2, maxMs: 400, meanMs: 200 });
    expect(stats.decodeMs.final).toMatchObject({ count: 2, maxMs: 400 });
    expect(stats).toMatchObject({ running: 0, queuedFinals: 0, queuedPartials: 0 });
  });

  it('on close rejects queued jobs and waits for the running one', async () => {
    const fake = new FakeTranscriber({ manual: true });
    const scheduler = new DecodeScheduler(fake);
    const running = scheduler.decode(job('a', 'final'));
    const queued = scheduler.decode(job('b', 'final'));
    await flush();
    let closed = false;
    const closing = scheduler.close().then(() => (closed = true));
    await expect(queued).rejects.toMatchObject({ code: 'closed' });
    await flush();
    expect(closed).toBe(false);
    fake.pending()[0]!.finish('last words');
    await closing;
    expect(text(await running)).toBe('last words');
    await expect(scheduler.decode(job('c', 'final'))).rejects.toMatchObject({ code: 'closed' });
  });
});
