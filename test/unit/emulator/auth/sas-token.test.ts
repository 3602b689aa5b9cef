import { SharedAccessKeyAuthenticationProvider, SharedAccessSignature as DeviceSas } from 'azure-iot-device';
import { encodeUriComponentStrict, SharedAccessSignature as CommonSas } from 'azure-iot-common';
import { SharedAccessSignature as ServiceSas } from 'azure-iothub';
import { describe, expect, it } from 'vitest';

import {
  computeSasSignature,
  createSasToken,
  isSasTokenExpired,
  matchesResource,
  parseSasToken,
  verifySasSignature,
} from '../../../../emulator/auth/sas-token.js';
import type { SasToken } from '../../../../emulator/auth/sas-token.js';

const PRIMARY = 'n3GFK7x1uQo0XQ8WfQhF1f0vA6pZCj1kq4rJmCq9b2E=';
const SECONDARY = 'Z2VuZXJhdGVkLXNlY29uZGFyeS1rZXktZm9yLXRlc3Q=';
const OTHER = 'b3RoZXIta2V5LXRoYXQtbXVzdC1ub3QtbWF0Y2gtYW55';
const EXPIRY = 1_900_000_000;

function parsed(text: string): SasToken {
  const result = parseSasToken(text);
  if (!result.ok) throw new Error(`expected a token, got: ${result.error}`);
  return result.value;
}

/** Re-orders the fields of a token string (values untouched). */
function reorder(token: string, order: readonly string[]): string {
  const fields = new Map(token.replace('SharedAccessSignature ', '').split('&').map((f) => [f.split('=')[0] ?? '', f]));
  return `SharedAccessSignature ${order.map((name) => fields.get(name)).join('&')}`;
}

describe('tokens made by the real Node SDKs', () => {
  it('verifies a device token from azure-iot-device SharedAccessSignature.create (no skn)', () => {
    const text = DeviceSas.create('localhost', 'dev1', PRIMARY, EXPIRY).toString();
    const token = parsed(text);
    expect(token.skn).toBeUndefined();
    expect(token.rawSr).toBe('localhost%2Fdevices%2Fdev1');
    expect(token.resource).toBe('localhost/devices/dev1');
    expect(token.se).toBe(EXPIRY);
    expect(verifySasSignature(token, [PRIMARY, SECONDARY])).toBe(true);
    expect(matchesResource(token.resource, 'localhost/devices/dev1')).toBe(true);
  });

  it('verifies the token the device client itself sends (SharedAccessKeyAuthenticationProvider), module included', async () => {
    for (const moduleId of [undefined, 'mod-1']) {
      const connectionString = `HostName=Hub.Example:8883;DeviceId=dev!(1)*;${moduleId ? `ModuleId=${moduleId};` : ''}SharedAccessKey=${PRIMARY}`;
      const provider = SharedAccessKeyAuthenticationProvider.fromConnectionString(connectionString);
      try {
        const credentials = await provider.getDeviceCredentials();
        const token = parsed(credentials.sharedAccessSignature ?? '');
        const expected = `Hub.Example:8883/devices/dev!(1)*${moduleId ? `/modules/${moduleId}` : ''}`;
        expect(token.resource).toBe(expected);
        expect(verifySasSignature(token, [PRIMARY])).toBe(true);
        expect(matchesResource(token.resource, expected.toLowerCase())).toBe(true);
      } finally {
        provider.stop();
      }
    }
  });

  it('verifies a service token from azure-iothub (skn, sr = host)', () => {
    const text = ServiceSas.create('localhost', 'iothubowner', PRIMARY, EXPIRY).toString();
    expect(text).toMatch(/^SharedAccessSignature sr=localhost&sig=[^&]+&skn=iothubowner&se=1900000000$/);
    const token = parsed(text);
    expect(token.skn).toBe('iothubowner');
    expect(token.resource).toBe('localhost');
    expect(verifySasSignature(token, [PRIMARY])).toBe(true);
    expect(matchesResource(token.resource, 'localhost/devices/any')).toBe(true);
  });

  it('verifies azure-iot-common tokens whatever the field order', () => {
    const sr = encodeUriComponentStrict('localhost/devices/dev1');
    const node = CommonSas.create(sr, 'device', PRIMARY, EXPIRY).toString();
    for (const order of [['sr', 'sig', 'skn', 'se'], ['sig', 'se', 'skn', 'sr'], ['sr', 'sig', 'se', 'skn']]) {
      const token = parsed(reorder(node, order));
      expect(token.skn).toBe('device');
      expect(verifySasSignature(token, [PRIMARY])).toBe(true);
    }
  });
});

