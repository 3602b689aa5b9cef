import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { EmulatorHost } from '../../../../main/emulator-host.js';
import { handlerCalls } from '../../../helpers/handler-calls.js';
import { startStudioHost } from '../../../helpers/studio-host.js';

let host: EmulatorHost;
let dispose: () => Promise<void>;
const { value } = handlerCalls(() => host);

beforeAll(async () => {
  ({ host, dispose } = await startStudioHost());
});
afterAll(() => dispose());

describe('devices.list', () => {
  it('lists the whole fleet, not the first 1,000 the REST listing stops at', async () => {
    const registry = host.requireRunning().registry;
    for (let i = 0; i < 1005; i += 1) await registry.create({ deviceId: `fleet-${i}` });
    expect(registry.list()).toHaveLength(1000);
    const listed = await value('devices.list', {});
    expect(listed).toHaveLength(1005);
    expect(new Set(listed.map((device) => device.deviceId)).size).toBe(1005);
  }, 120_000);
});
