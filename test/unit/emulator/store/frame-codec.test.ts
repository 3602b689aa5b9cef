import * as zlib from 'node:zlib';

import { describe, expect, it } from 'vitest';

import { decodeFrame, encodeFrame, findValidFrame, FRAME_HEADER_BYTES, tableCrc32 } from '../../../../emulator/store/frame-codec.js';
import { ChangeMaker } from '../../../conformance/change-fixtures.js';

const maker = new ChangeMaker();
const frame = encodeFrame({ seq: 7, changes: [maker.devicePut('d1'), maker.reported({ deviceId: 'd1' }, { t: 'é\u2028' })] });

describe('journal frames', () => {
  it('decode what they encode', () => {
    const decoded = decodeFrame(Buffer.concat([frame, Buffer.alloc(64)]), 0);
    expect(decoded).toMatchObject({ kind: 'frame', bytes: frame.length, frame: { seq: 7 } });
    expect(decoded.kind === 'frame' && decoded.frame.changes).toHaveLength(2);
  });

  it('read zeros (or the end of the file) as the end of the data', () => {
    expect(decodeFrame(Buffer.alloc(100), 0)).toEqual({ kind: 'end' });
    expect(decodeFrame(frame, frame.length)).toEqual({ kind: 'end' });
  });

  it.each([
    ['cut in the header', (b: Buffer) => b.subarray(0, 7)],
    ['cut in the payload', (b: Buffer) => b.subarray(0, b.length - 3)],
    ['a flipped payload byte', (b: Buffer) => Buffer.from(b).fill(0x41, FRAME_HEADER_BYTES + 5, FRAME_HEADER_BYTES + 6)],
    ['a wrong magic', (b: Buffer) => Buffer.from(b).fill(0x58, 0, 1)],
  ])('refuse %s', (_what, damage) => {
    expect(decodeFrame(damage(frame), 0).kind).toBe('invalid');
  });

  it('find the next valid frame past damage', () => {
    const buffer = Buffer.concat([Buffer.from('TWJ1garbage'), frame]);
    expect(findValidFrame(buffer, 0)).toBe(11);
    expect(findValidFrame(buffer, 12)).toBe(-1);
  });

  it('use a table CRC-32 equal to node:zlib', () => {
    for (const data of [Buffer.alloc(0), Buffer.from('123456789'), frame]) expect(tableCrc32(data)).toBe(zlib.crc32(data));
    expect(tableCrc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});
