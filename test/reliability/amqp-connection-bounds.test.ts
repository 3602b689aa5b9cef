import { readFile } from 'node:fs/promises';
import { connect as connectTls } from 'node:tls';

import rhea from 'rhea';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Logger } from '../../emulator/index.js';
import { AMQP_MAX_FRAME_BYTES } from '../../emulator/transports/amqp/frame-guard.js';
import { connectRawAmqp, deviceSas } from '../helpers/raw-amqp.js';
import { startTestHub, type TestHub } from '../helpers/start-hub.js';
import { eventually } from '../helpers/wait-for.js';

/**
 * What one AMQP client can make the hub buffer, over real TLS sockets: rhea on its own reads any frame a header
 * announces (up to 4 GiB) and joins a multi-frame delivery without a limit. The hub advertises a 64 KiB
 * max-frame-size, closes a connection whose frame header is larger at once, and closes one whose message grows past
 * `limits.maxPacketBytes` with amqp:link:message-size-exceeded, and closes one that asks for twins and never reads once
 * `limits.maxOutgoingBytes` have waited for it longer than the grace (`openTimeoutMs`); a normal device is served
 * throughout.
 */
describe('bounded AMQP frames, deliveries and outbox', () => {
  let hub: TestHub;
  const warnings: string[] = [];
  const logger: Logger = { error: () => undefined, warn: (message) => warnings.push(message), info: () => undefined, debug: () => undefined };

  beforeAll(async () => {
    hub = await startTestHub({ logger, limits: { maxPacketBytes: 512 * 1024, maxOutgoingBytes: 1024 * 1024, openTimeoutMs: 2_000 } });
    for (const deviceId of ['normal', 'greedy', 'reader']) await hub.hub.registry.create({ deviceId });
    // A 30 KB desired section: each twin GET answer is about 30 KB.
    const desired: Record<string, string> = {};
    for (let index = 0; index < 30; index += 1) desired[`k${index}`] = 'x'.repeat(1000);
    await hub.hub.twins.updateTwin('reader', { properties: { desired } });
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  const normalDeviceIsServed = async () => {
    const raw = await connectRawAmqp(hub.hub);
    try {
      expect(await raw.putToken(deviceSas(hub.hub, 'normal'))).toBe(200);
      const sender = await raw.sender('/devices/normal/messages/events');
      expect(await raw.send(sender, { body: 'still here' })).toEqual({ outcome: 'accepted' });
    } finally {
      raw.close();
    }
  };

  it('advertises a 64 KiB max-frame-size in its open', async () => {
    const raw = await connectRawAmqp(hub.hub);
    try {
      expect((raw.connection as unknown as { remote: { open: { max_frame_size: number } } }).remote.open.max_frame_size).toBe(AMQP_MAX_FRAME_BYTES);
    } finally {
      raw.close();
    }
  });

  it('closes a connection whose frame header announces 100 MB as soon as the header arrives', async () => {
    const ca = await readFile(hub.hub.info.caCertPath, 'utf8');
    const socket = connectTls({ host: '127.0.0.1', port: hub.hub.info.ports.amqps ?? 0, ca, servername: 'localhost' });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => {
      const start = Date.now();
      socket.once('close', () => resolve(Date.now() - start));
    });
    const header = Buffer.alloc(16, 0x2a);
    Buffer.from('AMQP\u0000\u0001\u0000\u0000', 'latin1').copy(header, 0);
    header.writeUInt32BE(100 * 1024 * 1024, 8);
    socket.write(header);
    // Before the open timeout: the header alone closes it.
    expect(await closed).toBeLessThan(1_500);
    expect(warnings.some((warning) => warning.includes('an AMQP frame of 104857600 bytes'))).toBe(true);
    await normalDeviceIsServed();
  });

  it('closes a connection whose multi-frame message grows past the bound, and keeps nothing of it', async () => {
    const raw = await connectRawAmqp(hub.hub);
    expect(await raw.putToken(deviceSas(hub.hub, 'greedy'))).toBe(200);
    const sender = await raw.sender('/devices/greedy/messages/events');
    // rhea splits this into frames of the hub's 64 KiB max-frame-size; their sum passes 512 KiB.
    sender.send({ body: Buffer.alloc(600 * 1024, 0x61) });
    expect(await raw.closed()).toMatchObject({ condition: 'amqp:link:message-size-exceeded' });
    expect(hub.hub.telemetry.recent('greedy')).toHaveLength(0);
    await normalDeviceIsServed();
  });

  it('closes a device that requests twins over AMQP and never reads, at the outbox bound', async () => {
    const raw = await connectRawAmqp(hub.hub);
    expect(await raw.putToken(deviceSas(hub.hub, 'reader'))).toBe(200);
    // Six twin link pairs, each with the hub's credit for 100 requests: the client cannot read new credit later.
    const senders = Array.from({ length: 6 }, (_, pair) => {
      const properties = { 'com.microsoft:channel-correlation-id': `twin:never-reads-${pair}` };
      raw.connection.open_receiver({ source: { address: '/devices/reader/twin' }, properties, credit_window: 1000 } as never);
      return raw.connection.open_sender({ target: { address: '/devices/reader/twin' }, properties } as never);
    });
    await eventually(() => senders.every((sender) => sender.sendable()), 5_000, 'twin sender credit');
    // Never read again: 600 answers of ~30 KB (18 MB) are more than the kernel's socket buffers take, so the rest
    // waits in the hub, past the 1 MiB bound and its 2 s grace.
    (raw.connection as unknown as { socket: { pause(): void } }).socket.pause();
    for (const [pair, sender] of senders.entries()) {
      for (let index = 0; index < 100 && sender.sendable(); index += 1) {
        sender.send({ correlation_id: `get-${pair}-${index}`, message_annotations: { operation: 'GET' }, body: rhea.message.data_section(Buffer.alloc(0)) });
      }
    }
    await eventually(() => warnings.some((warning) => warning.includes('does not read')), 10_000, 'the AMQP reader closed');
    // The client's paused socket never reads the hub's close; drop it from this side.
    (raw.connection as unknown as { socket: { destroy(): void } }).socket.destroy();
    await normalDeviceIsServed();
  });
});
