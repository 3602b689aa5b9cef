import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { HubEmulator } from '../../emulator/index.js';

const READER = fileURLToPath(new URL('../fixtures/event-hubs/read-events.mjs', import.meta.url));

/** One event as the unmodified `@azure/event-hubs` consumer hands it to its handler. */
export interface ReceivedEvent {
  readonly body: unknown;
  readonly properties?: Record<string, unknown>;
  readonly systemProperties?: Record<string, unknown>;
  readonly sequenceNumber: number;
  readonly offset: string;
  readonly enqueuedTimeUtc: string;
  readonly messageId?: unknown;
  readonly correlationId?: unknown;
  readonly contentType?: string;
}

/** What the reader printed. */
export interface ReaderResult {
  hub?: { name: string; partitionIds: string[]; createdOn: string };
  partitions?: { partitionId: string; beginningSequenceNumber: number; lastEnqueuedSequenceNumber: number; lastEnqueuedOffset: string; isEmpty: boolean }[];
  events?: ReceivedEvent[];
  errors?: { name: string; code?: string; message: string }[];
  failed?: { name: string; code?: string; message: string };
}

/** What to read: a consumer group, how many events, from where (an `@azure/event-hubs` EventPosition). */
export interface ReadPlan {
  readonly consumerGroup?: string;
  readonly count?: number;
  readonly timeoutMs?: number;
  readonly startPosition?: Record<string, unknown>;
  readonly properties?: boolean;
  readonly stopOnError?: boolean;
  /** No retries (the client retries even an unauthorized CBS reply, sleeping 30 s between attempts). */
  readonly noRetries?: boolean;
}

/**
 * Runs `test/fixtures/event-hubs/read-events.mjs` — the unmodified `EventHubConsumerClient` — in a child process that
 * trusts the hub's CA through `NODE_EXTRA_CA_CERTS` (the client has no CA option), with the given connection string.
 */
export function readEvents(hub: HubEmulator, plan: ReadPlan, connectionString = hub.eventHubConnectionString()): Promise<ReaderResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [READER, connectionString, JSON.stringify(plan)],
      { timeout: (plan.timeoutMs ?? 10_000) + 20_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: hub.info.caCertPath } },
      (error, stdout, stderr) => {
        if (error && stdout.trim() === '') {
          reject(new Error(`reader failed: ${error.message}\n${stderr}`));
          return;
        }
        const result: ReaderResult = {};
        for (const line of stdout.split('\n').filter((text) => text.trim() !== '')) Object.assign(result, JSON.parse(line) as ReaderResult);
        resolve(result);
      },
    );
  });
}
