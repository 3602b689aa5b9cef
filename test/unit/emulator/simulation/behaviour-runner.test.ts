import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ManualClock } from '../../../../emulator/util/clock.js';
import { BehaviourRunner } from '../../../../emulator/simulation/behaviour-runner.js';
import { DeviceModel } from '../../../../emulator/simulation/device-model.js';
import { parseProfile } from '../../../../emulator/simulation/parse-profile.js';
import { FakeChannel, FakeHost } from './fake-channel.js';

function setup(profile: Record<string, unknown>) {
  const model = new DeviceModel(parseProfile({ name: 'test', ...profile }), 'dev-1', new ManualClock());
  const channel = new FakeChannel();
  const host = new FakeHost();
  return { model, channel, host, runner: new BehaviourRunner(model, channel, host) };
}

describe('a behaviour runner', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports onStart at once, then each periodic report and telemetry on its interval', async () => {
    const { channel, runner } = setup({
      reported: { onStart: { serial: 'SN-1' }, every: [{ intervalMs: 1000, properties: { n: { kind: 'counter', start: 1 } } }] },
      telemetry: { intervalMs: 500, body: { t: { kind: 'sequence', values: [20, 21] } }, properties: { source: 'sim' } },
    });
    await runner.start();
    expect(channel.reportedPatches).toEqual([{ serial: 'SN-1' }]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(channel.reportedPatches).toEqual([{ serial: 'SN-1' }, { n: 1 }, { n: 2 }]);
    expect(channel.telemetry.map((message) => message.body)).toEqual([{ t: 20 }, { t: 21 }, { t: 20 }, { t: 21 }]);
    expect(channel.telemetry[0]?.options).toEqual({ contentType: 'application/json', contentEncoding: 'utf-8', properties: { source: 'sim' } });
    runner.dispose();
  });

  it('applies a desired value after its delay and acknowledges it the Plug and Play way', async () => {
    const { channel, host, runner, model } = setup({ desired: { properties: { target: { delayMs: 1000, description: 'ok' } } } });
    await runner.start();
    runner.onDesired(channel.desire({ target: 25 }));
    await vi.advanceTimersByTimeAsync(999);
    expect(channel.reportedPatches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(channel.reportedPatches).toEqual([{ target: { value: 25, ac: 200, av: 2, ad: 'ok' } }]);
    expect(model.applied.get('target')).toBe(25);
    expect(host.kinds()).toContain('desiredApplied');
  });

  it('rejects a value a rule forbids with the rule status, keeping the value it had', async () => {
    const { channel, runner } = setup({
      desired: {
        properties: {
          target: { reject: [{ when: { below: 5, above: 35 }, status: 422, description: 'out of range' }] },
        },
      },
    });
    await runner.start();
    runner.onDesired(channel.desire({ target: 20 }));
    await vi.advanceTimersByTimeAsync(0);
    runner.onDesired(channel.desire({ target: 99 }));
    await vi.advanceTimersByTimeAsync(0);
    expect(channel.reportedPatches).toEqual([
      { target: { value: 20, ac: 200, av: 2, ad: 'applied' } },
      { target: { value: 20, ac: 422, av: 3, ad: 'out of range' } },
    ]);
  });

  it('mirrors plain values, deletes mirrored nulls and reports nothing for a rejected mirror', async () => {
    const { channel, runner } = setup({
      desired: { ack: 'mirror', properties: { power: { reject: [{ when: { notOneOf: ['on', 'off'] } }] } } },
    });
    await runner.start();
    runner.onDesired(channel.desire({ power: 'off', other: { a: 1 } }));
    await vi.advanceTimersByTimeAsync(0);
    runner.onDesired(channel.desire({ power: 'dim' }));
    await vi.advanceTimersByTimeAsync(0);
    runner.onDesired(channel.desire({ other: null }));
    await vi.advanceTimersByTimeAsync(0);
    expect(channel.reportedPatches).toEqual([{ power: 'off' }, { other: { a: 1 } }, { other: null }]);
  });

  it('ignores properties the profile does not list when others is "ignore"', async () => {
    const { channel, runner } = setup({ desired: { others: 'ignore', properties: { a: {} } } });
    await runner.start();
    runner.onDesired(channel.desire({ b: 1 }));
    await vi.advanceTimersByTimeAsync(10);
    expect(channel.reportedPatches).toEqual([]);
  });

  it('acknowledges with 202 at once when pending, runs the steps with the input, then acknowledges with 200', async () => {
    const { channel, host, runner } = setup({
      desired: {
        properties: {
          firmware: {
            pending: true,
            steps: [
              { afterMs: 100, report: { update: { status: 'downloading', to: { kind: 'input', path: 'version' } } } },
              { afterMs: 100, report: { update: { status: 'done' } } },
            ],
          },
        },
      },
    });
    await runner.start();
    runner.onDesired(channel.desire({ firmware: { version: '2.0' } }));
    await vi.advanceTimersByTimeAsync(0);
    expect(channel.reportedPatches).toEqual([{ firmware: { value: { version: '2.0' }, ac: 202, av: 2, ad: 'pending' } }]);
    await vi.advanceTimersByTimeAsync(200);
    expect(channel.reportedPatches.slice(1)).toEqual([
      { update: { status: 'downloading', to: '2.0' } },
      { update: { status: 'done' } },
      { firmware: { value: { version: '2.0' }, ac: 200, av: 2, ad: 'applied' } },
    ]);
    expect(host.offline).toEqual([]);
  });

  it('cancels the reaction to an older value when a newer one arrives', async () => {
    const { channel, runner } = setup({ desired: { properties: { target: { delayMs: 1000 } } } });
    await runner.start();
    runner.onDesired(channel.desire({ target: 1 }));
    await vi.advanceTimersByTimeAsync(500);
    runner.onDesired(channel.desire({ target: 2 }));
    await vi.advanceTimersByTimeAsync(2000);
    expect(channel.reportedPatches).toEqual([{ target: { value: 2, ac: 200, av: 3, ad: 'applied' } }]);
  });

  it('on connect applies desired values not yet applied and re-acknowledges ones applied before', async () => {
    const { channel, runner, model } = setup({ desired: { properties: { a: {}, b: {}, c: { ack: 'mirror' } } } });
    channel.twin = {
      desired: { a: 1, b: 2, c: 3, $version: 7 },
      reported: { a: { value: 1, ac: 200, av: 5, ad: 'applied' }, b: { value: 1, ac: 200, av: 4 }, $version: 3 },
    };
    await runner.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(channel.reportedPatches).toEqual([{ b: { value: 2, ac: 200, av: 7, ad: 'applied' } }, { c: 3 }]);
    expect(model.applied.get('a')).toBe(1);
  });

  it('answers a method after its delay with the configured status and a payload built from the request', async () => {
    const { channel, runner } = setup({
      methods: { echo: { status: 201, delayMs: 300, payload: { got: { kind: 'input', path: 'x' }, fixed: true } } },
    });
    await runner.start();
    runner.onMethod({ name: 'echo', rid: '7', payload: { x: 'hello' } });
    await vi.advanceTimersByTimeAsync(299);
    expect(channel.methodAnswers).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(channel.methodAnswers).toEqual([{ rid: '7', status: 201, payload: { got: 'hello', fixed: true } }]);
  });

  it('answers unknown methods with 501 by default, or not at all when told', async () => {
    const first = setup({});
    await first.runner.start();
    first.runner.onMethod({ name: 'nope', rid: '1', payload: null });
    await vi.advanceTimersByTimeAsync(0);
    expect(first.channel.methodAnswers).toEqual([{ rid: '1', status: 501, payload: { message: 'method not implemented by this simulated device' } }]);
    const second = setup({ unknownMethod: 'ignore', methods: { hang: { noAnswer: true } } });
    await second.runner.start();
    second.runner.onMethod({ name: 'nope', rid: '1', payload: null });
    second.runner.onMethod({ name: 'hang', rid: '2', payload: null });
    await vi.advanceTimersByTimeAsync(1000);
    expect(second.channel.methodAnswers).toEqual([]);
    expect(second.host.kinds()).toEqual(['methodIgnored', 'methodIgnored']);
  });

  it('asks its device to go offline from a method step after answering', async () => {
    const { channel, host, runner } = setup({
      methods: { reboot: { payload: { ok: true }, steps: [{ afterMs: 100, disconnect: { offlineMs: 3000, mode: 'drop' } }] } },
    });
    await runner.start();
    runner.onMethod({ name: 'reboot', rid: '9', payload: null });
    await vi.advanceTimersByTimeAsync(100);
    expect(channel.methodAnswers).toHaveLength(1);
    expect(host.offline).toEqual([{ offlineMs: 3000, mode: 'drop', reason: 'method reboot' }]);
  });

  it('freezes while paused and re-syncs the twin on resume', async () => {
    const { channel, runner } = setup({
      telemetry: { intervalMs: 100, body: { t: 1 } },
      desired: { properties: { target: {} } },
      methods: { ping: {} },
    });
    await runner.start();
    runner.pause();
    runner.onDesired(channel.desire({ target: 5 }));
    runner.onMethod({ name: 'ping', rid: '1', payload: null });
    await vi.advanceTimersByTimeAsync(1000);
    expect(channel.telemetry).toEqual([]);
    expect(channel.reportedPatches).toEqual([]);
    expect(channel.methodAnswers).toEqual([]);
    await runner.resume();
    await vi.advanceTimersByTimeAsync(100);
    expect(channel.reportedPatches).toEqual([{ target: { value: 5, ac: 200, av: 2, ad: 'applied' } }]);
    expect(channel.telemetry).toHaveLength(1);
    runner.dispose();
  });

  it('records a failed report as an error and keeps going', async () => {
    const { channel, host, runner } = setup({ reported: { every: [{ intervalMs: 100, properties: { a: 1 } }] } });
    await runner.start();
    channel.failReported = new Error('400 400004: nope');
    await vi.advanceTimersByTimeAsync(200);
    expect(host.activities.filter((activity) => activity.kind === 'error').map((activity) => activity.detail)).toEqual([
      'reported patch (every 100 ms) failed: 400 400004: nope',
      'reported patch (every 100 ms) failed: 400 400004: nope',
    ]);
    runner.dispose();
  });
});
