import mqttPacket, { type Packet } from 'mqtt-packet';

import type { Prng } from '../support/prng.js';

// Random and malformed MQTT input: raw bytes, packets mqtt-packet can frame and then mutated bytes, topics,
// property bags and SAS tokens (iothub-protocol.md §2-§4, §6.1).

const TOPIC_CHARS = 'abc/$?&=#+%.-_ 019\u0000é中😀';

/** Bytes that are mostly valid MQTT framing, then broken in one of several ways. */
export function malformedStream(rng: Prng, clientId: string): Buffer {
  const base: Packet[] = [
    { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId, clean: rng.chance(0.5), keepalive: rng.int(0, 65535), username: rng.text(rng.int(0, 40), TOPIC_CHARS), password: rng.bytes(rng.int(0, 40)) },
    { cmd: 'publish', topic: topic(rng, clientId), payload: rng.bytes(rng.int(0, 200)), qos: rng.pick([0, 1, 2] as const), messageId: rng.int(1, 65535), retain: rng.chance(0.2), dup: rng.chance(0.1) },
    { cmd: 'subscribe', messageId: rng.int(1, 65535), subscriptions: [{ topic: topic(rng, clientId), qos: rng.pick([0, 1, 2] as const) }] },
    { cmd: 'pingreq' },
    { cmd: 'disconnect' },
  ];
  const packets = Array.from({ length: rng.int(1, 5) }, () => frame(rng, rng.pick(base)));
  let bytes = Buffer.concat(packets);
  switch (rng.int(0, 7)) {
    case 0:
      return rng.bytes(rng.int(1, 512));
    case 1:
      return bytes.subarray(0, rng.int(1, Math.max(1, bytes.length - 1)));
    case 2:
      // A remaining length claiming ~256 MB (the MQTT maximum), followed by a little data.
      return Buffer.concat([Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]), rng.bytes(rng.int(0, 64))]);
    case 3:
      // Reserved packet types 0 and 15, bad fixed-header flags.
      return Buffer.concat([Buffer.from([rng.pick([0x00, 0xf0, 0x82 ^ 0x01, 0x36]), rng.int(0, 20)]), rng.bytes(20)]);
    case 4:
      // A CONNECT with a wrong protocol name or level.
      return Buffer.from([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x58, 0x58, rng.int(0, 9), 0x02, 0x00, 0x3c, 0x00, 0x00]);
    default: {
      bytes = Buffer.from(bytes);
      for (let flips = rng.int(1, 6); flips > 0; flips--) bytes[rng.int(0, bytes.length - 1)] = rng.int(0, 255);
      return bytes;
    }
  }
}

/** The packet's bytes; mqtt-packet refuses to frame some of what we ask (empty client id with clean=0, …). */
function frame(rng: Prng, packet: Packet): Buffer {
  try {
    return Buffer.from(mqttPacket.generate(packet));
  } catch {
    return rng.bytes(rng.int(2, 40));
  }
}

/**
 * A topic near the IoT Hub families: mostly allowed ones with fuzzed tails and property bags (so the session lives
 * on and the handlers see the input), sometimes forbidden ones, wildcards, odd encodings and huge names (which
 * close the connection, as IoT Hub does).
 */
