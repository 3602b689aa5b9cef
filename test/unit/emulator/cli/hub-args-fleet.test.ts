import { describe, expect, it } from 'vitest';

import { parseHubArgs } from '../../../../emulator/cli/hub-args.js';

describe('npm run hub fleet options', () => {
  it('sets the configuration re-evaluation interval, and refuses a value that is not milliseconds', () => {
    expect(parseHubArgs(['--configuration-interval', '60000']).config.fleet).toEqual({ configurationIntervalMs: 60000 });
    expect(parseHubArgs(['--configuration-interval', '0']).config.fleet).toEqual({ configurationIntervalMs: 0 });
    expect(parseHubArgs([]).config.fleet).toBeUndefined();
    expect(() => parseHubArgs(['--configuration-interval', '5s'])).toThrow(/--configuration-interval must be a number of milliseconds/);
  });
});

describe('npm run hub tier options', () => {
  it('turns --tier/--units/--lenient into config, and refuses unknown tiers and impossible unit counts', () => {
    expect(parseHubArgs(['--tier', 'S1', '--units', '1']).config.tier).toEqual({ name: 'S1', units: 1 });
    expect(parseHubArgs(['--tier', 's3']).config.tier).toEqual({ name: 'S3', units: 1 });
    expect(parseHubArgs([]).config.tier).toBeUndefined();
    expect(parseHubArgs(['--lenient']).config.lenient).toBe(true);
    expect(parseHubArgs([]).config.lenient).toBeUndefined();
    expect(() => parseHubArgs(['--tier', 'S4'])).toThrow(/--tier must be one of F1, S1, S2, S3, B1, B2, B3/);
    expect(() => parseHubArgs(['--tier', 'F1', '--units', '2'])).toThrow(/--units: a F1 hub has 1 to 1 units/);
    expect(() => parseHubArgs(['--units', '2'])).toThrow(/--units needs --tier/);
    expect(() => parseHubArgs(['--tier', 'S1', '--units', 'two'])).toThrow(/--units must be a whole number/);
  });
});
