import { describe, expect, it } from 'vitest';

import { AmqpFrameSizeGuard } from '../../../../../emulator/transports/amqp/frame-guard.js';

const SASL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 3, 1, 0, 0]);
const AMQP_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 1, 0, 0]);

/** A frame of `size` bytes (header included) with filler after the size. */
function frame(size: number): Buffer {
  const bytes = Buffer.alloc(size, 0x2a);
  bytes.writeUInt32BE(size, 0);
  return bytes;
}

function feedAll(guard: AmqpFrameSizeGuard, stream: Buffer, chunkSize: number): string | undefined {
  for (let offset = 0; offset < stream.length; offset += chunkSize) {
    const violation = guard.feed(stream.subarray(offset, offset + chunkSize));
    if (violation !== undefined) return violation;
  }
  return undefined;
}

describe('AmqpFrameSizeGuard', () => {
  const legal = Buffer.concat([SASL_HEADER, frame(40), frame(8), AMQP_HEADER, frame(300), frame(1024), frame(1024)]);

  it.each([1, 3, 7, 64, 4096])('follows protocol headers and frames split into %i-byte chunks', (chunkSize) => {
    expect(feedAll(new AmqpFrameSizeGuard(1024), legal, chunkSize)).toBeUndefined();
  });

  it.each([1, 5, 4096])('names a frame over max-frame-size as soon as its 4-byte size arrives (%i-byte chunks)', (chunkSize) => {
    const guard = new AmqpFrameSizeGuard(1024);
    const stream = Buffer.concat([AMQP_HEADER, frame(100), Buffer.from([0x06, 0, 0, 0])]);
    expect(feedAll(guard, stream, chunkSize)).toBe('an AMQP frame of 100663296 bytes (max-frame-size is 1024)');
  });

  it('refuses a frame smaller than its own 8-byte header', () => {
    expect(new AmqpFrameSizeGuard(1024).feed(Buffer.concat([AMQP_HEADER, Buffer.from([0, 0, 0, 3])]))).toBe('an AMQP frame of 3 bytes (the smallest is 8)');
  });

  it('stays refused once broken', () => {
    const guard = new AmqpFrameSizeGuard(16);
    expect(guard.feed(frame(17).subarray(0, 4))).toBeDefined();
    expect(guard.feed(frame(8))).toBeDefined();
  });
});
