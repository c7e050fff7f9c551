import { describe, expect, it } from 'vitest';
import { FrameOutbox, type OutboxFrame } from './frame-outbox.ts';

function setup(capacityFrames = 5) {
  const sent: OutboxFrame[] = [];
  const outbox = new FrameOutbox({ channels: ['interviewer', 'candidate'], capacityFrames, send: (frame) => sent.push(frame) });
  const pcm = () => new ArrayBuffer(3200);
  const seqs = (channel: string) => sent.filter((f) => f.channel === channel).map((f) => f.seq);
  return { outbox, sent, pcm, seqs };
}

describe('FrameOutbox', () => {
  it('numbers frames per channel from 0 and sends them at once while online', () => {
    const { outbox, pcm, seqs } = setup();
    outbox.push('candidate', pcm());
    outbox.push('interviewer', pcm());
    outbox.push('candidate', pcm());
    expect(seqs('candidate')).toEqual([0, 1]);
    expect(seqs('interviewer')).toEqual([0]);
    expect(outbox.stats()).toMatchObject({ pendingFrames: 0, droppedFrames: 0, online: true });
  });

  it('holds frames while offline and resends from the server nextSeq in order, without a gap', () => {
    const { outbox, sent, pcm, seqs } = setup(10);
    for (let i = 0; i < 3; i++) outbox.push('candidate', pcm()); // 0,1,2 sent
    outbox.goOffline();
    for (let i = 0; i < 3; i++) outbox.push('candidate', pcm()); // 3,4,5 held
    expect(sent).toHaveLength(3);
    expect(outbox.stats().pendingFrames).toBe(3);
    // The server only got 0 and 1: frame 2 was lost in flight with the connection.
    outbox.resume({ candidate: 2 });
    expect(seqs('candidate')).toEqual([0, 1, 2, 2, 3, 4, 5]);
    outbox.push('candidate', pcm());
    expect(seqs('candidate').slice(-1)).toEqual([6]);
    expect(outbox.stats()).toMatchObject({ pendingFrames: 0, droppedFrames: 0, resentFrames: 1, lostInTransitFrames: 0, online: true });
  });

  it('counts frames that fall out of the bounded buffer during a long outage and sends the rest', () => {
    const { outbox, pcm, seqs } = setup(4);
    outbox.push('candidate', pcm()); // 0 sent
    outbox.goOffline();
    for (let i = 0; i < 8; i++) outbox.push('candidate', pcm()); // 1..8: ring keeps 5..8
    expect(outbox.stats()).toMatchObject({ droppedFrames: 4, pendingFrames: 4 });
    outbox.resume({ candidate: 1 });
    expect(seqs('candidate')).toEqual([0, 5, 6, 7, 8]);
    expect(outbox.stats()).toMatchObject({ droppedFrames: 4, pendingFrames: 0, lostInTransitFrames: 0 });
  });

  it('counts sent frames the server never got and that are no longer held', () => {
    const { outbox, pcm } = setup(2);
    for (let i = 0; i < 5; i++) outbox.push('interviewer', pcm()); // 0..4 sent, ring keeps 3,4
    outbox.goOffline();
    outbox.resume({ interviewer: 1 }); // server lost 1..4; only 3,4 can be resent
    expect(outbox.stats()).toMatchObject({ lostInTransitFrames: 2, resentFrames: 2 });
  });

  it('refuses frames of a channel the session does not have', () => {
    const outbox = new FrameOutbox({ channels: ['candidate'], capacityFrames: 2, send: () => {} });
    expect(() => outbox.push('interviewer', new ArrayBuffer(2))).toThrow(/not part of this session/);
  });
});
