import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

import type { Logger } from '../../logger.js';
import type { JsonObject } from '../../model/json.js';

/** A webhook sink's target and bounds. */
export interface WebhookSinkOptions {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Records waiting to be posted; a record arriving when the queue is full is dropped (and counted). Default 1000. */
  readonly maxQueue?: number;
  /** Attempts per record (network errors, 408, 429 and 5xx are retried). Default 5. */
  readonly maxAttempts?: number;
  /** First retry delay, doubled per attempt up to 10 s. Default 500 ms. */
  readonly retryDelayMs?: number;
  /** Per-request timeout. Default 10 s. */
  readonly timeoutMs?: number;
  readonly logger: Logger;
}

/** What a webhook sink has done so far. */
export type WebhookStats = {
  readonly delivered: number;
  /** Records given up on after their attempts, or refused with a 4xx. */
  readonly failed: number;
  /** Records dropped because the queue was full. */
  readonly dropped: number;
  readonly queued: number;
};

const RETRIED = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * A routing endpoint that POSTs each routed message (one JSON record, `application/json`) to an HTTP(S) URL, one
 * request at a time in order, with a bounded queue and bounded retries. `write` resolves once the record is queued:
 * the device's send never waits for the webhook. An emulator extra (IoT Hub has no webhook endpoint; its Event Grid
 * integration is the nearest thing). HTTPS trusts Node's CAs (add one with `NODE_EXTRA_CA_CERTS`).
 */
export class WebhookSink {
  private readonly queue: Buffer[] = [];
  private running = false;
  private closed = false;
  private inFlight: ClientRequest | undefined;
  private wake: (() => void) | undefined;
  private counts = { delivered: 0, failed: 0, dropped: 0 };

  constructor(private readonly options: WebhookSinkOptions) {}

  write(record: JsonObject): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the webhook sink is closed'));
    if (this.queue.length >= (this.options.maxQueue ?? 1000)) {
      this.counts.dropped += 1;
      return Promise.resolve();
    }
    this.queue.push(Buffer.from(JSON.stringify(record), 'utf8'));
    if (!this.running) void this.drain();
    return Promise.resolve();
  }

  stats(): WebhookStats {
    return { ...this.counts, queued: this.queue.length };
  }

  /** Stops posting: the request in flight is aborted, queued records are dropped. */
  close(): Promise<void> {
    this.closed = true;
    this.counts.dropped += this.queue.length;
    this.queue.length = 0;
    this.inFlight?.destroy();
    this.wake?.();
    return Promise.resolve();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed) {
        const body = this.queue.shift();
        if (!body) break;
        await this.deliver(body);
      }
    } finally {
      this.running = false;
    }
  }

  private async deliver(body: Buffer): Promise<void> {
    const attempts = this.options.maxAttempts ?? 5;
    let delay = this.options.retryDelayMs ?? 500;
    for (let attempt = 1; attempt <= attempts && !this.closed; attempt += 1) {
      const outcome = await this.post(body);
      if (outcome === 'ok') {
        this.counts.delivered += 1;
        return;
      }
      if (outcome === 'refused') break;
      if (attempt < attempts) {
        await this.sleep(delay);
        delay = Math.min(delay * 2, 10_000);
      }
    }
    this.counts.failed += 1;
    this.options.logger.warn(`webhook ${this.options.url}: a routed message could not be delivered`);
  }

  private post(body: Buffer): Promise<'ok' | 'retry' | 'refused'> {
    return new Promise((resolve) => {
      const url = new URL(this.options.url);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(url, {
        method: 'POST',
        headers: { ...this.options.headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length) },
        timeout: this.options.timeoutMs ?? 10_000,
      });
      this.inFlight = request;
      request.on('response', (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        resolve(status >= 200 && status < 300 ? 'ok' : RETRIED(status) ? 'retry' : 'refused');
      });
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', () => resolve('retry'));
      request.end(body);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
