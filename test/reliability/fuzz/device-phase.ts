import type { LeanMqttClient } from '../../helpers/lean-mqtt-client.js';
import type { Prng } from '../support/prng.js';
import { alive, connectDevice, count, FuzzViolation, type FuzzStats, type FuzzTarget } from './fuzz-target.js';
import { jsonText } from './json-fuzz.js';
import { topic } from './mqtt-fuzz.js';

// Phase 3: an authenticated device sends random topics, property bags, payloads (up to 1 MB), QoS 2 and retained
// publishes, and random twin requests. Forbidden topics may close the connection (IoT Hub does); every twin request
// that reaches the hub must be answered with its `$rid`: 204 with exactly the next reported `$version`, or a 4xx
// whose body is JSON with a numeric errorCode (iothub-protocol.md §4.5), and a refused patch never bumps `$version`.

interface TwinAnswer {
  readonly status: number;
  readonly version: number | undefined;
  readonly payload: string;
}

function answer(client: LeanMqttClient, rid: string, timeoutMs = 5000): Promise<TwinAnswer | 'closed' | 'timeout'> {
  const pattern = new RegExp(`^\\$iothub/twin/res/(\\d+)/\\?\\$rid=${rid}(?:&\\$version=(\\d+))?$`);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    void client.closed().then(() => {
      clearTimeout(timer);
      resolve('closed');
    });
    client.onMessage = (topicName, payload) => {
      const match = pattern.exec(topicName);
      if (!match) return;
      clearTimeout(timer);
      resolve({ status: Number(match[1]), version: match[2] === undefined ? undefined : Number(match[2]), payload: payload.toString('utf8') });
    };
  });
}

class FuzzDevice {
  private client: LeanMqttClient | undefined;
  private rid = 0;
  /** The reported `$version` the hub must announce next, minus one. */
  private reportedVersion = 0;
  /** A random publish may have patched the twin unobserved: read `$version` again before the next check. */
  private stale = false;

  constructor(
    private readonly target: FuzzTarget,
    private readonly rng: Prng,
    private readonly stats: FuzzStats,
  ) {}

  /**
   * A connected, subscribed client, resynchronised with the twin after any reconnect or unobserved patch. A forbidden
   * publish just before may close the connection under our feet: then connect again (bounded).
   */
  async ready(): Promise<LeanMqttClient> {
    if (this.client?.connected && !this.stale) return this.client;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (!this.client?.connected) {
        const client = await connectDevice(this.target, 'fuzz');
        await client.subscribe([{ topic: '$iothub/twin/res/#', qos: 0 }]);
        this.client = client;
      }
      // The hub handles a connection's publishes in order, so this GET sees every earlier patch.
      const got = await this.request('$iothub/twin/GET', '');
      if (got === 'closed') continue;
      if (got === 'timeout' || got.status !== 200) throw new FuzzViolation(this.rng.seed, `twin GET: ${JSON.stringify(got)}`);
      this.reportedVersion = (JSON.parse(got.payload) as { reported: { $version: number } }).reported.$version;
      this.stale = false;
      return this.client as LeanMqttClient;
    }
    throw new FuzzViolation(this.rng.seed, 'the fuzz device could not get a working connection in 5 attempts');
  }

  private async request(family: string, body: string): Promise<TwinAnswer | 'closed' | 'timeout'> {
    const client = this.client;
    if (!client) return 'closed';
    const rid = `f${this.rid++}`;
    const pending = answer(client, rid);
    // QoS by parity, not from the PRNG: how many requests a run makes depends on timing, the input sequence must not.
    client.publishPacket({ topic: `${family}/?$rid=${rid}`, payload: body, qos: this.rid % 2 === 0 ? 0 : 1, messageId: (this.rid % 65535) + 1, retain: false, dup: false });
    return pending;
  }

  async randomPublish(): Promise<void> {
    const client = await this.ready();
    const rng = this.rng;
    const size = rng.pick([0, 10, 300, 70_000, 300_000, 1_000_000]);
    const payload = rng.chance(0.5) ? jsonText(rng) : rng.bytes(rng.chance(0.9) ? Math.min(size, 2000) : size);
    const name = topic(rng, 'fuzz');
    if (name.startsWith('$iothub/twin/PATCH/')) this.stale = true;
    client.publishPacket({ topic: name, payload, qos: rng.chance(0.08) ? 2 : rng.pick([0, 1] as const), messageId: rng.int(1, 65535), retain: rng.chance(0.1), dup: rng.chance(0.05) });
    // Let the hub act on it (maybe by closing) before the next step.
    await new Promise((resolve) => setTimeout(resolve, 2));
    count(this.stats, 'device', client.connected ? 'publish' : 'publish-closed');
  }

  async twinCheck(): Promise<void> {
    await this.ready();
    const rng = this.rng;
    const isGet = rng.chance(0.15);
    const result = await this.request(isGet ? '$iothub/twin/GET' : '$iothub/twin/PATCH/properties/reported', isGet ? rng.pick(['', ' ', '{}', 'garbage']) : jsonText(rng));
    if (result === 'closed') {
      count(this.stats, 'twin', 'closed');
      return;
    }
    if (result === 'timeout') throw new FuzzViolation(rng.seed, 'a twin request was never answered');
    count(this.stats, 'twin', String(result.status));
    if (isGet) {
      if (result.status !== 200) throw new FuzzViolation(rng.seed, `twin GET answered ${result.status}: ${result.payload}`);
      return;
    }
    if (result.status === 204) {
      if (result.version !== this.reportedVersion + 1) throw new FuzzViolation(rng.seed, `204 with $version ${result.version}, expected ${this.reportedVersion + 1}`);
      this.reportedVersion += 1;
      return;
    }
    const body = JSON.parse(result.payload) as { errorCode?: unknown };
    if (result.status < 400 || result.status >= 500 || typeof body.errorCode !== 'number') {
      throw new FuzzViolation(rng.seed, `a refused patch must be a 4xx with a numeric errorCode, got ${result.status} ${result.payload}`);
    }
  }

  async close(): Promise<void> {
    await this.client?.end();
  }
}

export async function devicePhase(target: FuzzTarget, rng: Prng, steps: number, stats: FuzzStats): Promise<void> {
  const device = new FuzzDevice(target, rng, stats);
  try {
    for (let i = 0; i < steps; i++) {
      if (rng.chance(0.4)) await device.twinCheck();
      else await device.randomPublish();
      if (!alive(target)) throw new FuzzViolation(rng.seed, 'the hub died during the device phase');
    }
  } finally {
    await device.close();
  }
}