describe('signature verification', () => {
  it('verifies %2F and %2f resources, each against the form that was signed', () => {
    for (const rawSr of ['localhost%2Fdevices%2Fdev1', 'localhost%2fdevices%2fdev1']) {
      const sig = encodeURIComponent(computeSasSignature(PRIMARY, rawSr, EXPIRY));
      const token = parsed(`SharedAccessSignature sr=${rawSr}&sig=${sig}&se=${EXPIRY}`);
      expect(token.resource).toBe('localhost/devices/dev1');
      expect(verifySasSignature(token, [PRIMARY])).toBe(true);
      // Re-encoding the other way must not verify: the signature covers the literal text.
      const swapped = rawSr.includes('%2F') ? rawSr.replaceAll('%2F', '%2f') : rawSr.replaceAll('%2f', '%2F');
      expect(verifySasSignature({ ...token, rawSr: swapped }, [PRIMARY])).toBe(false);
    }
  });

  it('accepts the secondary key and rejects a key that did not sign', () => {
    const token = parsed(createSasToken({ resourceUri: 'localhost/devices/dev1', base64Key: SECONDARY, expiresAtSeconds: EXPIRY }));
    expect(verifySasSignature(token, [PRIMARY, SECONDARY])).toBe(true);
    expect(verifySasSignature(token, [PRIMARY])).toBe(false);
    expect(verifySasSignature(token, [OTHER])).toBe(false);
    expect(verifySasSignature(token, [])).toBe(false);
  });

  it('rejects a token whose se was changed after signing', () => {
    const text = createSasToken({ resourceUri: 'localhost/devices/dev1', base64Key: PRIMARY, expiresAtSeconds: EXPIRY });
    const token = parsed(text.replace(`se=${EXPIRY}`, `se=${EXPIRY + 3600}`));
    expect(verifySasSignature(token, [PRIMARY])).toBe(false);
  });

  it('signs the raw se text, so leading zeros must be kept as sent', () => {
    const sig = encodeURIComponent(computeSasSignature(PRIMARY, 'h%2Fdevices%2Fd', `0${EXPIRY}`));
    const token = parsed(`SharedAccessSignature sr=h%2Fdevices%2Fd&sig=${sig}&se=0${EXPIRY}`);
    expect(token.se).toBe(EXPIRY);
    expect(verifySasSignature(token, [PRIMARY])).toBe(true);
  });

  it('tolerates empty and invalid keys by not matching them', () => {
    const token = parsed(createSasToken({ resourceUri: 'localhost/devices/dev1', base64Key: PRIMARY, expiresAtSeconds: EXPIRY }));
    expect(verifySasSignature(token, ['', 'not base64!', '====', PRIMARY])).toBe(true);
    expect(verifySasSignature(token, ['', 'not base64!'])).toBe(false);
  });

  it('never matches a signature that is not 32 bytes of base64', () => {
    const token = parsed(createSasToken({ resourceUri: 'h', base64Key: PRIMARY, expiresAtSeconds: EXPIRY }));
    for (const sig of ['', 'abc', '!!!!', token.sig.slice(0, -4), `${token.sig}AAAA`]) {
      expect(verifySasSignature({ ...token, sig }, [PRIMARY])).toBe(false);
    }
  });

  it('computes the SDK signature: base64 HMAC-SHA256 over sr + newline + se, not URL-encoded', () => {
    const rawSr = encodeUriComponentStrict('localhost/devices/dev1');
    const sdkSig = decodeURIComponent(CommonSas.create(rawSr, '', PRIMARY, EXPIRY).sig as string);
    expect(computeSasSignature(PRIMARY, rawSr, EXPIRY)).toBe(sdkSig);
  });
});

describe('createSasToken', () => {
  it('builds sr,sig,skn,se like the Node SDK', () => {
    const text = createSasToken({ resourceUri: 'localhost/devices/dev1', base64Key: PRIMARY, expiresAtSeconds: EXPIRY, policyName: 'iot hub' });
    expect(text).toMatch(/^SharedAccessSignature sr=localhost%2Fdevices%2Fdev1&sig=[A-Za-z0-9%]+&skn=iot%20hub&se=1900000000$/);
    const sdk = CommonSas.create(encodeUriComponentStrict('localhost/devices/dev1'), 'iot hub', PRIMARY, EXPIRY).toString();
    expect(text).toBe(sdk);
  });

  it('omits skn without a policy and rejects a non-integer expiry', () => {
    expect(createSasToken({ resourceUri: 'h', base64Key: PRIMARY, expiresAtSeconds: 5 })).not.toContain('skn=');
    expect(() => createSasToken({ resourceUri: 'h', base64Key: PRIMARY, expiresAtSeconds: 1.5 })).toThrow(RangeError);
  });
});

