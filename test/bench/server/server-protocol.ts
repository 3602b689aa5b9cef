import type { JsonObject } from '../../../emulator/index.js';

/** Commands the benchmark process sends to its server child. */
export type ServerCommand =
  | {
      readonly cmd: 'start-hub';
      readonly dataDir: string;
      readonly fsync: boolean;
      /** Memory store instead of the file store (isolates what persistence costs). */
      readonly memory?: boolean;
      readonly https: boolean;
      /** Also listen for AMQP (device and service) on a free port. */
      readonly amqps?: boolean;
      readonly devices: number;
      /** Device ids are `<prefix><index>`. */
      readonly prefix: string;
      /** Every device gets this key, so the load process can sign tokens without asking. */
      readonly deviceKey: string;
      /** Devices already in the data dir (a seeded store) are not registered again. */
      readonly seeded?: boolean;
      /** The hub's message routing (EmulatorConfig.routing); absent: the fallback route only. */
      readonly routing?: JsonObject;
      /** Tags written into each registered device's twin (what `$twin` route conditions read). */
      readonly deviceTags?: JsonObject;
    }
  | { readonly cmd: 'populate'; readonly twins: number; readonly prefix: string; readonly deviceKey: string }
  | { readonly cmd: 'stats' }
  /** Registers `<prefix>0…` in chunks of `chunk` concurrent `registry.create` calls; answers the wall ms. */
  | { readonly cmd: 'create-devices'; readonly prefix: string; readonly count: number; readonly chunk: number }
  | { readonly cmd: 'churn'; readonly rounds: number; readonly writes: number; readonly twins: number; readonly prefix: string }
  | { readonly cmd: 'start-raw'; readonly certDir: string }
  | { readonly cmd: 'memory' }
  | { readonly cmd: 'cpu' }
  | { readonly cmd: 'update-desired'; readonly deviceId: string; readonly desired: JsonObject }
  | { readonly cmd: 'stop' };

/** The child's answer to one command. */
export type ServerReply = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

/** What the hub's store and the server process have written so far (`stats`). */
export interface WriteStats {
  /** `EmulatorStore.stats` of the hub (zeros for raw Aedes). */
  readonly journalBytes: number;
  readonly snapshotBytes: number;
  readonly batches: number;
  readonly changes: number;
  readonly compactions: number;
  /** `write_bytes` of /proc/self/io: bytes this process caused to be sent to storage (page-granular). */
  readonly procWriteBytes: number;
  /**
   * Bytes written to the block device holding the data dir (/proc/diskstats, sectors × 512): what reached the disk,
   * including the file system's own journal, but machine-wide, so other processes' writes count too.
   */
  readonly deviceWriteBytes: number;
}

/** One round of `churn`: RSS and heap after two forced GCs. */
export interface ChurnRound {
  readonly rss: number;
  readonly heapUsed: number;
  readonly ms: number;
}

/** Where the server child listens. */
export interface HubStarted {
  readonly port: number;
  readonly httpsPort: number | null;
  readonly amqpsPort?: number | null;
  readonly caPem: string;
  readonly hostName: string;
  readonly serviceConnectionString: string;
}
