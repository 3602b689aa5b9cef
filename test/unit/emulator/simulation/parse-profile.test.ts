import { describe, expect, it } from 'vitest';

import { listBuiltinProfiles } from '../../../../emulator/simulation/builtin-profiles.js';
import { checkProfile, formatIssue, parseProfile, parseProfileText, ProfileError } from '../../../../emulator/simulation/parse-profile.js';

/** Each case: a profile (merged onto `{name: 'p'}` unless it sets `name`) and the messages it must produce. */
const invalid: readonly { title: string; profile: Record<string, unknown>; errors: string[] }[] = [
  { title: 'a missing name', profile: { name: undefined }, errors: ['name: is required'] },
  { title: 'a name with a slash', profile: { name: 'a/b' }, errors: ['name: must be 1-64 letters, digits, spaces, "-", "_" or "." and start with a letter or digit'] },
  { title: 'an unknown top-level field', profile: { telemetryy: {} }, errors: ['telemetryy: is not a known field'] },
  { title: 'a bad model id', profile: { modelId: 'thermostat' }, errors: ['modelId: must be a DTMI such as "dtmi:com:example:Thermostat;1"'] },
  {
    title: 'a telemetry interval below 100 ms and no body',
    profile: { telemetry: { intervalMs: 50 } },
    errors: ['telemetry.intervalMs: must be at least 100 ms', 'telemetry.body: is required'],
  },
  {
    title: 'a fractional interval',
    profile: { reported: { every: [{ intervalMs: 1000.5, properties: { a: 1 } }] } },
    errors: ['reported.every[0].intervalMs: must be a whole number of milliseconds'],
  },
  {
    title: 'a periodic report without properties',
    profile: { reported: { every: [{ intervalMs: 1000 }] } },
    errors: ['reported.every[0].properties: is required'],
  },
  {
    title: 'an invalid twin property name',
    profile: { reported: { onStart: { 'a.b': 1, $c: 2 } } },
    errors: [
      `reported.onStart["a.b"]: is not a valid twin property name: names must not contain '.'`,
      `reported.onStart.$c: is not a valid twin property name: names starting with '$' are reserved`,
    ],
  },
  {
    title: 'an unknown generator kind',
    profile: { telemetry: { intervalMs: 1000, body: { t: { kind: 'gauss' } } } },
    errors: ['telemetry.body.t.kind: must be one of constant, range, randomWalk, sequence, counter, now, input, applied'],
  },
  {
    title: 'a range with min above max',
    profile: { reported: { onStart: { t: { kind: 'range', min: 5, max: 1 } } } },
    errors: ['reported.onStart.t.min: must not be greater than max'],
  },
  {
    title: 'a random walk starting outside its bounds and a zero step',
    profile: { reported: { onStart: { t: { kind: 'randomWalk', start: 50, step: 0, min: 0, max: 10 } } } },
    errors: ['reported.onStart.t.step: must be greater than 0', 'reported.onStart.t.start: must lie between min and max'],
  },
  {
    title: 'a misspelt generator field',
    profile: { reported: { onStart: { t: { kind: 'range', min: 1, max: 2, decimal: 1 } } } },
    errors: ['reported.onStart.t.decimal: is not a known field'],
  },
  {
    title: 'an empty sequence',
    profile: { reported: { onStart: { t: { kind: 'sequence', values: [] } } } },
    errors: ['reported.onStart.t.values: must list at least one value'],
  },
  {
    title: '"input" outside a reaction',
    profile: { reported: { onStart: { t: { kind: 'input' } } } },
    errors: ['reported.onStart.t.kind: "input" is only allowed in desired-property steps and method payloads'],
  },
  {
    title: 'a bad ack mode',
    profile: { desired: { properties: { setpoint: { ack: 'yes' } } } },
    errors: ['desired.properties.setpoint.ack: must be "pnp", "mirror" or "none"'],
  },
  {
    title: 'a reject rule without a test and with a 2xx status',
    profile: { desired: { properties: { setpoint: { reject: [{ when: {}, status: 200 }] } } } },
    errors: [
      'desired.properties.setpoint.reject[0].when: needs at least one test: below, above, equals, oneOf, notOneOf or notType',
      'desired.properties.setpoint.reject[0].status: must be a 4xx or 5xx code',
    ],
  },
  {
    title: 'a step with nothing to do',
    profile: { desired: { properties: { fw: { steps: [{ afterMs: 10 }] } } } },
    errors: ['desired.properties.fw.steps[0]: needs "report" or "disconnect"'],
  },
  {
    title: 'a disconnect that is not the last step',
    profile: { methods: { reboot: { steps: [{ disconnect: { offlineMs: 1 } }, { report: { a: 1 } }] } } },
    errors: ['methods.reboot.steps[0].disconnect: must be in the last step (nothing runs after the connection ends)'],
  },
  {
    title: 'a desired property name starting with $',
    profile: { desired: { properties: { $version: {} } } },
    errors: [`desired.properties.$version: is not a valid twin property name: names starting with '$' are reserved`],
  },
  {
    title: 'a method name with a space and a negative delay',
    profile: { methods: { 'do it': {}, ok: { delayMs: -1 } } },
    errors: [
      'methods["do it"]: is not a valid method name (printable ASCII without spaces or $()<>@,;:\\"/[]?={})',
      'methods.ok.delayMs: must be at least 0 ms',
    ],
  },
  {
    title: 'a bad connectivity schedule',
    profile: { connectivity: { onlineMs: 10, offlineMs: 'soon' } },
    errors: ['connectivity.onlineMs: must be at least 1000 ms', 'connectivity.offlineMs: must be a whole number of milliseconds'],
  },
  {
    title: 'a drop fault without its offline time',
    profile: { faults: { dropConnection: { everyMs: 5000 } } },
    errors: ['faults.dropConnection.offlineMs: is required'],
  },
  {
    title: 'an unknownMethod that is neither "ignore" nor an answer',
    profile: { unknownMethod: 'silence' },
    errors: ['unknownMethod: must be "ignore" or {status, payload}'],
  },
];

describe('profile validation', () => {
  it.each(invalid)('rejects $title with errors naming the field', ({ profile, errors }) => {
    const result = checkProfile({ name: 'p', ...profile });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map(formatIssue)).toEqual(errors);
  });

  it('throws a ProfileError whose message lists every issue with the source', () => {
    const error = (() => {
      try {
        parseProfile({ name: 'p', seed: 1.5, methods: { ok: { status: 'x' } } }, 'my-profile.json');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ProfileError);
    expect((error as ProfileError).message).toBe(
      'invalid simulation profile my-profile.json:\n  - seed: must be a whole number\n  - methods.ok.status: must be a whole number',
    );
  });

  it('reports JSON syntax errors as a profile error on the whole profile', () => {
    expect(() => parseProfileText('{"name": ', 'broken.json')).toThrow(/broken\.json:\n {2}- \(profile\): is not valid JSON/);
  });

  it('rejects something that is not an object', () => {
    const result = checkProfile([1, 2]);
    expect(result.ok ? [] : result.issues.map(formatIssue)).toEqual(['(profile): Invalid input: expected object, received array']);
  });

  it('accepts a minimal profile', () => {
    expect(parseProfile({ name: 'minimal' })).toEqual({ name: 'minimal' });
  });

  it('accepts every built-in profile', async () => {
    const profiles = await listBuiltinProfiles();
    expect(profiles.map((profile) => profile.name)).toEqual(['firmware-update', 'get-started', 'smart-plug', 'thermostat']);
  });
});
