import { useCallback } from 'react';

import type { ClusterNodeDto } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { usePolled } from '../../hooks/use-polled.js';
import { StatusBadge } from '../../components/StatusBadge.js';

/** How often the panel reads the cluster's heartbeats (a node beats every 2 s by default). */
export const CLUSTER_POLL_MS = 2000;

function portText(port: number | null): string {
  return port === null ? 'off' : String(port);
}

function liveness(node: ClusterNodeDto): { tone: 'good' | 'warn'; text: string } {
  if (node.live) return { tone: 'good', text: 'live' };
  return { tone: 'warn', text: `silent ${Math.round(node.silentMs / 1000)} s` };
}

/**
 * The hub cluster the studio's hub is a node of (docs/cluster.md): one row per node with its liveness, connected
 * devices, ports, change-stream position and whether it leads; polls `emulator.cluster`. A hub on its own says so.
 */
export function ClusterPanel() {
  const api = useApi();
  const read = useCallback(() => api.emulator.cluster({}), [api]);
  const { value: cluster, error } = usePolled(read, CLUSTER_POLL_MS);

  const nodes = cluster?.nodes ?? [];
  const liveNodes = nodes.filter((node) => node.live);
  return (
    <section aria-label="Cluster">
      <h3>Cluster</h3>
      {error ? <p className="muted">{error}</p> : null}
      {cluster === null ? (
        <p className="muted">This hub runs on its own. Start the studio with <code>--store redis://… --cluster</code> to run it as a node of a hub cluster.</p>
      ) : null}
      {cluster ? (
        <>
          <p className="muted small" data-testid="cluster-summary">
            This hub is node <code>{cluster.nodeId}</code>: {liveNodes.length} live node{liveNodes.length === 1 ? '' : 's'}, {liveNodes.reduce((sum, node) => sum + node.devices, 0)} connected devices.
          </p>
          <table className="table compact" data-testid="cluster-nodes">
            <thead>
              <tr><th>Node</th><th>State</th><th>Devices</th><th>Listening</th><th>Batch</th><th>Started</th></tr>
            </thead>
            <tbody>
              {nodes.map((node) => {
                const state = liveness(node);
                return (
                  <tr key={node.nodeId} data-testid={`cluster-node-${node.nodeId}`}>
                    <td>
                      <code>{node.nodeId}</code>
                      {node.self ? <span className="muted small"> (this hub)</span> : null}
                      {node.leader ? <span className="muted small"> leader</span> : null}
                    </td>
                    <td><StatusBadge tone={state.tone} title={`last heartbeat ${node.heartbeatAt}`}>{state.text}</StatusBadge></td>
                    <td data-testid={`cluster-devices-${node.nodeId}`}>{node.devices}</td>
                    <td>
                      <code>{node.hostName}</code> MQTT/TLS <code>{portText(node.ports.mqtts)}</code> · HTTPS <code>{portText(node.ports.https)}</code> · AMQP/TLS <code>{portText(node.ports.amqps)}</code>
                    </td>
                    <td>{node.position}</td>
                    <td>{new Date(node.startedAt).toLocaleTimeString()}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
