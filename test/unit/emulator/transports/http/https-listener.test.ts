import { createServer, type Server } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { startHttpsListener } from '../../../../../emulator/transports/http/https-listener.js';
import type { BoundListener } from '../../../../../emulator/transports/listen.js';
import { systemClock } from '../../../../../emulator/util/clock.js';

// Issue 3 item 4: when the HTTPS port cannot be bound the hub falls back and says what to do; it never crashes.
// EADDRINUSE stands in for EACCES here (tests may run as root, where 443 always binds).

const open: { close(): Promise<void> | void }[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((item) => item.close()));
});

async function occupy(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

async function start(port: number, fallbackPort: number | null): Promise<BoundListener & { warning?: string }> {
  const listener = await startHttpsListener({
    tls: { cert: '', key: '' },
    port,
    fallbackPort,
    host: '127.0.0.1',
    webSockets: {},
    clock: systemClock,
  });
  open.push(listener);
  return listener;
}

describe('the HTTPS listener when its port is taken', () => {
  it('falls back to the configured port and explains what the service SDK then cannot do', async () => {
    const taken = await occupy();
    const fallback = await occupy();
    await open.pop()?.close();
    const listener = await start(taken, fallback);
    expect(listener.port).toBe(fallback);
    expect(listener.warning).toContain(`HTTPS port ${taken} is in use; listening on ${fallback} instead.`);
    expect(listener.warning).toContain('azure-iothub');
  });

  it('takes any free port when the fallback is taken too', async () => {
    const taken = await occupy();
    const fallbackTaken = await occupy();
    const listener = await start(taken, fallbackTaken);
    expect([taken, fallbackTaken]).not.toContain(listener.port);
    expect(listener.port).toBeGreaterThan(0);
    expect(listener.warning).toBeDefined();
  });

  it('fails loudly only when no fallback is configured', async () => {
    const taken = await occupy();
    await expect(start(taken, null)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
