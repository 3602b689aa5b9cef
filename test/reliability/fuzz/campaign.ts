import mqtt from 'mqtt';

import { readDurableState } from '../../helpers/durable-state.js';
import { childRest } from '../support/child-rest.js';
import { Prng } from '../support/prng.js';
import { devicePhase } from './device-phase.js';
import { deviceToken, FuzzViolation, type FuzzStats, type FuzzTarget } from './fuzz-target.js';
import { restPhase } from './rest-phase.js';
import { connectPhase, wirePhase } from './wire-phase.js';

/** How much of each phase one campaign runs. */
export interface FuzzBudget {
  /** Raw-byte connections (TLS and plain TCP). */
  readonly wire: number;
  /** CONNECTs with fuzzed credentials. */
  readonly connects: number;
  /** Random publishes and twin requests of the authenticated fuzz device. */
  readonly deviceSteps: number;
  readonly restCalls: number;
}

/** Devices the CLI must register for a campaign: `victim` is only ever read, `probe` is the well-behaved client. */
export const FUZZ_DEVICES = ['victim', 'fuzz', 'probe'] as const;

/** A normal MQTT.js device must still connect, read its twin and have a reported patch acknowledged. */
async function probe(target: FuzzTarget, seed: number, when: string): Promise<void> {
  const { info } = target.hub;
  const client = await mqtt
    .connectAsync({
      host: '127.0.0.1', port: info.ports.mqtts, protocol: 'mqtts', ca: target.ca, servername: 'localhost', clientId: 'probe',
      username: `${info.hostName}/probe/?api-version=2021-04-12`, password: deviceToken(target, 'probe'), clean: false, reconnectPeriod: 0, connectTimeout: 10_000,
    })
    .catch((error: unknown) => {
      throw new FuzzViolation(seed, `${when}: a normal device cannot connect (${String(error)})`);
    });
  try {
    await client.subscribeAsync('$iothub/twin/res/#');
    const answers = new Map<string, string>();
    client.on('message', (topic) => {
      const rid = /\?\$rid=(p\d)/.exec(topic)?.[1];
      if (rid) answers.set(rid, topic);
    });
    client.publish('$iothub/twin/GET/?$rid=p1', '');
    client.publish('$iothub/twin/PATCH/properties/reported/?$rid=p2', JSON.stringify({ probe: Date.now() }));
    const deadline = Date.now() + 10_000;
    while (answers.size < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    if (!answers.get('p1')?.startsWith('$iothub/twin/res/200/') || !answers.get('p2')?.startsWith('$iothub/twin/res/204/')) {
      throw new FuzzViolation(seed, `${when}: a normal device got ${JSON.stringify([...answers])}`);
    }
  } finally {
    await client.endAsync();
  }
}

/** The protected twins as the service sees them, and their records as the data file holds them. */
async function protectedState(target: FuzzTarget): Promise<string> {
  const call = childRest(target.hub.info);
  const twins = await Promise.all(
    target.protectedIds
      .filter((id) => id === 'victim')
      .map(async (id) => (await call({ method: 'GET', path: `/twins/${id}?api-version=2021-04-12` })).text),
  );
  const durable = await readDurableState(target.dataDir);
  return JSON.stringify({ twins, record: durable.devices.victim });
}

/**
 * One seeded campaign against a running hub: raw bytes, fuzzed CONNECTs, a misbehaving device, random REST calls,
 * with a normal device's round trip after each phase, and at the end the untouched twin and the data file checked.
 * Throws FuzzViolation (naming the seed) at the first broken invariant.
 */
export async function runCampaign(target: FuzzTarget, seed: number, budget: FuzzBudget, stats: FuzzStats): Promise<void> {
  const rng = new Prng(seed);
  const before = await protectedState(target);
  await wirePhase(target, rng, budget.wire, stats);
  await probe(target, seed, 'after raw bytes');
  await connectPhase(target, rng, budget.connects, stats);
  await devicePhase(target, rng, budget.deviceSteps, stats);
  await probe(target, seed, 'after the device phase');
  await restPhase(target, rng, budget.restCalls, stats);
  await probe(target, seed, 'after the REST phase');
  // Reading the file while the hub runs is safe by design: it is only ever replaced by rename.
  const after = await protectedState(target).catch((error: unknown) => {
    throw new FuzzViolation(seed, `the data file no longer parses: ${String(error)}`);
  });
  if (after !== before) throw new FuzzViolation(seed, `a protected twin changed:\n${before}\n${after}`);
}
