import { createServer, type Server } from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import { noopLogger } from '../../../../../emulator/logger.js';
import { WebhookSink } from '../../../../../emulator/transports/webhook/webhook-sink.js';
import { eventually } from '../../../../helpers/wait-for.js';

let server: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A local webhook answering each post with the next status of `statuses` (then 204), recording the bodies. */
async function webhook(statuses: number[]): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(statuses.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, bodies };
}

describe('the webhook sink', () => {
  it('posts records in order, retries 5xx up to its attempts and gives up on a 4xx at once', async () => {
    const target = await webhook([500, 500, 400]);
    const sink = new WebhookSink({ url: target.url, maxAttempts: 2, retryDelayMs: 10, logger: noopLogger });
    await sink.write({ n: 1 });
    await sink.write({ n: 2 });
    await sink.write({ n: 3 });
    await eventually(() => sink.stats().delivered + sink.stats().failed === 3, 5000, 'three records settled');
    // n:1 fails twice (given up), n:2 is refused with 400 (not retried), n:3 is delivered.
    expect(target.bodies).toEqual([{ n: 1 }, { n: 1 }, { n: 2 }, { n: 3 }]);
    expect(sink.stats()).toEqual({ delivered: 1, failed: 2, dropped: 0, queued: 0 });
    await sink.close();
    await expect(sink.write({ n: 4 })).rejects.toThrow(/closed/);
  });

  it('bounds its queue: records past it are dropped and counted, never block the writer', async () => {
    // Nothing listens on this port: every post fails and is retried slowly, so the queue fills.
    const sink = new WebhookSink({ url: 'http://127.0.0.1:9/none', maxQueue: 2, maxAttempts: 50, retryDelayMs: 1000, logger: noopLogger });
    for (let n = 0; n < 6; n += 1) await sink.write({ n });
    const stats = sink.stats();
    expect(stats.queued + stats.dropped).toBe(5);
    expect(stats.queued).toBeLessThanOrEqual(2);
    await sink.close();
    expect(sink.stats().queued).toBe(0);
  });
});
