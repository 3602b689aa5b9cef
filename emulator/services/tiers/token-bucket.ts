/** What a bucket answers a request: go now, go after a wait (traffic shaping), or come back later. */
export type BucketAnswer =
  | { readonly kind: 'now' }
  | { readonly kind: 'wait'; readonly waitMs: number }
  | { readonly kind: 'refused'; readonly retryAfterMs: number };

/**
 * A token bucket with a traffic-shaping queue, as IoT Hub throttles (iothub-protocol.md §11: "the hub first queues
 * bursts and only rejects once that queue fills"): it holds `capacity` tokens (one window's allowance) and refills
 * at `capacity / windowMs`. A request that finds too few tokens may borrow against the refill of the next
 * `maxQueueMs` (it waits that long, its tokens already taken); past that it is refused, with the time after which
 * the bucket would admit it at once. Time is passed in (ms), so the bucket is pure and testable.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Requests admitted at once, after a wait, and refused, since the bucket was made. */
  admitted = 0;
  delayed = 0;
  refused = 0;

  constructor(
    readonly capacity: number,
    readonly windowMs: number,
    readonly maxQueueMs: number,
    nowMs: number,
  ) {
    this.tokens = capacity;
    this.last = nowMs;
  }

  /** Tokens per millisecond. */
  get rate(): number {
    return this.capacity / this.windowMs;
  }

  /** Takes `cost` tokens (at most one window's worth, so a big request can always pass an idle bucket). */
  take(cost: number, nowMs: number): BucketAnswer {
    this.refill(nowMs);
    const needed = Math.min(cost, this.capacity);
    const after = this.tokens - needed;
    if (after >= 0) {
      this.tokens = after;
      this.admitted += 1;
      return { kind: 'now' };
    }
    const waitMs = -after / this.rate;
    if (waitMs <= this.maxQueueMs) {
      this.tokens = after;
      this.delayed += 1;
      return { kind: 'wait', waitMs };
    }
    this.refused += 1;
    return { kind: 'refused', retryAfterMs: (needed - this.tokens) / this.rate };
  }

  /** Tokens taken from the current window's allowance (above `capacity` while requests wait in the queue). */
  used(nowMs: number): number {
    this.refill(nowMs);
    return this.capacity - this.tokens;
  }

  private refill(nowMs: number): void {
    const elapsed = nowMs - this.last;
    if (elapsed <= 0) return;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.rate);
    this.last = nowMs;
  }
}
