import { describe, expect, it } from 'vitest';
import { AudioTail } from './audio-tail.ts';

const ramp = (from: number, count: number) => Float32Array.from({ length: count }, (_, i) => from + i);

describe('AudioTail', () => {
  it('keeps absolute positions across growth and trims, holding at most the asked audio plus the slack', () => {
    const tail = new AudioTail(1000, 8);
    for (let chunk = 0; chunk < 50; chunk++) {
      tail.append(ramp(1000 + chunk * 100, 100));
      tail.trimBefore(tail.endSample - 300, 250);
      // Everything asked to be kept is there, and no more than keep + slack is held.
      expect(tail.startSample).toBeLessThanOrEqual(tail.endSample - Math.min(300, tail.endSample - 1000));
      expect(tail.endSample - tail.startSample).toBeLessThan(300 + 250 + 100);
    }
    expect(tail.endSample).toBe(6000);
    expect(Array.from(tail.slice(5700, 5705))).toEqual([5700, 5701, 5702, 5703, 5704]);
    // Asking for audio already let go returns only what is held.
    expect(tail.slice(0, tail.startSample + 2)).toHaveLength(2);
  });

  it('fills gaps with silence at the right positions', () => {
    const tail = new AudioTail();
    tail.append(ramp(1, 3));
    tail.appendSilence(2);
    tail.append(ramp(9, 1));
    expect(Array.from(tail.slice(0, 6))).toEqual([1, 2, 3, 0, 0, 9]);
  });
});
