import { describe, expect, it } from 'vitest';

import type { JsonValue } from '../../../../emulator/model/json.js';
import { ManualClock } from '../../../../emulator/util/clock.js';
import { createRandom, hashSeed } from '../../../../emulator/simulation/seeded-random.js';
import { compileValueSpec, readPath, type GeneratorEnvironment } from '../../../../emulator/simulation/value-generators.js';
import type { ValueSpec } from '../../../../emulator/simulation/value-schema.js';

function environment(overrides: Partial<GeneratorEnvironment> = {}): GeneratorEnvironment {
  return { seed: 7, deviceId: 'dev-1', clock: new ManualClock('2026-03-01T10:00:00.000Z'), applied: () => undefined, ...overrides };
}

function take(spec: ValueSpec, count: number, env = environment(), input?: JsonValue): (JsonValue | undefined)[] {
  const generate = compileValueSpec(spec, env, 'test');
  return Array.from({ length: count }, () => generate(input === undefined ? {} : { input }));
}

describe('seeded randomness', () => {
  it('repeats the same stream for the same seed and differs for another seed', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
    for (const value of first) expect(value >= 0 && value < 1).toBe(true);
  });

  it('hashes names to stable 32-bit seeds', () => {
    expect(hashSeed('thermostat')).toBe(hashSeed('thermostat'));
    expect(hashSeed('thermostat')).not.toBe(hashSeed('thermostat2'));
    expect(Number.isInteger(hashSeed('x')) && hashSeed('x') >= 0).toBe(true);
  });
});

describe('value generators', () => {
  it('returns constants, arrays and nested groups as written', () => {
    const spec: ValueSpec = { a: 1, b: 'x', c: null, d: [1, 2], e: { f: true }, g: { kind: 'constant', value: { h: 1 } } };
    expect(take(spec, 1)[0]).toEqual({ a: 1, b: 'x', c: null, d: [1, 2], e: { f: true }, g: { h: 1 } });
  });

  it('draws ranges within bounds, rounded to the requested decimals, identically on every run', () => {
    const values = take({ kind: 'range', min: 10, max: 20, decimals: 1 }, 200) as number[];
    for (const value of values) {
      expect(value).toBeGreaterThanOrEqual(10);
      expect(value).toBeLessThanOrEqual(20);
      expect(Math.round(value * 10) / 10).toBe(value);
    }
    expect(take({ kind: 'range', min: 10, max: 20, decimals: 1 }, 200)).toEqual(values);
  });

  it('draws whole numbers including both ends when decimals is 0', () => {
    const values = new Set(take({ kind: 'range', min: 1, max: 3, decimals: 0 }, 300));
    expect([...values].sort()).toEqual([1, 2, 3]);
  });

  it('gives each device its own stream', () => {
    const spec: ValueSpec = { kind: 'range', min: 0, max: 100 };
    expect(take(spec, 5, environment({ deviceId: 'a' }))).not.toEqual(take(spec, 5, environment({ deviceId: 'b' })));
  });

  it('walks from the start value by at most step, staying within min and max', () => {
    const values = take({ kind: 'randomWalk', start: 5, step: 2, min: 0, max: 10, decimals: 3 }, 500) as number[];
    expect(values[0]).toBe(5);
    for (let i = 1; i < values.length; i++) {
      expect(Math.abs(values[i]! - values[i - 1]!)).toBeLessThanOrEqual(2.001);
      expect(values[i]).toBeGreaterThanOrEqual(0);
      expect(values[i]).toBeLessThanOrEqual(10);
    }
  });

  it('loops through a sequence, or holds its last value when loop is false', () => {
    expect(take({ kind: 'sequence', values: ['a', 'b'] }, 5)).toEqual(['a', 'b', 'a', 'b', 'a']);
    expect(take({ kind: 'sequence', values: ['a', 'b'], loop: false }, 4)).toEqual(['a', 'b', 'b', 'b']);
  });

  it('counts from start by step', () => {
    expect(take({ kind: 'counter' }, 3)).toEqual([0, 1, 2]);
    expect(take({ kind: 'counter', start: 10, step: -5 }, 3)).toEqual([10, 5, 0]);
  });

  it('reads the time from the injected clock', () => {
    expect(take({ kind: 'now' }, 1)).toEqual(['2026-03-01T10:00:00.000Z']);
  });

  it('reads the triggering input, whole or by path, and leaves out what is missing', () => {
    const input = { version: '2.0.0', url: 'https://example/fw' };
    expect(take({ kind: 'input' }, 1, environment(), input)).toEqual([input]);
    expect(take({ v: { kind: 'input', path: 'version' }, w: { kind: 'input', path: 'nope' } }, 1, environment(), input)).toEqual([{ v: '2.0.0' }]);
  });

  it('reads applied desired values, with a default until one is applied', () => {
    const applied = new Map<string, JsonValue>();
    const env = environment({ applied: (property) => applied.get(property) });
    const generate = compileValueSpec({ kind: 'applied', property: 'firmware', path: 'version', default: '1.0.0' }, env, 'fw');
    expect(generate({})).toBe('1.0.0');
    applied.set('firmware', { version: '2.0.0' });
    expect(generate({})).toBe('2.0.0');
  });

  it('reads dotted paths only through objects', () => {
    expect(readPath({ a: { b: [1] } }, 'a.b')).toEqual([1]);
    expect(readPath({ a: [{ b: 1 }] }, 'a.0.b')).toBeUndefined();
    expect(readPath(5, '')).toBe(5);
  });
});
