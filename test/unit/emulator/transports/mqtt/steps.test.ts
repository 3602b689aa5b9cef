import { describe, expect, it } from 'vitest';

import { AUTHENTICATE_STEPS } from '../../../../../emulator/transports/mqtt/connect-steps.js';
import { DISCONNECT_STEPS, READY_STEPS } from '../../../../../emulator/transports/mqtt/connection-steps.js';
import { mqttContext } from '../../../../../emulator/transports/mqtt/mqtt-context.js';
import { PUBLISH_STEPS } from '../../../../../emulator/transports/mqtt/publish-steps.js';
import { REQUEST_HANDLERS } from '../../../../../emulator/transports/mqtt/request-handlers.js';
import { runSteps, stop, type Step } from '../../../../../emulator/transports/mqtt/steps.js';
import { SUBSCRIBE_STEPS, SUBSCRIBED_STEPS } from '../../../../../emulator/transports/mqtt/subscribe-steps.js';
import { ManualClock } from '../../../../../emulator/util/clock.js';

const names = (steps: readonly { readonly name: string }[]) => steps.map((step) => step.name);

describe('runSteps', () => {
  it('runs steps in order and reports the one that stopped the flow', () => {
    const seen: string[] = [];
    const first: Step<string[], number> = (log) => void log.push('first');
    const second: Step<string[], number> = () => stop(5);
    const third: Step<string[], number> = (log) => void log.push('third');
    expect(runSteps([first, second, third], seen)).toEqual({ value: 5, by: 'second' });
    expect(seen).toEqual(['first']);
    expect(runSteps([first], seen)).toBeUndefined();
  });
});

describe('the gateway flows', () => {
  it('read as named steps (README.md lists the same)', () => {
    expect(names(AUTHENTICATE_STEPS)).toEqual(['readUsername', 'refuseWildcardIds', 'verifyCredential', 'rememberPrincipal']);
    expect(names(READY_STEPS)).toEqual(['trackConnection', 'claimIdentity', 'scheduleExpiry', 'wakeMethodCalls', 'startC2d', 'markConnected', 'recordModelId', 'recordConnect']);
    expect(names(DISCONNECT_STEPS)).toEqual(['stopExpiry', 'releaseC2d', 'failMethodCalls', 'recordDisconnect', 'markDisconnected']);
    expect(names(SUBSCRIBE_STEPS)).toEqual(['allowTopicFamily', 'allowOwnTopics', 'capQos']);
    expect(names(SUBSCRIBED_STEPS)).toEqual(['trackSubscriptions', 'wakeMethodCalls', 'startC2d', 'recordSubscribe']);
    expect(names(PUBLISH_STEPS)).toEqual(['refuseQos2', 'dropRetain', 'parseTopic', 'markWill', 'touchIdentity', 'refuseForbidden', 'recordIncoming', 'loseQos0', 'dispatch']);
    expect(Object.keys(REQUEST_HANDLERS)).toEqual(['twinGet', 'twinPatchReported', 'methodResponse', 'telemetry']);
  });
});

describe('mqttContext', () => {
  const clock = new ManualClock('2026-03-04T05:06:07.089Z');

  it('carries the $rid as correlation id, the device principal, the operation and the time read once', () => {
    const ctx = mqttContext(clock, { clientId: 'd1/m1', address: { deviceId: 'd1', moduleId: 'm1' } }, 'twin.get', '42');
    clock.advance(1000);
    expect(ctx).toEqual({
      time: '2026-03-04T05:06:07.089Z',
      correlationId: '42',
      principal: { kind: 'device', deviceId: 'd1', moduleId: 'm1' },
      operation: 'twin.get',
      protocol: 'mqtt',
    });
  });

  it('falls back to the connection id without a $rid', () => {
    const ctx = mqttContext(clock, { clientId: 'd1', address: { deviceId: 'd1' } }, 'telemetry.send');
    expect(ctx.correlationId).toBe('d1');
    expect(ctx.principal).toEqual({ kind: 'device', deviceId: 'd1' });
  });
});
