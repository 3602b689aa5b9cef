import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { FaultEngine } from '../../../emulator/faults/fault-engine.js';
import { PushQueue } from '../../../emulator/faults/push-queue.js';
import { noopLogger } from '../../../emulator/logger.js';

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('PushQueue', () => {
  it('sends each push after its delay, never before an earlier push of the same identity', () => {
    const queue = new PushQueue(() => Date.now());
    const sent: string[] = [];
    queue.hold('d1', 500, () => sent.push('a'));
    queue.hold('d1', 100, () => sent.push('b'));
    queue.hold('d2', 100, () => sent.push('c'));
    vi.advanceTimersByTime(99);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    // d2 has nothing held before it; d1's short push waits for its long one.
    expect(sent).toEqual(['c']);
    vi.advanceTimersByTime(399);
    expect(sent).toEqual(['c']);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual(['c', 'a', 'b']);
    expect(queue.size).toBe(0);
    expect(queue.holds('d1')).toBe(false);
  });

  it('drops what it holds on close', () => {
    const queue = new PushQueue(() => Date.now());
    const sent: string[] = [];
    queue.hold('d1', 100, () => sent.push('a'));
    queue.close();
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([]);
  });
});

describe('FaultEngine.pushToDevice', () => {
  it('sends at once without latency, holds under it (device or hub-wide), and keeps order after a clear', async () => {
    const faults = new FaultEngine({ record: () => undefined, logger: noopLogger, sdkProperties: false, now: () => Date.now() });
    const sent: string[] = [];
    faults.pushToDevice({ deviceId: 'd1' }, () => sent.push('now'));
    expect(sent).toEqual(['now']);
    await faults.apply({ fault: 'latency', device: 'd1', latencyMs: 300 });
    faults.pushToDevice({ deviceId: 'd1' }, () => sent.push('held'));
    faults.pushToDevice({ deviceId: 'd2' }, () => sent.push('other device'));
    expect(sent).toEqual(['now', 'other device']);
    faults.clear('d1');
    // No latency any more, but a push still waits for the one held before it.
    faults.pushToDevice({ deviceId: 'd1' }, () => sent.push('after clear'));
    expect(sent).toEqual(['now', 'other device']);
    vi.advanceTimersByTime(300);
    expect(sent).toEqual(['now', 'other device', 'held', 'after clear']);
    await faults.apply({ fault: 'latency', latencyMs: 200 });
    faults.pushToDevice({ deviceId: 'd3', moduleId: 'm' }, () => sent.push('module'));
    vi.advanceTimersByTime(199);
    expect(sent).not.toContain('module');
    vi.advanceTimersByTime(1);
    expect(sent.at(-1)).toBe('module');
    faults.close();
  });
});
