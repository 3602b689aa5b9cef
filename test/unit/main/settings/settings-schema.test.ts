import { describe, expect, it } from 'vitest';

import { defaultSettings, parseSettings } from '../../../../main/settings/settings-schema.js';

describe('the reach setting (issue 11, item 10)', () => {
  it('defaults to absent, which keeps LAN access', () => {
    expect(defaultSettings().reach).toBeUndefined();
    expect(parseSettings({}).reach).toBeUndefined();
  });

  it('keeps "this computer only" and "my network", and falls back to the defaults on anything else', () => {
    expect(parseSettings({ reach: 'thisComputer' }).reach).toBe('thisComputer');
    expect(parseSettings({ reach: 'network' }).reach).toBe('network');
    expect(parseSettings({ reach: 'everyone' })).toEqual(defaultSettings());
  });
});
