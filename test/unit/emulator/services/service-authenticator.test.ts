import { describe, expect, it } from 'vitest';

import { createSasToken } from '../../../../emulator/auth/sas-token.js';
import { ensureDefaultPolicies } from '../../../../emulator/services/policies.js';
import { ServiceAuthenticator } from '../../../../emulator/services/service-authenticator.js';
import { ManualClock } from '../../../../emulator/util/clock.js';
import { serviceHarness } from '../../../helpers/service-harness.js';

const clock = new ManualClock('2026-01-01T00:00:00Z');
const now = Math.floor(clock.now().getTime() / 1000);
const { data, state } = await serviceHarness({ clock });
await ensureDefaultPolicies(data);
const auth = new ServiceAuthenticator(state, 'myhub.local', clock);

function token(policy: string, options: { resource?: string; key?: string; se?: number } = {}): string {
  const p = state.policies[policy];
  if (!p) throw new Error(policy);
  return createSasToken({
    resourceUri: options.resource ?? 'myhub.local',
    base64Key: options.key ?? p.primaryKey,
    policyName: policy,
    expiresAtSeconds: options.se ?? now + 3600,
  });
}

describe('ServiceAuthenticator', () => {
  it('accepts a policy token with the needed right and returns the principal', () => {
    const result = auth.authenticate(token('iothubowner'), 'RegistryWrite');
    expect(result).toMatchObject({ ok: true, principal: { policyName: 'iothubowner', expiresAtSeconds: now + 3600 } });
  });

  it('checks rights per policy (iothub-protocol.md §2.3 step 5)', () => {
    expect(auth.authenticate(token('registryRead'), 'RegistryRead').ok).toBe(true);
    expect(auth.authenticate(token('registryRead'), 'RegistryWrite').ok).toBe(false);
    expect(auth.authenticate(token('registryRead'), 'ServiceConnect').ok).toBe(false);
    expect(auth.authenticate(token('registryReadWrite'), 'RegistryWrite').ok).toBe(true);
    expect(auth.authenticate(token('service'), 'ServiceConnect').ok).toBe(true);
    expect(auth.authenticate(token('service'), 'RegistryRead').ok).toBe(false);
    expect(auth.authenticate(token('device'), 'ServiceConnect').ok).toBe(false);
  });

  it('accepts the secondary key, any case of the host, the request host and a path-scoped sr', () => {
    expect(auth.authenticate(token('service', { key: state.policies.service?.secondaryKey ?? '' }), 'ServiceConnect').ok).toBe(true);
    expect(auth.authenticate(token('service', { resource: 'MYHUB.local' }), 'ServiceConnect').ok).toBe(true);
    expect(auth.authenticate(token('service', { resource: 'myhub.local/devices/query' }), 'ServiceConnect').ok).toBe(true);
    expect(auth.authenticate(token('service', { resource: '127.0.0.1' }), 'ServiceConnect', '127.0.0.1:443').ok).toBe(true);
  });

  it('refuses everything else with 401 IotHubUnauthorizedAccess', () => {
    const refusals = [
      undefined,
      '',
      'Bearer x',
      token('service', { resource: 'otherhub.local' }),
      token('service', { resource: 'myhub.localx' }),
      token('service', { key: state.policies.iothubowner?.primaryKey ?? '' }),
      token('service', { se: now }),
      createSasToken({ resourceUri: 'myhub.local/devices/d1', base64Key: state.policies.service?.primaryKey ?? '', expiresAtSeconds: now + 60 }),
      createSasToken({ resourceUri: 'myhub.local', base64Key: state.policies.service?.primaryKey ?? '', policyName: 'ghost', expiresAtSeconds: now + 60 }),
    ];
    for (const value of refusals) {
      const result = auth.authenticate(value, 'ServiceConnect');
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.httpStatus).toBe(401);
        expect(result.error.code).toBe('IotHubUnauthorizedAccess');
      }
    }
  });

  it('says why a device token is refused', () => {
    const deviceToken = createSasToken({ resourceUri: 'myhub.local/devices/d1', base64Key: state.policies.service?.primaryKey ?? '', expiresAtSeconds: now + 60 });
    const result = auth.authenticate(deviceToken, 'ServiceConnect');
    expect(result.ok === false && result.error.message).toMatch(/device or module token/);
  });
});
