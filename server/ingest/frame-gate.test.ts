import { describe, expect, it } from 'vitest';
import { FrameGate, checkPcmPayload } from './frame-gate.ts';
import { BoundedQueue } from './bounded-queue.ts';

const frame = (ms: number) => new Uint8Array((16_000 * ms * 2) / 1000);

describe('checkPcmPayload', () => {
  it('accepts 10 ms to 1 s of PCM16 and refuses the rest with a reason', () => {
    expect(checkPcmPayload(frame(10)).ok).toBe(true);
    expect(checkPcmPayload(frame(1000)).ok).toBe(true);
    expect(checkPcmPayload(new ArrayBuffer(3200)).ok).toBe(true);
    const tooShort = checkPcmPayload(frame(5));
    expect(tooShort.ok).toBe(false);
    expect(!tooShort.ok && tooShort.message).toMatch(/10 ms to 1 s/);
    expect(checkPcmPayload(frame(1001)).ok).toBe(false);
    const odd = checkPcmPayload(new Uint8Array(321));
    expect(!odd.ok && odd.message).toMatch(/even number of bytes/);
  });
});

describe('FrameGate', () => {
  it('passes frames in order and counts nothing unusual', () => {
    const gate = new FrameGate();
    for (let seq = 0; seq < 5; seq++) expect(gate.admit(seq, frame(100)).kind).toBe('accept');
    expect(gate.nextSeq).toBe(5);
    expect([gate.gaps, gate.missingFrames, gate.duplicates, gate.rejected]).toEqual([0, 0, 0, 0]);
  });

  it('reports a gap with the number of missing frames instead of gluing over it', () => {
    const gate = new FrameGate();
    gate.admit(0, frame(100));
    const verdict = gate.admit(4, frame(100));
    expect(verdict).toMatchObject({ kind: 'accept', missingFrames: 3, expectedSeq: 1 });
    expect(gate.gaps).toBe(1);
    expect(gate.missingFrames).toBe(3);
    expect(gate.nextSeq).toBe(5);
  });

  it('recognises frames resent after a reconnect as duplicates', () => {
    const gate = new FrameGate(10);
    expect(gate.admit(9, frame(100)).kind).toBe('duplicate');
    expect(gate.admit(10, frame(100)).kind).toBe('accept');
    expect(gate.admit(10, frame(100)).kind).toBe('duplicate');
    expect(gate.duplicates).toBe(2);
  });

  it('a refused frame keeps its sequence number so the next good frame is not a gap', () => {
    const gate = new FrameGate();
    gate.admit(0, frame(100));
    expect(gate.admit(1, new Uint8Array(7)).kind).toBe('reject');
    expect(gate.admit(2, frame(100))).toMatchObject({ kind: 'accept', missingFrames: 0 });
    expect(gate.rejected).toBe(1);
  });
});

describe('BoundedQueue', () => {
  it('refuses and counts items beyond its capacity, and yields the rest in order', async () => {
    const queue = new BoundedQueue<number>(3);
    expect([1, 2, 3, 4, 5].map((n) => queue.push(n))).toEqual([true, true, true, false, false]);
    expect(queue.dropped).toBe(2);
    queue.close();
    const seen: number[] = [];
    for await (const n of queue) seen.push(n);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('wakes a waiting consumer and ends after close', async () => {
    const queue = new BoundedQueue<string>(2);
    const seen: string[] = [];
    const consumer = (async () => {
      for await (const item of queue) seen.push(item);
    })();
    queue.push('a');
    await new Promise((resolve) => setTimeout(resolve, 5));
    queue.push('b');
    queue.close();
    await consumer;
    expect(seen).toEqual(['a', 'b']);
    expect(queue.push('c')).toBe(false);
  });

  it('rejects a nonsense capacity loudly', () => {
    expect(() => new BoundedQueue(0)).toThrow(/positive integer/);
  });
});
