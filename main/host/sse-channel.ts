import type { ServerResponse } from 'node:http';

import type { PushChannel, Pushes } from '../contract/channels.js';

/**
 * Server-sent events for browser mode's pushes. Pushes only flow one way, and `EventSource` (built into every
 * browser, reconnecting by itself) needs no dependency in main/ — house-style H3 keeps `ws` inside emulator/.
 *
 * Every push sent in one turn of the event loop travels as ONE event, `event: pushes`, whose data is the array
 * `[[channel, payload], …]` in order (house-style H16: batched at every hop). A browser dispatches every event of a
 * received chunk in one task, and with a push per device (10,000 registrations) that alone made tasks of 130 ms of
 * CPU; one array costs one JSON.parse.
 */
export class SseChannel {
  private readonly clients = new Set<ServerResponse>();
  private readonly keepAlive: ReturnType<typeof setInterval>;
  /** `[channel, payload]` entries, JSON-encoded, waiting for the end of this turn. */
  private pending: string[] = [];
  private flushing: ReturnType<typeof setImmediate> | undefined;

  constructor(keepAliveMs = 15_000) {
    this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), keepAliveMs);
    this.keepAlive.unref();
  }

  /** Number of connected pages. */
  get size(): number {
    return this.clients.size;
  }

  /** Turns the response into an event stream and sends `first` pushes to this client only. */
  open(response: ServerResponse, first: readonly { channel: PushChannel; payload: unknown }[] = []): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write('retry: 1000\n\n');
    if (first.length > 0) response.write(frame(first.map(({ channel, payload }) => entry(channel, payload))));
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
  }

  /** Sends a push to every connected page. */
  send<P extends PushChannel>(channel: P, payload: Pushes[P]): void {
    if (this.clients.size === 0) return;
    this.pending.push(entry(channel, payload));
    this.flushing ??= setImmediate(() => this.flush());
  }

  /** Writes the pushes of this turn as one event. */
  flush(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    const entries = this.pending;
    this.pending = [];
    if (entries.length > 0) this.write(frame(entries));
  }

  /** Ends every stream. */
  close(): void {
    clearInterval(this.keepAlive);
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    this.pending = [];
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private write(text: string): void {
    for (const client of this.clients) client.write(text);
  }
}

function entry(channel: string, payload: unknown): string {
  return JSON.stringify([channel, payload]);
}

function frame(entries: readonly string[]): string {
  // JSON never contains a raw newline, so one `data:` line per event is enough.
  return `event: ${PUSHES_EVENT}\ndata: [${entries.join(',')}]\n\n`;
}

/** The one server-sent event name: its data is `[[channel, payload], …]`. */
export const PUSHES_EVENT = 'pushes';
