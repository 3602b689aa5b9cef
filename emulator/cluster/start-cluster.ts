import type { ResolvedConfig } from '../config.js';
import type { HubEventBus } from '../events.js';
import type { EmulatorStore } from '../store/store.js';
import { ClusterNode, type SharedStore } from './cluster-node.js';

/** The cluster node the configuration asks for (`cluster` + a `redis://` store), started; undefined otherwise. */
export async function startClusterNode(config: ResolvedConfig, store: EmulatorStore, events: HubEventBus): Promise<ClusterNode | undefined> {
  if (!config.cluster || config.store === undefined) return undefined;
  if (!isShared(store)) throw new Error('a cluster node needs the Redis store (store: redis://…)');
  const node = new ClusterNode({ url: config.store, prefix: config.hostName, ...config.cluster, store, events, logger: config.logger });
  try {
    await node.start();
  } catch (error) {
    await node.close();
    throw error;
  }
  return node;
}

function isShared(store: EmulatorStore): store is EmulatorStore & SharedStore {
  return 'caughtUp' in store && typeof (store as Partial<SharedStore>).caughtUp === 'function';
}
