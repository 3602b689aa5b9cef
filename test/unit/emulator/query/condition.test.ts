import { describe, expect, it } from 'vitest';

import { compileCondition, QuerySemanticError, QuerySyntaxError } from '../../../../emulator/query/index.js';

// Routing conditions (iothub-protocol-2.md §6.3): the WHERE grammar over a message document.

describe('routing conditions', () => {
  it('read application properties, $-system properties, $body and $twin', () => {
    const condition = compileCondition("processingPath = 'hot' AND $body.temperature > 30 AND $connectionDeviceId = 'd1' AND IS_DEFINED($twin.tags.site)");
    expect(condition({ processingPath: 'hot', $body: { temperature: 31 }, $connectionDeviceId: 'd1', $twin: { tags: { site: 'a' } } })).toBe(true);
    expect(condition({ processingPath: 'hot', $body: { temperature: 29 }, $connectionDeviceId: 'd1', $twin: { tags: { site: 'a' } } })).toBe(false);
    expect(condition({ processingPath: 'hot', $connectionDeviceId: 'd1' })).toBe(false);
  });

  it('count only true as a match (undefined and null are false); an empty condition is true', () => {
    expect(compileCondition('missing = 1')({})).toBe(false);
    expect(compileCondition('true')({})).toBe(true);
    expect(compileCondition('')({})).toBe(true);
  });

  it('report errors with positions in the condition text', () => {
    expect(() => compileCondition("alert = = 'x'")).toThrow(QuerySyntaxError);
    try {
      compileCondition("alert = = 'x'");
    } catch (error) {
      expect((error as QuerySyntaxError).position).toBe(8);
      expect((error as Error).message).toMatch(/at position 8/);
    }
    expect(() => compileCondition('nope(1)')).toThrow(QuerySemanticError);
  });
});
