import type { Channel } from '../../../protocol/index.ts';

/** One numbered PCM16 frame of one channel. */
export interface OutboxFrame {
  channel: Channel;
  seq: number;
  pcm: ArrayBuffer;
}

/** Counters the interface shows while the connection is down and after it comes back. */
export interface OutboxStats {
  /** Frames captured but not yet sent (held while offline). */
  pendingFrames: number;
  /** Frames pushed out of the bounded buffer before they could be sent. */
  droppedFrames: number;
  /** Frames that were sent, lost with the connection, and no longer held when the server asked for them. */
  lostInTransitFrames: number;
  /** Frames sent again after a resume. */
  resentFrames: number;
  online: boolean;
}

/** Options of a frame outbox. */
export interface FrameOutboxOptions {
  channels: readonly Channel[];
  /** Frames kept per channel (sent or not) so a reconnect can resend what the server missed. */
  capacityFrames: number;
  /** Puts one frame on the wire; only called while online. */
  send: (frame: OutboxFrame) => void;
}

/** Fixed-size queue of the most recent frames of one channel. */
class FrameRing {
  private readonly frames: (OutboxFrame | undefined)[];
  private head = 0;
  size = 0;

  constructor(readonly capacity: number) {
    this.frames = new Array<OutboxFrame | undefined>(capacity);
  }

  /** Adds a frame; returns the frame pushed out when the ring was full. */
  push(frame: OutboxFrame): OutboxFrame | undefined {
    if (this.size < this.capacity) {
      this.frames[(this.head + this.size) % this.capacity] = frame;
      this.size++;
      return undefined;
    }
    const evicted = this.frames[this.head];
    this.frames[this.head] = frame;
    this.head = (this.head + 1) % this.capacity;
    return evicted;
  }

  oldest(): OutboxFrame | undefined {
    return this.size === 0 ? undefined : this.frames[this.head];
  }

  /** Frames with seq >= `fromSeq`, oldest first. */
  *from(fromSeq: number): Generator<OutboxFrame> {
    for (let i = 0; i < this.size; i++) {
      const frame = this.frames[(this.head + i) % this.capacity];
      if (frame && frame.seq >= fromSeq) yield frame;
    }
  }
}

interface ChannelState {
  ring: FrameRing;
  nextSeq: number;
  /** Every frame with seq < sentUpTo has been sent or dropped. */
  sentUpTo: number;
  /** Highest seq handed to `send`, plus one. */
  transmittedUpTo: number;
}

/**
 * Numbers each channel's frames and sends them while online. While offline it keeps them in a bounded ring
 * (counting what falls out); on resume it resends, in order, every held frame the server has not seen, so
 * a reconnect leaves no gap unless the outage outlasted the buffer.
 */
export class FrameOutbox {
  private readonly channels = new Map<Channel, ChannelState>();
  private readonly send: (frame: OutboxFrame) => void;
  private online = true;
  private droppedFrames = 0;
  private lostInTransitFrames = 0;
  private resentFrames = 0;

  constructor(options: FrameOutboxOptions) {
    if (!Number.isInteger(options.capacityFrames) || options.capacityFrames < 1) {
      throw new RangeError(`capacityFrames must be a positive integer (got ${options.capacityFrames})`);
    }
    for (const channel of options.channels) {
      this.channels.set(channel, { ring: new FrameRing(options.capacityFrames), nextSeq: 0, sentUpTo: 0, transmittedUpTo: 0 });
    }
    this.send = options.send;
  }

  /** Numbers a captured frame, keeps it, and sends it now if online. Returns its seq. */
  push(channel: Channel, pcm: ArrayBuffer): number {
    const state = this.channels.get(channel);
    if (!state) throw new Error(`channel ${channel} is not part of this session`);
    const frame: OutboxFrame = { channel, seq: state.nextSeq++, pcm };
    const evicted = state.ring.push(frame);
    if (evicted && evicted.seq >= state.sentUpTo) {
      // Never sent and now gone: the server will see (and report) a gap here.
      this.droppedFrames++;
      state.sentUpTo = evicted.seq + 1;
    }
    if (this.online) {
      this.send(frame);
      state.sentUpTo = frame.seq + 1;
      state.transmittedUpTo = frame.seq + 1;
    }
    return frame.seq;
  }

  /** Stops sending; frames are held until `resume`. */
  goOffline(): void {
    this.online = false;
  }

  /**
   * Goes back online from where the server stands (`nextSeq` per channel, from the `session:resume` ack),
   * resending held frames in order. A channel missing from `nextSeq` resumes from what was sent before.
   */
  resume(nextSeq: Partial<Record<Channel, number>>): void {
    for (const [channel, state] of this.channels) {
      const serverNext = nextSeq[channel] ?? state.sentUpTo;
      const oldestHeld = state.ring.oldest()?.seq ?? state.nextSeq;
      // Frames the server misses that were sent before the drop but already left the ring: lost for good.
      this.lostInTransitFrames += Math.max(0, Math.min(oldestHeld, state.transmittedUpTo) - serverNext);
      for (const frame of state.ring.from(serverNext)) {
        if (frame.seq < state.transmittedUpTo) this.resentFrames++;
        this.send(frame);
      }
      state.sentUpTo = state.nextSeq;
      state.transmittedUpTo = state.nextSeq;
    }
    this.online = true;
  }

  /** Current counters. */
  stats(): OutboxStats {
    let pendingFrames = 0;
    for (const state of this.channels.values()) pendingFrames += state.nextSeq - state.sentUpTo;
    return {
      pendingFrames,
      droppedFrames: this.droppedFrames,
      lostInTransitFrames: this.lostInTransitFrames,
      resentFrames: this.resentFrames,
      online: this.online,
    };
  }
}
