import { describe, expect, it } from 'vitest';

import { parseHubArgs } from '../../../../emulator/cli/hub-args.js';

describe('npm run hub fleet options', () => {
  it('sets the configuration re-evaluation interval, and refuses a value that is not milliseconds', () => {
    expect(parseHubArgs(['--configuration-interval', '60000']).config.fleet).toEqual({ configurationIntervalMs: 60000 });
    expect(parseHubArgs(['--configuration-interval', '0']).config.fleet).toEqual({ configurationIntervalMs: 0 });
    expect(parseHubArgs([]).config.fleet).toBeUndefined();
    expect(() => parseHubArgs(['--configuration-interval', '5s'])).toThrow(/--configuration-interval must be a number of milliseconds/);
  });
});
