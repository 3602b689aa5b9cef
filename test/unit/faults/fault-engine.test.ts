import { describe, expect, it } from 'vitest';

import { FaultEngine, type InjectedFault } from '../../../emulator/faults/fault-engine.js';
import type { ConnectionFault } from '../../../emulator/faults/fault-target.js';
import { noopLogger } from '../../../emulator/logger.js';
import { SeededRandom } from '../../../emulator/faults/seeded-random.js';

function engine(now: () => number = () => 0): { faults: FaultEngine; events: InjectedFault[] } {
  const events: InjectedFault[] = [];
  return { faults: new FaultEngine({ record: (event) => events.push(event), logger: noopLogger, sdkProperties: true, now }), events };
}

describe('SeededRandom', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, ((random) => () => random.next())(new SeededRandom(seed)));
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(7).every((value) => value >= 0 && value < 1)).toBe(true);
  });
});

describe('FaultEngine', () => {
  it('loses the same QoS 0 messages for the same seed, about the fraction asked for', async () => {
    const decisions = async (seed: number) => {
      const { faults } = engine();
      faults.seed(seed);
      await faults.apply({ fault: 'lossQos0', device: 'd1', fraction: 0.3 });
      return Array.from({ length: 200 }, () => faults.losesQos0('d1'));
    };
    const first = await decisions(11);
    expect(await decisions(11)).toEqual(first);
    expect(await decisions(12)).not.toEqual(first);
    const lost = first.filter(Boolean).length;
    expect(lost).toBeGreaterThan(30);
    expect(lost).toBeLessThan(90);
  });

  it('applies a device fault to that device only, and a hub-wide one to every device', async () => {
    const { faults } = engine();
    await faults.apply({ fault: 'lossQos0', device: 'd1', fraction: 1 });
    expect(faults.losesQos0('d1')).toBe(true);
    expect(faults.losesQos0('d2')).toBe(false);
    await faults.apply({ fault: 'methodTimeout' });
    expect(faults.swallowsMethod({ deviceId: 'd2' }, 'reboot')).toBe(true);
    faults.clear();
    expect(faults.swallowsMethod({ deviceId: 'd2' }, 'reboot')).toBe(false);
  });

  it('ends a timed fault after its duration', async () => {
    let now = 0;
    const { faults } = engine(() => now);
    await faults.apply({ fault: 'refuseConnections', device: 'd1', durationMs: 1000 });
    expect(faults.connectionRefusal('d1')).toBeDefined();
    now = 1000;
    expect(faults.connectionRefusal('d1')).toBeUndefined();
    faults.close();
  });

  it('adds latency plus seeded jitter through its gate check, and refuses with the error fault in force', async () => {
    const { faults } = engine();
    await faults.apply({ fault: 'latency', device: 'd1', latencyMs: 30, jitterMs: 10 });
    const delay = faults.delayMs('d1');
    expect(delay).toBeGreaterThanOrEqual(30);
    expect(delay).toBeLessThanOrEqual(40);
    const started = Date.now();
    await faults.gateCheck.check({ deviceId: 'd1', family: 'deviceToCloud', ctx: { principal: { kind: 'device' } } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    faults.clear();
    await faults.apply({ fault: 'sdk', device: 'd1', type: 'InvokeThrottling', delayMs: 0, durationMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(() => faults.gateCheck.check({ deviceId: 'd1', family: 'deviceToCloud', ctx: { principal: { kind: 'device' } } })).toThrow(expect.objectContaining({ code: 'ThrottlingException', httpStatus: 429, errorCode: 429001 }));
    expect(faults.gateCheck.check({ deviceId: 'd2', family: 'deviceToCloud', ctx: { principal: { kind: 'device' } } })).toBeUndefined();
    faults.close();
  });

  it('hands connection faults to every bound transport and reports what each did', async () => {
    const { faults, events } = engine();
    const calls: [string | undefined, ConnectionFault][] = [];
    faults.bindTarget({ applyConnectionFault: (deviceId, fault) => (calls.push([deviceId, fault]), deviceId === 'd1' ? [{ deviceId: 'd1', protocol: 'mqtt', effect: 'socket destroyed' }] : []) });
    await faults.apply({ fault: 'drop', device: 'd1' });
    await faults.apply({ fault: 'expireToken', device: 'd2' });
    expect(calls).toEqual([['d1', 'drop'], ['d2', 'expireToken']]);
    expect(events.map((event) => [event.deviceId, event.protocol, event.topic])).toEqual([
      ['d1', 'mqtt', 'fault drop → socket destroyed'],
      ['d2', undefined, 'fault expireToken → no live connection'],
    ]);
  });

  it('treats the SDK properties as ordinary telemetry when fault injection is off', () => {
    const { faults } = engine();
    faults.sdkProperties = false;
    expect(faults.onDeviceMessage({ deviceId: 'd1' }, { AzIoTHub_FaultOperationType: 'KillTcp' }, 'mqtt')).toBe(false);
    faults.sdkProperties = true;
    expect(faults.onDeviceMessage({ deviceId: 'd1' }, { AzIoTHub_FaultOperationType: 'KillTcp', AzIoTHub_FaultOperationDelayInSecs: '0' }, 'mqtt')).toBe(true);
    faults.close();
  });
});
