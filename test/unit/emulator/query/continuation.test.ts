import { describe, expect, it } from 'vitest';
import { decodeContinuation, encodeContinuation, hashText } from '../../../../emulator/query/continuation.js';
import { QueryContinuationError } from '../../../../emulator/query/errors.js';
import { decodeBase64Url, decodeUtf8, encodeBase64Url, encodeUtf8 } from '../../../../emulator/util/base64url.js';

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

describe('Continuation tokens', () => {
  it('round-trip scan and row positions for the same query hash', () => {
    const hash = hashText('(query (select *) (from devices))');
    expect(decodeContinuation(encodeContinuation(hash, { kind: 'scan', scanned: 12, returned: 4 }), hash))
      .toEqual({ kind: 'scan', scanned: 12, returned: 4 });
    expect(decodeContinuation(encodeContinuation(hash, { kind: 'rows', offset: 300 }), hash))
      .toEqual({ kind: 'rows', offset: 300 });
  });

  it('refuse a token made for another hash', () => {
    const token = encodeContinuation(hashText('a'), { kind: 'rows', offset: 1 });
    expect(() => decodeContinuation(token, hashText('b'))).toThrow(QueryContinuationError);
  });

  it('refuse tokens with negative, fractional or missing positions', () => {
    const hash = hashText('q');
    const forge = (body: object): string => encodeBase64Url(encodeUtf8(JSON.stringify(body)));
    for (const body of [{ v: 1, q: hash, r: -1 }, { v: 1, q: hash, r: 1.5 }, { v: 1, q: hash }, { v: 2, q: hash, r: 1 }, { v: 1, q: hash, s: 1 }]) {
      expect(() => decodeContinuation(forge(body), hash), JSON.stringify(body)).toThrow('Invalid continuation token');
    }
  });

  it('hash different texts differently and the same text the same', () => {
    const texts = ['', 'a', 'b', 'ab', 'ba', "(query (select *) (from devices) (where (= tags.x 'a')))", "(query (select *) (from devices) (where (= tags.x 'b')))"];
    const hashes = texts.map(hashText);
    expect(new Set(hashes).size).toBe(texts.length);
    expect(hashText('ab')).toBe(hashes[3]);
    expect(hashes.every((h) => /^[0-9a-f]{16}$/.test(h))).toBe(true);
  });
});

describe('base64url and UTF-8 without Buffer', () => {
  it('match Node for random byte strings', () => {
    const random = seeded(7);
    for (let n = 0; n < 300; n++) {
      const bytes = Uint8Array.from({ length: Math.floor(random() * 40) }, () => Math.floor(random() * 256));
      const encoded = encodeBase64Url(bytes);
      expect(encoded).toBe(Buffer.from(bytes).toString('base64url'));
      expect(decodeBase64Url(encoded)).toEqual(bytes);
    }
  });

  it('encode and decode UTF-8 like Node, including astral characters', () => {
    for (const text of ['', 'ascii', 'é', '€', '😀 twin', '\u0000\u007f\u0080\u07ff\u0800\uffff']) {
      const bytes = encodeUtf8(text);
      expect(Buffer.from(bytes).toString('hex')).toBe(Buffer.from(text, 'utf8').toString('hex'));
      expect(decodeUtf8(bytes)).toBe(text);
    }
  });

  it('reject invalid input', () => {
    expect(decodeBase64Url('a')).toBeUndefined();
    expect(decodeBase64Url('ab!c')).toBeUndefined();
    expect(decodeUtf8(Uint8Array.from([0xc0, 0x80]))).toBeUndefined();
    expect(decodeUtf8(Uint8Array.from([0xe2, 0x82]))).toBeUndefined();
    expect(decodeUtf8(Uint8Array.from([0xed, 0xa0, 0x80]))).toBeUndefined();
    expect(encodeUtf8('\ud800')).toEqual(Uint8Array.from([0xef, 0xbf, 0xbd]));
  });
});
