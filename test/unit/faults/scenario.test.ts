import { describe, expect, it } from 'vitest';

import { FaultSpecError, parseFaultSpec } from '../../../emulator/faults/fault-spec.js';
import { parseScenario } from '../../../emulator/faults/scenario.js';
import { parseSdkFault } from '../../../emulator/faults/sdk-faults.js';

/** The message of the error `run` throws. */
function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FaultSpecError);
    return (error as Error).message;
  }
  throw new Error('expected a FaultSpecError');
}

describe('parseScenario', () => {
  it('reads a timeline, keeps the seed and orders steps by time (file order within the same time)', () => {
    const scenario = parseScenario(
      JSON.stringify({
        name: 'flaky',
        seed: 42,
        steps: [
          { at: 2000, fault: 'drop', device: 'd1' },
          { at: 0, fault: 'lossQos0', device: 'd1', fraction: 0.5, durationMs: 1500 },
          { at: 2000, fault: 'hubDown', durationMs: 500 },
          { at: 0, fault: 'latency', latencyMs: 100, jitterMs: 20 },
        ],
      }),
    );
    expect(scenario.name).toBe('flaky');
    expect(scenario.seed).toBe(42);
    expect(scenario.steps.map((step) => [step.at, step.spec.fault])).toEqual([
      [0, 'lossQos0'],
      [0, 'latency'],
      [2000, 'drop'],
      [2000, 'hubDown'],
    ]);
    expect(scenario.steps[0]?.spec).toEqual({ fault: 'lossQos0', device: 'd1', fraction: 0.5, durationMs: 1500 });
  });

  it('defaults the seed to 1', () => {
    expect(parseScenario('{"steps":[]}').seed).toBe(1);
  });

  it.each([
    ['{"steps":[', 'faults.json: (file): is not JSON'],
    ['[]', 'faults.json: (root): must be an object'],
    ['{"seed":1}', 'faults.json: steps: must be an array of steps'],
    ['{"seed":-1,"steps":[]}', 'faults.json: seed: must be a whole number from 0 to 4294967295, got -1'],
    ['{"steps":[],"speed":2}', 'faults.json: speed: is not a scenario field'],
    ['{"steps":[{"fault":"drop"}]}', 'faults.json: steps[0].at: must be a whole number of milliseconds'],
    ['{"steps":[{"at":0,"fault":"drop"},{"at":5,"fault":"explode"}]}', 'faults.json: steps[1].fault: must be one of drop, refuseConnections'],
    ['{"steps":[{"at":0,"fault":"lossQos0","fraction":1.5}]}', 'faults.json: steps[0].fraction: must be a number from 0 to 1, got 1.5'],
    ['{"steps":[{"at":0,"fault":"lossQos0"}]}', "faults.json: steps[0].fraction: is required for 'lossQos0'"],
    ['{"steps":[{"at":0,"fault":"latency","latencyMs":-5}]}', 'faults.json: steps[0].latencyMs: must be a whole number of milliseconds from 0 to 86400000, got -5'],
    ['{"steps":[{"at":0,"fault":"drop","device":""}]}', 'faults.json: steps[0].device: must be a device id'],
    ['{"steps":[{"at":0,"fault":"drop","fraction":0.1}]}', "faults.json: steps[0].fraction: is not a field of 'drop'"],
    ['{"steps":[{"at":0,"fault":"hubDown","device":"d1"}]}', "faults.json: steps[0].device: 'hubDown' acts on the whole hub and takes no device"],
    ['{"steps":[{"at":0,"fault":"sdk","type":"KillTcp"}]}', "faults.json: steps[0].device: is required for 'sdk'"],
    ['{"steps":[{"at":0,"fault":"sdk","device":"d1","type":"KillEverything"}]}', 'faults.json: steps[0].type: must be one of KillTcp'],
    ['{"steps":[7]}', 'faults.json: steps[0]: must be an object'],
  ])('%s → %s', (text, message) => {
    expect(errorOf(() => parseScenario(text, 'faults.json'))).toContain(message);
  });

  it('never lets "__proto__" from a file reach a prototype', () => {
    const spec = parseFaultSpec(JSON.parse('{"fault":"drop","device":"d1"}'));
    expect(Object.getPrototypeOf(spec)).toBe(Object.prototype);
    expect(errorOf(() => parseFaultSpec(JSON.parse('{"fault":"drop","__proto__":{"x":1}}')))).toContain("fault.__proto__: is not a field of 'drop'");
  });
});

describe('parseSdkFault (the SDKs\' AzIoTHub_Fault* properties)', () => {
  it('reads type, reason, delay and duration as the C# and Node e2e tests send them', () => {
    expect(parseSdkFault({ AzIoTHub_FaultOperationType: 'KillTcp', AzIoTHub_FaultOperationCloseReason: 'boom', AzIoTHub_FaultOperationDelayInSecs: '2', AzIoTHub_FaultOperationDurationInSecs: '5' })).toEqual({
      kind: 'fault',
      fault: { type: 'KillTcp', closeReason: 'boom', delayMs: 2000, durationMs: 5000 },
    });
  });

  it('uses the C# defaults (delay 2 s, duration 5 s) for missing numbers and ignores ordinary messages', () => {
    expect(parseSdkFault({ AzIoTHub_FaultOperationType: 'ShutDownMqtt' })).toMatchObject({ fault: { delayMs: 2000, durationMs: 5000, closeReason: '' } });
    expect(parseSdkFault({ temp: '21' })).toEqual({ kind: 'none' });
  });

  it('reports an unknown type or a bad number instead of guessing', () => {
    expect(parseSdkFault({ AzIoTHub_FaultOperationType: 'KillEverything' })).toMatchObject({ kind: 'invalid' });
    expect(parseSdkFault({ AzIoTHub_FaultOperationType: 'KillTcp', AzIoTHub_FaultOperationDelayInSecs: 'soon' })).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('AzIoTHub_FaultOperationDelayInSecs') });
  });
});
