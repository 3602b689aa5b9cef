import { describe, expect, it } from 'vitest';

import { clusterArgs, parseBrowserArgs } from '../../../../main/host/browser-args.js';

describe('browser mode command line', () => {
  it('reads ports, data folder and flags; hub options become overrides', () => {
    const options = parseBrowserArgs(['--port', '5100', '--data-dir', '/tmp/x', '--mqtts-port', '0', '--https-port', 'off', '--amqps-port', '5672', '--memory', '--json']);
    expect(options).toMatchObject({ port: 5100, json: true, overrides: { dataDir: '/tmp/x', persistence: 'memory', ports: { mqtts: 0, https: null, amqps: 5672 } } });
  });

  it('has no overrides by default (the settings file is used)', () => {
    expect(parseBrowserArgs([])).toMatchObject({ port: 0, overrides: {}, json: false, open: false });
  });

  it('names the flag it cannot read', () => {
    expect(() => parseBrowserArgs(['--port', 'abc'])).toThrow('--port needs a port number 0-65535');
    expect(() => parseBrowserArgs(['--mqtts-port', 'off'])).toThrow('--mqtts-port');
    expect(() => parseBrowserArgs(['--data-dir'])).toThrow('--data-dir needs a value');
    expect(() => parseBrowserArgs(['--nope'])).toThrow('unknown option --nope');
  });

  it('joins a hub cluster with --store and --cluster (docs/cluster.md)', () => {
    expect(parseBrowserArgs(['--store', 'redis://127.0.0.1:6379', '--cluster', '--node-id', 'studio'])).toMatchObject({ store: 'redis://127.0.0.1:6379', cluster: { nodeId: 'studio' } });
    expect(parseBrowserArgs(['--store', 'redis://r:6379'])).not.toHaveProperty('cluster');
    expect(() => parseBrowserArgs(['--cluster'])).toThrow('--cluster needs --store');
    // The Electron app's command line carries Chromium's switches too.
    expect(clusterArgs(['/app', '--no-sandbox', '--store', 'redis://r:6379', '--cluster', '--node-id', 'n1'])).toEqual({ store: 'redis://r:6379', cluster: { nodeId: 'n1' } });
    expect(clusterArgs(['/app', '--store', 'redis://r:6379'])).toEqual({ store: 'redis://r:6379' });
    expect(clusterArgs(['/app', '--cluster'])).toEqual({});
  });
});
