/** Where devices and service apps reach a hub node of a cluster, as it reports it in its heartbeat. */
export interface ClusterNodeEndpoint {
  readonly hostName: string;
  /** Host name, loopback and LAN addresses it accepts connections on (`EmulatorInfo.addresses`). */
  readonly addresses: readonly string[];
  readonly ports: { readonly mqtts: number | null; readonly https: number | null; readonly amqps: number | null };
}

/** A node of a cluster as its heartbeat in Redis says (docs/cluster.md); cluster/cluster-node.ts reads it. */
export interface ClusterNodeStatus extends ClusterNodeEndpoint {
  readonly nodeId: string;
  /** Where devices and service apps reach it (host name and ports) in one line, as it reported them. */
  readonly endpoint: string;
  /** Identities (devices and modules) connected to it. */
  readonly devices: number;
  /** Its store position: the last change batch it applied. */
  readonly position: number;
  readonly startedAt: string;
  /** Its last heartbeat (ISO time, its own clock). */
  readonly heartbeatAt: string;
  /** Milliseconds since its last heartbeat when the status was read. */
  readonly silentMs: number;
  /** Heard from within the last three heartbeats. */
  readonly live: boolean;
  /** It runs jobs and configurations (the leader lease). */
  readonly leader: boolean;
}
