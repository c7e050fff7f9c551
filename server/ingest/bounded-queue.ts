/**
 * A bounded FIFO between a push source and a pulling consumer (`for await`). When full, new items are refused and counted,
 * never queued without limit; a producer that can wait (a file) awaits `whenRoom()` instead.
 */
export class BoundedQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: ((result: IteratorResult<T>) => void) | undefined;
  /** Producers waiting for room (`whenRoom`), oldest first. */
  private readonly roomWaiters: { below: number; resolve: () => void }[] = [];
  private closed = false;
  /** Items refused because the queue was full. */
  dropped = 0;
  /** Items accepted in total. */
  accepted = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`BoundedQueue capacity must be a positive integer, got ${capacity}`);
  }

  /** Items waiting to be pulled. */
  get size(): number {
    return this.items.length;
  }

  /** Adds an item; returns false (and counts a drop) when the queue is full or closed. */
  push(item: T): boolean {
    if (this.closed || this.items.length >= this.capacity) {
      this.dropped++;
      return false;
    }
    this.accepted++;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter({ value: item, done: false });
    } else {
      this.items.push(item);
    }
    return true;
  }

  /**
   * Resolves once fewer than `below` items wait (default: the capacity, i.e. a push would not be dropped), or the queue is
   * closed. A producer that can wait (a file) keeps `below` small, so it is read only as fast as the consumer pulls.
   */
  whenRoom(below = this.capacity): Promise<void> {
    if (this.closed || this.items.length < below) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push({ below, resolve }));
  }

  private wakeProducers(): void {
    for (let i = 0; i < this.roomWaiters.length; i++) {
      const waiter = this.roomWaiters[i];
      if (waiter && (this.closed || this.items.length < waiter.below)) {
        this.roomWaiters.splice(i--, 1);
        waiter.resolve();
      }
    }
  }

  /** Ends the stream once the queued items have been pulled. */
  close(): void {
    this.closed = true;
    this.wakeProducers();
    const waiter = this.waiter;
    if (waiter && this.items.length === 0) {
      this.waiter = undefined;
      waiter({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const item = this.items.shift();
        if (item !== undefined) {
          if (this.roomWaiters.length > 0) this.wakeProducers();
          return Promise.resolve({ value: item, done: false });
        }
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiter = resolve;
        });
      },
      return: () => {
        this.closed = true;
        this.items.length = 0;
        this.wakeProducers();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
