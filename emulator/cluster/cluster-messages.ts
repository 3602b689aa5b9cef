import { z } from 'zod';

import { isJsonObject, type JsonObject } from '../model/json.js';

/** An identity on the wire between nodes: a device, or a module of it. */
const address = { deviceId: z.string().min(1).max(128), moduleId: z.string().min(1).max(128).optional() };

// The desired body is checked, not rebuilt: JSON.parse already made own properties (a `__proto__` key included).

/** Identities per `activity` message (a node sends several when more were active since its last heartbeat). */
export const ACTIVITY_BATCH = 1000;

/**
 * What nodes tell each other over Redis pub/sub. Broadcast (`{prefix}:cluster`): `claim` (an identity connected to
 * `node` at `at`, claim number `gen`: the highest wins), `gone` (its connection there ended at `at`), `activity`
 * (when the identities connected to `node` last sent something, once per heartbeat: `[key, ms]`), `disconnect`
 * (close it everywhere: delete/disable), `cancelJob` (the node running that job cancels it). To one node (`{prefix}:node:<id>`): the device-port calls for an identity
 * it holds, each with the sender's store position `seq` (the receiver catches up to it first), and method answers.
 */
export const CLUSTER_MESSAGE = z.discriminatedUnion('t', [
  z.object({ t: z.literal('claim'), key: z.string().min(1).max(300), node: z.string(), gen: z.number().int(), at: z.number().int().optional() }),
  z.object({ t: z.literal('gone'), key: z.string().min(1).max(300), node: z.string(), gen: z.number().int(), at: z.number().int().optional() }),
  z.object({ t: z.literal('activity'), node: z.string(), items: z.array(z.tuple([z.string().min(1).max(300), z.number().int()])).max(ACTIVITY_BATCH) }),
  z.object({ t: z.literal('disconnect'), ...address }),
  z.object({ t: z.literal('desired'), ...address, body: z.custom<JsonObject>((value) => isJsonObject(value)), version: z.number().int(), seq: z.number().int() }),
  z.object({ t: z.literal('c2d'), deviceId: address.deviceId, seq: z.number().int() }),
  z.object({ t: z.literal('invoke'), ...address, methodName: z.string().max(256), payload: z.string(), rid: z.string().max(64), from: z.string(), seq: z.number().int() }),
  z.object({ t: z.literal('methodResult'), ...address, rid: z.string().max(64), status: z.number().int(), payload: z.string() }),
  z.object({ t: z.literal('methodFailed'), ...address, rid: z.string().max(64) }),
  z.object({ t: z.literal('cancelJob'), jobId: z.string().min(1).max(128), node: z.string() }),
]);

export type ClusterMessage = z.infer<typeof CLUSTER_MESSAGE>;

/** Parses a message from another node; undefined for anything that is not one (logged by the caller). */
export function parseClusterMessage(text: string): ClusterMessage | undefined {
  try {
    const parsed = CLUSTER_MESSAGE.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
