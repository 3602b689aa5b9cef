/**
 * Pushes to devices held back by an injected latency (desired-property notifications, C2D kicks, method requests),
 * in order per identity: a push is due `delayMs` after it was asked for, but never before the identity's previous
 * push, so a short jitter never overtakes a long one (one connection delivers in order, as IoT Hub's does). One
 * timer per identity, for its earliest push; `close` drops every held push (hub stop).
 */
export class PushQueue {
  private readonly queues = new Map<string, { items: { due: number; send: () => void }[]; timer: NodeJS.Timeout | undefined }>();

  constructor(private readonly now: () => number) {}

  /** Pushes held now, over every identity. */
  get size(): number {
    let size = 0;
    for (const queue of this.queues.values()) size += queue.items.length;
    return size;
  }

  /** True while pushes for `key` are held (a push without delay then still waits its turn). */
  holds(key: string): boolean {
    return (this.queues.get(key)?.items.length ?? 0) > 0;
  }

  /** Runs `send` after `delayMs`, and after every push already held for `key`. */
  hold(key: string, delayMs: number, send: () => void): void {
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { items: [], timer: undefined };
      this.queues.set(key, queue);
    }
    const previous = queue.items.at(-1)?.due ?? Number.NEGATIVE_INFINITY;
    queue.items.push({ due: Math.max(this.now() + delayMs, previous), send });
    if (queue.items.length === 1) this.arm(key);
  }

  /** Forgets every held push. */
  close(): void {
    for (const queue of this.queues.values()) clearTimeout(queue.timer);
    this.queues.clear();
  }

  private arm(key: string): void {
    const queue = this.queues.get(key);
    const head = queue?.items[0];
    if (!queue || !head) {
      this.queues.delete(key);
      return;
    }
    queue.timer = setTimeout(() => this.flush(key), Math.max(0, Math.ceil(head.due - this.now())));
    queue.timer.unref?.();
  }

  private flush(key: string): void {
    const queue = this.queues.get(key);
    if (!queue) return;
    queue.timer = undefined;
    const now = this.now();
    while (queue.items[0] && queue.items[0].due <= now) {
      const { send } = queue.items.shift()!;
      try {
        send();
      } catch {
        // A push to a connection that went away in the meantime: the transport has nothing to send it on.
      }
    }
    this.arm(key);
  }
}
