import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

import type { Prng } from '../support/prng.js';
import { alive, connectDevice, count, deviceToken, FuzzViolation, type FuzzStats, type FuzzTarget } from './fuzz-target.js';
import { malformedStream, mutateToken } from './mqtt-fuzz.js';

// Phase 1: bytes before and instead of a valid session, over TLS and over plain TCP. Phase 2: CONNECTs with
// fuzzed credentials. The hub may close, refuse or answer; it must not die, and a tampered signature never passes.

function openSocket(target: FuzzTarget, tls: boolean): Socket {
  const { ports } = target.hub.info;
  return tls
    ? connectTls({ host: '127.0.0.1', port: ports.mqtts, ca: target.ca, servername: 'localhost' })
    : connectTcp({ host: '127.0.0.1', port: ports.mqtt ?? 0 });
}

/** Sends one malformed stream and waits (bounded) for the hub to close the socket or go quiet. */
function throwBytes(target: FuzzTarget, rng: Prng, tls: boolean): Promise<'closed' | 'quiet' | 'error'> {
  const bytes = malformedStream(rng, rng.chance(0.5) ? 'fuzz' : rng.text(rng.int(0, 30), 'abc-_/'));
  const socket = openSocket(target, tls);
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish('quiet'), 400);
    const finish = (outcome: 'closed' | 'quiet' | 'error') => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    socket.once('error', () => finish('error'));
    socket.once('close', () => finish('closed'));
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write(bytes));
  });
}

export async function wirePhase(target: FuzzTarget, rng: Prng, connections: number, stats: FuzzStats): Promise<void> {
  const plain = target.hub.info.ports.mqtt !== null;
  let next = 0;
  const worker = async () => {
    while (next < connections) {
      next++;
      const tls = !plain || rng.chance(0.5);
      count(stats, 'wire', `${tls ? 'tls' : 'tcp'}-${await throwBytes(target, rng, tls)}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  if (!alive(target)) throw new FuzzViolation(rng.seed, 'the hub died during the raw-bytes phase');
}

export async function connectPhase(target: FuzzTarget, rng: Prng, attempts: number, stats: FuzzStats): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    const valid = deviceToken(target, 'fuzz');
    const { token, mutation } = mutateToken(rng, valid);
    const username = rng.chance(0.3) ? rng.pick(['', 'localhost', 'localhost/fuzz', 'localhost/other/?api-version=1', `localhost/fuzz/?${'a'.repeat(2000)}`]) : undefined;
    const outcome = await connectDevice(target, 'fuzz', token, username).then(
      async (client) => {
        await client.end();
        return 'accepted';
      },
      (error: { code?: number }) => (error.code === undefined ? 'closed' : `connack-${error.code}`),
    );
    count(stats, 'connect', `${mutation}-${outcome}`);
    if (mutation === 'signature' && outcome === 'accepted') throw new FuzzViolation(rng.seed, `a token with a tampered signature was accepted: ${token}`);
  }
  if (!alive(target)) throw new FuzzViolation(rng.seed, 'the hub died during the CONNECT phase');
}
