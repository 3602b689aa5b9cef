import { randomInt } from 'node:crypto';

import type { EmulatorConfig } from '../../emulator/index.js';
import { canBind } from './service-sdk.js';
import { startTestHub, type TestHub } from './start-hub.js';

/**
 * A test hub whose HTTPS listener is on port 443 (the only port `azure-iothub` dials) of a loopback address of its
 * own, `127.x.y.z`, which is also its host name: tests running in parallel each bind their own 443 instead of
 * fighting over 127.0.0.1:443. Linux routes all of 127/8 to the loopback interface; the server certificate carries the
 * address as an IP SAN.
 */
export async function startLoopbackHub(config: EmulatorConfig = {}, dataDir?: string, address?: string): Promise<TestHub> {
  for (let attempt = 0; ; attempt++) {
    const host = address ?? `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
    if (!(await canBind443On(host))) {
      if (address !== undefined || attempt >= 5) throw new Error(`cannot bind ${host}:443`);
      continue;
    }
    return startTestHub({ ...config, hostName: host, bindAddress: host, ports: { https: 443, amqps: 0, ...config.ports } }, dataDir);
  }
}

/** True when port 443 of loopback address `host` can be bound here (root, or a lowered unprivileged port start). */
export async function canBind443On(host = '127.0.0.1'): Promise<boolean> {
  if (host === '127.0.0.1') return canBind(443);
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(443, host, () => server.close(() => resolve(true)));
  });
}
