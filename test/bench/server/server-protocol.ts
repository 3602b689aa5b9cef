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
      readonly devices: number;
      /** Device ids are `<prefix><index>`. */
      readonly prefix: string;
      /** Every device gets this key, so the load process can sign tokens without asking. */
      readonly deviceKey: string;
    }
  | { readonly cmd: 'start-raw'; readonly certDir: string }
  | { readonly cmd: 'memory' }
  | { readonly cmd: 'cpu' }
  | { readonly cmd: 'update-desired'; readonly deviceId: string; readonly desired: JsonObject }
  | { readonly cmd: 'stop' };

/** The child's answer to one command. */
export type ServerReply = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

/** Where the server child listens. */
export interface HubStarted {
  readonly port: number;
  readonly httpsPort: number | null;
  readonly caPem: string;
  readonly hostName: string;
  readonly serviceConnectionString: string;
}
