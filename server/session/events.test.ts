import { describe, expect, it } from 'vitest';
import { SessionBus, type SessionEvent } from './events.ts';

const speech = (atMs: number): SessionEvent => ({ type: 'speech-start', sessionId: 's1', channel: 'candidate', atMs });

describe('SessionBus', () => {
  it('gives every subscriber every event in subscription order, and an event published during dispatch only after the current one reached everyone', () => {
    const bus = new SessionBus();
    const seen: string[] = [];
    bus.subscribe({
      name: 'store',
      handle: (event) => {
        seen.push(`store ${event.type}`);
        if (event.type === 'speech-start') bus.publish({ type: 'speech-end', sessionId: 's1', channel: 'candidate', atMs: 2 });
      },
    });
    bus.subscribe({ name: 'socket', handle: (event) => seen.push(`socket ${event.type}`) });
    bus.publish(speech(1));
    expect(seen).toEqual(['store speech-start', 'socket speech-start', 'store speech-end', 'socket speech-end']);
    expect(bus.stats().published).toEqual({ 'speech-start': 1, 'speech-end': 1 });
  });

  it('counts and reports a subscriber that throws, and the others still get the event', () => {
    const failures: string[] = [];
    const bus = new SessionBus((name, type) => failures.push(`${name} ${type}`));
    const seen: number[] = [];
    bus.subscribe({
      name: 'broken',
      handle: () => {
        throw new Error('disk full');
      },
    });
    bus.subscribe({
      name: 'socket',
      handle: (event) => {
        if (event.type === 'speech-start') seen.push(event.atMs);
      },
    });
    bus.publish(speech(1));
    bus.publish(speech(2));
    expect(seen).toEqual([1, 2]);
    expect(failures).toEqual(['broken speech-start', 'broken speech-start']);
    expect(bus.stats().failures).toEqual({ broken: 2 });
  });

  it('bounds the events a subscriber publishes during one dispatch, counting what it drops', () => {
    const flood = new SessionBus();
    flood.subscribe({
      name: 'flood',
      handle: (event) => {
        if (event.type === 'speech-start' && event.atMs === 0) for (let i = 1; i <= 2_000; i++) flood.publish(speech(i));
      },
    });
    flood.publish(speech(0));
    expect(flood.stats().dropped).toBe(1_000);
    expect(flood.stats().published['speech-start']).toBe(1_001);
  });

  it('hands a command to the subscriber that owns it, and says not-found when none does', () => {
    const bus = new SessionBus();
    bus.subscribe({ name: 'store', handle: () => {} });
    bus.subscribe({
      name: 'analysis',
      handle: () => {},
      command: (command) => (command.type === 'retry-analysis' ? { ok: true, data: { turnId: command.turnId } } : undefined),
    });
    expect(bus.command({ type: 'retry-analysis', turnId: 't1' })).toEqual({ ok: true, data: { turnId: 't1' } });
    const lonely = new SessionBus();
    expect(lonely.command({ type: 'retry-analysis', turnId: 't1' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});
