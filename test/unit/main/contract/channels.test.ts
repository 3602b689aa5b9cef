import { describe, expect, expectTypeOf, it } from 'vitest';

import {
  buildApi, INVOKE_CHANNELS, isInvokeChannel, PUSH_CHANNELS, requestSchemas,
  type Envelope, type Namespace, type TwinDocument, type TwinStudioApi,
} from '../../../../main/contract/index.js';

describe('the IPC contract', () => {
  it('has exactly one schema per invoke channel, named namespace.method', () => {
    expect(Object.keys(requestSchemas).sort()).toEqual([...INVOKE_CHANNELS].sort());
    for (const channel of INVOKE_CHANNELS) expect(channel).toMatch(/^[a-z0-9]+\.[A-Za-z]+$/);
    expect(new Set(PUSH_CHANNELS).size).toBe(PUSH_CHANNELS.length);
  });

  it('derives the API type from the channel maps', () => {
    expectTypeOf<Namespace>().toEqualTypeOf<'emulator' | 'settings' | 'devices' | 'modules' | 'twin' | 'query' | 'methods' | 'c2d' | 'traffic' | 'simulations' | 'provisioning' | 'jobs' | 'configurations' | 'pnp' | 'snapshots' | 'stepper' | 'faults'>();
    expectTypeOf<TwinStudioApi['twin']['update']>().parameter(0).toEqualTypeOf<{
      deviceId: string;
      moduleId?: string | undefined;
      patch: { tags?: TwinDocument['tags'] | null; desired?: TwinDocument['tags'] | null };
      etag: string;
    }>();
    expectTypeOf<ReturnType<TwinStudioApi['twin']['update']>>().toEqualTypeOf<Promise<Envelope<TwinDocument>>>();
    expectTypeOf<TwinStudioApi['on']>().parameter(0).toEqualTypeOf<'traffic.batch' | 'devices.changed' | 'twin.changed' | 'emulator.status' | 'simulations.changed' | 'provisioning.changed' | 'c2d.settled' | 'modules.changed'>();
  });

  it('builds a plain object with one function per channel (what the preload exposes)', async () => {
    const calls: [string, unknown][] = [];
    const api = buildApi({
      invoke: async (channel, payload) => {
        calls.push([channel, payload]);
        return { ok: true, value: null };
      },
      subscribe: () => () => undefined,
      ready: () => undefined,
    });
    for (const channel of INVOKE_CHANNELS) {
      const [namespace, method] = channel.split('.') as [string, string];
      const fn = (api as unknown as Record<string, Record<string, (req: unknown) => Promise<unknown>>>)[namespace]?.[method];
      expect(typeof fn).toBe('function');
    }
    await api.devices.get({ deviceId: 'x' });
    expect(calls).toEqual([['devices.get', { deviceId: 'x' }]]);
  });

  it('refuses payloads that are not what the channel expects', () => {
    expect(requestSchemas['twin.update'].safeParse({ deviceId: 'd', patch: { desired: { a: 1 } } }).success).toBe(false);
    expect(requestSchemas['twin.update'].safeParse({ deviceId: 'd', patch: { desired: { a: 1 } }, etag: '*', extra: 1 }).success).toBe(false);
    expect(requestSchemas['twin.update'].safeParse({ deviceId: 'd', patch: { desired: { a: () => 1 } }, etag: '*' }).success).toBe(false);
    expect(requestSchemas['twin.update'].safeParse({ deviceId: 'd', patch: { desired: { a: new Date() } }, etag: '*' }).success).toBe(false);
    expect(requestSchemas['emulator.reset'].safeParse({ confirm: 'yes' }).success).toBe(false);
    expect(requestSchemas['methods.invoke'].safeParse({ deviceId: 'd', methodName: 'm', payload: null, responseTimeoutInSeconds: 4 }).success).toBe(false);
    expect(isInvokeChannel('devices.list')).toBe(true);
    expect(isInvokeChannel('toString')).toBe(false);
    expect(isInvokeChannel('__proto__')).toBe(false);
  });

  it('keeps a C2D property named __proto__ as plain data and refuses non-string values', () => {
    const payload = JSON.parse('{"deviceId":"d","body":"x","properties":{"__proto__":"p","a":"b"}}') as unknown;
    const parsed = requestSchemas['c2d.send'].parse(payload);
    expect(Object.keys(parsed.properties ?? {})).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(parsed.properties)).toBe(Object.prototype);
    expect(requestSchemas['c2d.send'].safeParse({ deviceId: 'd', body: 'x', properties: { a: 1 } }).success).toBe(false);
  });

  it('leaves the C2D size limit to the hub, which counts UTF-8 bytes, not characters', () => {
    // 65,537 ASCII characters (65,537 bytes): the hub answers MessageTooLarge naming the bytes, not the schema in characters.
    expect(requestSchemas['c2d.send'].safeParse({ deviceId: 'd', body: 'x'.repeat(65_537) }).success).toBe(true);
    expect(requestSchemas['c2d.send'].safeParse({ deviceId: 'd', body: 'x'.repeat(65_536 * 3 + 1) }).success).toBe(false);
  });
});
