import { describe, expect, it } from 'vitest';

import { fdLimitWarning } from '../../../../emulator/load/fd-limit.js';
import { parseLoadArgs, parseMix } from '../../../../emulator/load/load-options.js';

describe('load generator options', () => {
  it('has defaults for an in-process hub with the studio store', () => {
    expect(parseLoadArgs([])).toEqual({
      devices: 100,
      durationSeconds: 30,
      mix: { reported: 0.1, get: 0.02, telemetry: 0.2 },
      desiredFanout: 0,
      connectConcurrency: 100,
      payloadBytes: 128,
      devicePrefix: 'load-',
      seed: 1,
      target: { kind: 'in-process', persistence: 'file', fsync: true },
      outPath: undefined,
      json: false,
    });
  });

  it('reads a full command line, including a remote target', () => {
    const options = parseLoadArgs([
      '--devices', '10000', '--duration', '60', '--mix', 'reported=0.5,get=0.1,telemetry=1', '--desired-fanout', '100',
      '--connection', 'HostName=h;SharedAccessKeyName=iothubowner;SharedAccessKey=a2V5', '--ca', 'ca.pem', '--mqtts-port', '8884',
      '--out', 'r.json',
    ]);
    expect(options).toMatchObject({
      devices: 10_000,
      durationSeconds: 60,
      mix: { reported: 0.5, get: 0.1, telemetry: 1 },
      desiredFanout: 100,
      outPath: 'r.json',
      target: { kind: 'remote', caPath: 'ca.pem', mqttsPort: 8884, httpsPort: 443 },
    });
    expect(parseLoadArgs(['--help'])).toBe('help');
  });

  it('lets a mix leave operations out (they are zero)', () => {
    expect(parseMix('telemetry=2')).toEqual({ reported: 0, get: 0, telemetry: 2 });
  });

  it.each([
    [['--devices', '0'], "--devices must be a number from 1 to 100000, got '0'"],
    [['--devices', '1.5'], "--devices must be a whole number, got '1.5'"],
    [['--duration', 'soon'], "--duration must be a number from 0 to 86400, got 'soon'"],
    [['--mix', 'reportd=1'], '--mix: "reportd=1" is not <reported|get|telemetry>=<per-device ops per second>'],
    [['--mix', 'get=-1'], "--mix get must be a number from 0 to 1000, got '-1'"],
    [['--connection', 'HostName=h'], '--connection needs --ca <the hub CA certificate>'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseLoadArgs(argv)).toThrow(message);
  });
});

describe('the open-file preflight', () => {
  it('warns when the devices need more sockets than the process may open', () => {
    expect(fdLimitWarning(10_000, false, 20_000)).toBeUndefined();
    expect(fdLimitWarning(10_000, true, 20_000)).toBe(
      'warning: 10000 devices need about 20256 open files (a client and a hub socket each, in one process), but this process may open 20000; ' +
        'raise it (ulimit -n) or run the hub in its own process (npm run hub) and use --connection',
    );
    expect(fdLimitWarning(10_000, true, undefined)).toBeUndefined();
  });
});
