import { describe, expect, it } from 'vitest';

import { TWIN_LIMITS } from '../../../emulator/twin/twin-limits.js';
import { TWIN_RULES } from '../../../renderer/features/twin-editor/twin-rules.js';

// The renderer may not import emulator/twin (house-style H2), so it restates the limits; this keeps them equal.
describe('the twin editor checks the same limits as the hub', () => {
  it('has the numbers of TWIN_LIMITS', () => {
    const { maxReportedBytes: _reportedOnlyOnTheHub, ...editable } = TWIN_LIMITS;
    expect(TWIN_RULES).toEqual(editable);
  });
});
