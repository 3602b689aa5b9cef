import { describe, expect, it } from 'vitest';

import { MAX_HELD, StepGate } from '../../../../emulator/services/step-gate.js';
import { ManualClock } from '../../../../emulator/util/clock.js';

describe('StepGate (step-through mode)', () => {
  function gate() {
    const g = new StepGate(new ManualClock());
    const sent: string[] = [];
    const hold = (deviceId: string, label: string, moduleId?: string) => {
      const address = moduleId === undefined ? { deviceId } : { deviceId, moduleId };
      if (g.covers(address)) g.hold(address, 'desired', { label }, () => sent.push(label));
      else sent.push(label);
    };
    return { g, sent, hold };
  }

  it('holds only the chosen devices (and their modules), and nothing when off', () => {
    const { g, sent, hold } = gate();
    hold('a', 'a0');
    g.configure({ enabled: true, deviceIds: ['a'] });
    hold('a', 'a1');
    hold('a', 'a1m', 'm');
    hold('b', 'b1');
    expect(sent).toEqual(['a0', 'b1']);
    expect(g.state.held.map((message) => (message.body as { label: string }).label)).toEqual(['a1', 'a1m']);
  });

  it('releases oldest first; releasing a later message of an identity sends its earlier ones first', () => {
    const { g, sent, hold } = gate();
    g.configure({ enabled: true, deviceIds: null });
    hold('a', 'a1');
    hold('b', 'b1');
    hold('a', 'a2');
    g.release();
    expect(sent).toEqual(['a1']);
    const a2 = g.state.held.find((message) => (message.body as { label: string }).label === 'a2');
    g.release({ id: a2?.id as number });
    expect(sent).toEqual(['a1', 'a2']);
    g.release({ deviceId: 'b' });
    expect(sent).toEqual(['a1', 'a2', 'b1']);
    expect(g.release()).toEqual([]);
  });

  it('turning off or narrowing delivers what is no longer covered, in order', () => {
    const { g, sent, hold } = gate();
    g.configure({ enabled: true, deviceIds: ['a', 'b'] });
    hold('a', 'a1');
    hold('b', 'b1');
    hold('a', 'a2');
    g.configure({ enabled: true, deviceIds: ['b'] });
    expect(sent).toEqual(['a1', 'a2']);
    g.configure({ enabled: false, deviceIds: null });
    expect(sent).toEqual(['a1', 'a2', 'b1']);
  });

  it('is bounded: the oldest goes out when too many wait', () => {
    const { g, sent, hold } = gate();
    g.configure({ enabled: true, deviceIds: null });
    for (let i = 0; i <= MAX_HELD; i++) hold('a', `m${i}`);
    expect(sent).toEqual(['m0']);
    expect(g.state.held).toHaveLength(MAX_HELD);
  });
});
