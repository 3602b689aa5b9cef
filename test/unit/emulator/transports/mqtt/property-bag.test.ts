import { describe, expect, it } from 'vitest';

import { decodePropertyBag, encodePropertyBag } from '../../../../../emulator/transports/mqtt/property-bag.js';

describe('property bags (§6.1-6.2)', () => {
  it('decodes %24. and $. system keys alike, app properties, and keys without values', () => {
    expect(decodePropertyBag('%24.ct=application%2Fjson&$.ce=utf-8&k=v%20w&flag&empty=')).toEqual({
      system: { ct: 'application/json', ce: 'utf-8' },
      application: { k: 'v w', flag: null, empty: '' },
    });
  });

  it('ignores a trailing slash and keeps malformed escapes as sent', () => {
    expect(decodePropertyBag('a=%E0%A4%A/')).toEqual({ system: {}, application: { a: '%E0%A4%A' } });
  });

  it('encodes system keys with %24 and round-trips', () => {
    const bag = encodePropertyBag({ mid: 'm 1', to: '/devices/d/messages/devicebound' }, { color: 'red', bare: null });
    expect(bag).toBe('%24.mid=m%201&%24.to=%2Fdevices%2Fd%2Fmessages%2Fdevicebound&color=red&bare');
    expect(decodePropertyBag(bag)).toEqual({
      system: { mid: 'm 1', to: '/devices/d/messages/devicebound' },
      application: { color: 'red', bare: null },
    });
  });
});
