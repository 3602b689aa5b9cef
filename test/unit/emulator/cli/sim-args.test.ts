import { describe, expect, it } from 'vitest';

import { parseSimArgs } from '../../../../emulator/cli/sim-args.js';

const env = { TWIN_STUDIO_DATA_DIR: '/data' };

describe('sim command-line parsing', () => {
  it('reads create with a count and a run state', () => {
    expect(parseSimArgs(['create', 'plug', '--profile', 'smart-plug', '--count', '3', '--paused'], env)).toEqual({
      name: 'create',
      dataDir: '/data',
      json: false,
      wait: true,
      deviceId: 'plug',
      profile: 'smart-plug',
      count: 3,
      runState: 'paused',
    });
  });

  it('reads run-state commands with ids or --all, and passes serve options through to the hub parser', () => {
    expect(parseSimArgs(['stop', 'a', 'b', '--data-dir', '/x', '--no-wait'], env)).toEqual({
      name: 'stop',
      dataDir: '/x',
      json: false,
      wait: false,
      deviceIds: ['a', 'b'],
      all: false,
    });
    expect(parseSimArgs(['serve', '--mqtts-port', '0'], env)).toEqual({ name: 'serve', hubArgs: ['--mqtts-port', '0'] });
    expect(parseSimArgs([], env)).toEqual({ name: 'help' });
  });

  it.each([
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['create', 'x'], 'create needs --profile <name|file.json>'],
    [['create', '--profile', 'thermostat'], 'create needs a device id'],
    [['create', 'x', 'y', '--profile', 'thermostat'], 'create takes one device id (use --count for many), got also: y'],
    [['create', 'x', '--profile', 'p', '--count', '0'], "--count must be a whole number 1-10000, got '0'"],
    [['create', 'x', '--profile', 'p', '--stopped', '--paused'], 'use either --stopped or --paused, not both'],
    [['pause'], 'pause needs device ids, or --all'],
    [['validate'], 'validate needs at least one profile file'],
  ])('rejects %j with "%s"', (argv, message) => {
    expect(() => parseSimArgs(argv, env)).toThrow(message);
  });

  it('names an unknown option', () => {
    expect(() => parseSimArgs(['list', '--colour'], env)).toThrow(/--colour/);
  });
});
