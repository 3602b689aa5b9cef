import { X509Certificate } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import { chainToAnchor, commonNameOfCertificate, isThumbprint, matchesThumbprint, presentedCertificate, thumbprintsOf, type TrustAnchor } from '../../../../emulator/auth/x509-credential.js';
import { createDeviceCa, issueDeviceCertificate, type IssuedCertificate } from '../../../../emulator/certs/device-certificates.js';
import { DeviceAuthenticator } from '../../../../emulator/services/device-authenticator.js';
import { ManualClock } from '../../../../emulator/util/clock.js';
import { serviceHarness } from '../../../helpers/service-harness.js';

const DAY = 24 * 60 * 60 * 1000;
const now = new Date('2026-06-01T00:00:00Z');

function der(pem: string): Buffer {
  return new X509Certificate(pem).raw;
}

function presented(...pems: string[]) {
  const result = presentedCertificate(pems.map(der));
  if (!result) throw new Error('unparseable chain');
  return result;
}

function anchor(name: string, ca: IssuedCertificate, verified: boolean): TrustAnchor {
  return { name, certificate: new X509Certificate(ca.certPem), verified };
}

describe('X.509 credential checks (iothub-protocol-2.md §1.2-1.4)', () => {
  let root: IssuedCertificate;
  let intermediate: IssuedCertificate;
  let other: IssuedCertificate;
  let leaf: IssuedCertificate;
  let leafOfIntermediate: IssuedCertificate;

  beforeAll(async () => {
    root = await createDeviceCa('Test Root', { now });
    other = await createDeviceCa('Other Root', { now });
    intermediate = await createDeviceCa('Test Intermediate', { now }, root);
    leaf = await issueDeviceCertificate('dev,1+x', { now }, root);
    leafOfIntermediate = await issueDeviceCertificate('dev-2/mod-1', { now }, intermediate);
  });

  it('computes SHA-1 and SHA-256 thumbprints and compares stored ones ignoring case, colons and spaces', () => {
    const prints = thumbprintsOf(der(leaf.certPem));
    expect(prints).toEqual({ sha1: leaf.thumbprint, sha256: leaf.thumbprint256 });
    expect(matchesThumbprint(prints, [null, prints.sha256.toLowerCase().match(/../g)?.join(':') ?? ''])).toBe(true);
    expect(matchesThumbprint(prints, [prints.sha1.replace(/(..)/g, '$1 ')])).toBe(true);
    expect(matchesThumbprint(prints, [root.thumbprint, null])).toBe(false);
    expect(isThumbprint(prints.sha1)).toBe(true);
    expect(isThumbprint('abc')).toBe(false);
  });

  it('reads the subject CN from the DER, commas and plus signs included (Node\'s display string cuts them)', () => {
    expect(commonNameOfCertificate(new X509Certificate(leaf.certPem))).toBe('dev,1+x');
    expect(commonNameOfCertificate(new X509Certificate(leafOfIntermediate.certPem))).toBe('dev-2/mod-1');
  });

  it('accepts a leaf signed by a verified registered root, and a chain through a presented intermediate', () => {
    expect(chainToAnchor(presented(leaf.certPem), [anchor('root', root, true)], now)).toMatchObject({ ok: true, anchor: { name: 'root' } });
    expect(chainToAnchor(presented(leafOfIntermediate.certPem, intermediate.certPem), [anchor('root', root, true)], now)).toMatchObject({ ok: true });
    // A registered intermediate is enough on its own.
    expect(chainToAnchor(presented(leafOfIntermediate.certPem), [anchor('mid', intermediate, true)], now)).toMatchObject({ ok: true, anchor: { name: 'mid' } });
  });

  it('names an unverified CA, an unknown CA and a certificate outside its validity period', () => {
    expect(chainToAnchor(presented(leaf.certPem), [anchor('root', root, false)], now)).toMatchObject({ ok: false, reason: expect.stringMatching(/'root'.*not verified/) });
    expect(chainToAnchor(presented(leaf.certPem), [anchor('other', other, true)], now)).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown CA/) });
    // The intermediate is missing from the handshake: the chain cannot reach the root.
    expect(chainToAnchor(presented(leafOfIntermediate.certPem), [anchor('root', root, true)], now)).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown CA/) });
    const later = new Date(now.getTime() + 400 * DAY);
    expect(chainToAnchor(presented(leaf.certPem), [anchor('root', root, true)], later)).toMatchObject({ ok: false, reason: expect.stringMatching(/expired on/) });
    const earlier = new Date(now.getTime() - 2 * DAY);
    expect(chainToAnchor(presented(leaf.certPem), [anchor('root', root, true)], earlier)).toMatchObject({ ok: false, reason: expect.stringMatching(/not yet valid/) });
  });

  it('does not take a presented certificate that is not a CA as an intermediate', async () => {
    const notCa = await issueDeviceCertificate('not-a-ca', { now }, root);
    const forged = await issueDeviceCertificate('dev-3', { now }, notCa);
    expect(chainToAnchor(presented(forged.certPem, notCa.certPem), [anchor('root', root, true)], now)).toMatchObject({ ok: false });
  });
});

describe('DeviceAuthenticator.authenticateCertificate (for transports that name the identity elsewhere, e.g. AMQP)', () => {
  it('accepts the registered thumbprint, refuses others and names the reason', async () => {
    const harness = await serviceHarness({ clock: new ManualClock(now) });
    const mine = await issueDeviceCertificate('amqp-dev', { now });
    const other = await issueDeviceCertificate('other', { now });
    await harness.registry.create({ deviceId: 'amqp-dev', authentication: { type: 'selfSigned', x509Thumbprint: { primaryThumbprint: mine.thumbprint } } });
    const authenticator = new DeviceAuthenticator(harness.state, harness.registry, harness.clock, ['localhost']);
    expect(authenticator.authenticateCertificate({ deviceId: 'amqp-dev' }, [der(mine.certPem)])).toMatchObject({ ok: true, principal: { deviceId: 'amqp-dev', credential: 'x509', hostName: 'localhost' } });
    expect(authenticator.authenticateCertificate({ deviceId: 'amqp-dev' }, [der(other.certPem)])).toMatchObject({ ok: false, returnCode: 5, reason: expect.stringMatching(/thumbprint mismatch/) });
    expect(authenticator.authenticateCertificate({ deviceId: 'amqp-dev' }, [])).toMatchObject({ ok: false, reason: 'no SAS token and no client certificate' });
  });
});
