import { describe, expect, it } from 'vitest';

import { parseHubArgs } from '../../../../emulator/cli/hub-args.js';

describe('hub CLI --history-limit', () => {
  it('sets the change log length per twin, 0 turning it off', () => {
    expect(parseHubArgs(['--history-limit', '200']).config.historyLimit).toBe(200);
    expect(parseHubArgs(['--history-limit', '0']).config.historyLimit).toBe(0);
    expect(parseHubArgs([]).config.historyLimit).toBeUndefined();
  });

  it('refuses what is not a count', () => {
    expect(() => parseHubArgs(['--history-limit=-1'])).toThrow(/--history-limit must be a number of entries/);
    expect(() => parseHubArgs(['--history-limit', 'lots'])).toThrow(/--history-limit must be a number of entries/);
    expect(() => parseHubArgs(['--history-limit', '100001'])).toThrow(/--history-limit/);
  });

  it('takes a snapshot to restore at start', () => {
    expect(parseHubArgs(['--restore-snapshot', 'before class']).restoreSnapshot).toBe('before class');
    expect(parseHubArgs([]).restoreSnapshot).toBeUndefined();
  });
});
