import type { ServerResponse } from 'node:http';

import type { PushChannel, Pushes } from '../contract/channels.js';

/**
 * Server-sent events for browser mode's pushes. Pushes only flow one way, and `EventSource` (built into every
 * browser, reconnecting by itself) needs no dependency in main/ — house-style H3 keeps `ws` inside emulator/.
 */
export class SseChannel {
  private readonly clients = new Set<ServerResponse>();
  private readonly keepAlive: ReturnType<typeof setInterval>;

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
    for (const { channel, payload } of first) response.write(frame(channel, payload));
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
  }

  /** Sends a push to every connected page. */
  send<P extends PushChannel>(channel: P, payload: Pushes[P]): void {
    if (this.clients.size > 0) this.write(frame(channel, payload));
  }

  /** Ends every stream. */
  close(): void {
    clearInterval(this.keepAlive);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private write(text: string): void {
    for (const client of this.clients) client.write(text);
  }
}

function frame(channel: string, payload: unknown): string {
  // JSON never contains a raw newline, so one `data:` line per event is enough.
  return `event: ${channel}\ndata: ${JSON.stringify(payload)}\n\n`;
}