describe('parseSasToken errors', () => {
  const sig = encodeURIComponent(computeSasSignature(PRIMARY, 'h', EXPIRY));
  const cases: Array<[string, string, RegExp]> = [
    ['an empty string', '', /SharedAccessSignature/],
    ['a bad prefix', `SharedAccessToken sr=h&sig=${sig}&se=1`, /SharedAccessSignature/],
    ['a missing space', `SharedAccessSignaturesr=h&sig=${sig}&se=1`, /SharedAccessSignature/],
    ['whitespace inside the fields', `SharedAccessSignature sr=h &sig=${sig}&se=1`, /SharedAccessSignature/],
    ['a missing sr', `SharedAccessSignature sig=${sig}&se=1`, /"sr"/],
    ['a missing sig', 'SharedAccessSignature sr=h&se=1', /"sig"/],
    ['a missing se', `SharedAccessSignature sr=h&sig=${sig}`, /"se"/],
    ['a non-integer se', `SharedAccessSignature sr=h&sig=${sig}&se=12.5`, /integer/],
    ['a negative se', `SharedAccessSignature sr=h&sig=${sig}&se=-5`, /integer/],
    ['a huge se', `SharedAccessSignature sr=h&sig=${sig}&se=99999999999999999`, /integer/],
    ['a duplicate sr', `SharedAccessSignature sr=h&sr=h&sig=${sig}&se=1`, /duplicate.*"sr"/],
    ['a duplicate skn', `SharedAccessSignature sr=h&skn=a&sig=${sig}&skn=b&se=1`, /duplicate.*"skn"/],
    ['an empty sig', 'SharedAccessSignature sr=h&sig=&se=1', /empty.*"sig"/],
    ['a field without =', `SharedAccessSignature sr=h&sig=${sig}&se=1&junk`, /malformed/],
    ['a malformed escape in sr', `SharedAccessSignature sr=h%2&sig=${sig}&se=1`, /"sr".*percent/],
    ['invalid UTF-8 in sr', `SharedAccessSignature sr=h%FF&sig=${sig}&se=1`, /"sr".*percent/],
  ];
  it.each(cases)('returns an error (no throw) for %s', (_name, text, message) => {
    const result = parseSasToken(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  it('ignores unknown fields, empty segments and surrounding whitespace', () => {
    const token = parsed(`  SharedAccessSignature sr=h&&sig=${sig}&foo=bar&se=${EXPIRY}&\n`);
    expect(token.rawSr).toBe('h');
    expect(verifySasSignature(token, [PRIMARY])).toBe(true);
  });
});

describe('isSasTokenExpired', () => {
  it('treats se at or before now as expired, with optional grace', () => {
    const token = parsed(createSasToken({ resourceUri: 'h', base64Key: PRIMARY, expiresAtSeconds: 1000 }));
    expect(isSasTokenExpired(token, 999)).toBe(false);
    expect(isSasTokenExpired(token, 1000)).toBe(true);
    expect(isSasTokenExpired(token, 1100, 300)).toBe(false);
  });
});

describe('matchesResource', () => {
  it.each([
    ['host/devices/a', 'host/devices/a', true],
    ['host/devices/a', 'host/devices/a/modules/m', true],
    ['host/devices/a', 'host/devices/ab', false],
    ['host/devices/a/modules/m', 'host/devices/a', false],
    ['HOST/Devices/A', 'host/devices/a', true],
    ['host', 'host/devices/a', true],
    ['host', 'hostile/devices/a', false],
    ['host/devices/a/', 'host/devices/a', true],
    ['https://host/devices/a', 'host/devices/a', true],
    ['localhost:8883', 'localhost:8883/devices/a', true],
    ['localhost', 'localhost:8883/devices/a', false],
    ['', 'host', false],
    ['host/devices', 'host/devices/a', true],
  ])('token scope %s covering %s is %s', (scope, expected, covers) => {
    expect(matchesResource(scope, expected)).toBe(covers);
  });
});
