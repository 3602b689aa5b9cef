import { describe, expect, it } from 'vitest';

import { parseHubArgs } from '../../../../emulator/cli/hub-args.js';
import { resolveConfig } from '../../../../emulator/config.js';

describe('npm run hub cluster options', () => {
  it('selects the Redis store and a cluster node', () => {
    const { config, clusterStatus } = parseHubArgs(['--store', 'redis://127.0.0.1:6379/2', '--cluster', '--node-id', 'a']);
    expect(config.store).toBe('redis://127.0.0.1:6379/2');
    expect(config.cluster).toEqual({ nodeId: 'a' });
    expect(clusterStatus).toBe(false);
    expect(resolveConfig(config).cluster).toEqual({ nodeId: 'a', heartbeatMs: 2000 });
  });

  it('rejects a cluster without a Redis store, a store that is not redis://, and a node id without --cluster', () => {
    expect(() => parseHubArgs(['--cluster'])).toThrow('--cluster needs --store redis://host:port');
    expect(() => parseHubArgs(['--store', 'postgres://x'])).toThrow("--store must be redis://host:port[/db], got 'postgres://x'");
    expect(() => parseHubArgs(['--store', 'redis://h:1', '--node-id', 'a'])).toThrow('--node-id needs --cluster');
    expect(() => parseHubArgs(['--cluster-status'])).toThrow('--cluster-status needs --store');
    expect(() => resolveConfig({ cluster: {} })).toThrow('cluster needs a shared store');
    expect(() => resolveConfig({ store: 'redis://h:1', cluster: { nodeId: 'a b' } })).toThrow("cluster.nodeId must be 1-64 letters");
  });
});