export function topic(rng: Prng, deviceId: string): string {
  const allowed = [
    `$iothub/twin/GET/?$rid=${rng.text(rng.int(0, 40), TOPIC_CHARS)}`,
    `$iothub/twin/PATCH/properties/reported/?$rid=${rng.int(0, 99)}&$version=${rng.text(rng.int(0, 5), TOPIC_CHARS)}`,
    `$iothub/methods/res/${rng.pick(['200', '0', '-1', '99999999999'])}/?$rid=${rng.text(rng.int(0, 10), TOPIC_CHARS)}`,
    `devices/${deviceId}/messages/events/`,
    `devices/${deviceId}/messages/events`,
    `devices/${deviceId}/messages/events/${propertyBag(rng)}`,
    `devices/${deviceId}/messages/events/${propertyBag(rng)}`,
  ];
  const forbidden = [
    '$iothub/twin/PATCH/properties/reported/',
    `$iothub/twin/PATCH/properties/desired/?$rid=${rng.int(0, 99)}`,
    `$iothub/methods/res/abc/?$rid=1`,
    'devices/other/messages/events/',
    `devices/${deviceId}/messages/devicebound/`,
    '$iothub/#',
    '#',
    '+/+',
    rng.text(rng.int(0, 60), TOPIC_CHARS),
    `devices/${deviceId}/messages/events/${'x'.repeat(rng.pick([1000, 65_000]))}`,
  ];
  if (rng.chance(0.75)) return rng.pick(allowed);
  const chosen = rng.pick(forbidden);
  return rng.chance(0.3) ? chosen.toUpperCase() : chosen;
}

/** A telemetry property bag with broken percent-encoding, empty names, repeated keys, system names. */
export function propertyBag(rng: Prng): string {
  const pairs: string[] = [];
  for (let i = rng.int(0, 6); i > 0; i--) {
    const name = rng.pick(['%24.ct', '%24.ce', '%24.mid', '%24.cid', '%24.to', '%24.uid', 'a', '', '%', '%zz', '%24.', '$.ct', 'k%20k', 'x'.repeat(300)]);
    const value = rng.pick(['', 'application%2Fjson', 'utf-8', '%', '%E9', '%F0%9F%98%80', 'v=w', 'a&b', 'x'.repeat(rng.int(0, 5000))]);
    pairs.push(rng.chance(0.2) ? name : `${name}=${value}`);
  }
  return pairs.join(rng.chance(0.1) ? '&&' : '&');
}

/** How a SAS token was changed: a tampered signature must always be refused; other changes may or may not pass. */
export type TokenMutation = 'signature' | 'other';

/** A mutation of a valid device SAS token. */
export function mutateToken(rng: Prng, valid: string): { token: string; mutation: TokenMutation } {
  const sig = /sig=([^&]+)/.exec(valid)?.[1] ?? '';
  switch (rng.int(0, 9)) {
    case 0: {
      // Change one character of the signature. Not the last base64 character before `%3D`: two of its bits are
      // padding, so a change there can decode to the same bytes and still be a valid token.
      const index = rng.int(0, Math.max(0, sig.length - 5));
      const replaced = sig.slice(0, index) + (sig[index] === 'A' ? 'B' : 'A') + sig.slice(index + 1);
      return { token: valid.replace(sig, replaced), mutation: 'signature' };
    }
    case 1:
      return { token: valid.replace(/sig=[^&]+/, 'sig='), mutation: 'signature' };
    case 2:
      return { token: valid.replace(/se=\d+/, `se=${rng.pick(['0', '-1', '99999999999999999999', 'abc', ''])}`), mutation: 'other' };
    case 3:
      return { token: valid.replace(/sr=[^&]+/, `sr=${rng.text(rng.int(0, 40), TOPIC_CHARS)}`), mutation: 'other' };
    case 4:
      return { token: `${valid}&skn=${rng.pick(['iothubowner', 'device', '', 'x'])}`, mutation: 'other' };
    case 5:
      return { token: valid.replace('SharedAccessSignature ', rng.pick(['', 'sharedaccesssignature ', 'SharedAccessSignature  ', 'Bearer '])), mutation: 'other' };
    case 6:
      return { token: `${valid}&sig=${sig}`, mutation: 'other' };
    case 7:
      return { token: rng.text(rng.int(0, 300), TOPIC_CHARS), mutation: 'other' };
    case 8:
      return { token: valid + 'x'.repeat(rng.pick([10, 70_000])), mutation: 'other' };
    default:
      return { token: valid.split('&').reverse().join('&'), mutation: 'other' };
  }
}
