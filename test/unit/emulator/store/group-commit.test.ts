import { describe, expect, it } from 'vitest';

import { type IotHubError } from '../../../../emulator/errors/iothub-error.js';
import { GroupCommit } from '../../../../emulator/store/group-commit.js';

function deferredWriter() {
  const calls: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const write = () => new Promise<void>((resolve, reject) => calls.push({ resolve, reject }));
  return { calls, write };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('carries every commit requested during a write in one following write', async () => {
    const writer = deferredWriter();
    const group = new GroupCommit(writer.write);
    const first = group.commit(() => undefined);
    await tick();
    expect(writer.calls).toHaveLength(1);
    const rest = Array.from({ length: 50 }, () => group.commit(() => undefined));
    writer.calls[0]?.resolve();
    await first;
    await tick();
    expect(writer.calls).toHaveLength(2);
    writer.calls[1]?.resolve();
    await Promise.all(rest);
    expect(writer.calls).toHaveLength(2);
  });

  it('acknowledges only after the write that carries the change has finished', async () => {
    const writer = deferredWriter();
    const group = new GroupCommit(writer.write);
    let acknowledged = false;
    const pending = group.commit(() => undefined).then(() => (acknowledged = true));
    await tick();
    expect(acknowledged).toBe(false);
    writer.calls[0]?.resolve();
    await pending;
    expect(acknowledged).toBe(true);
  });

  it('on a failed write undoes the batch and everything queued after it, newest first, and rejects all with 503', async () => {
    const writer = deferredWriter();
    const group = new GroupCommit(writer.write);
    const undone: string[] = [];
    const a = group.commit(() => undone.push('a'));
    const b = group.commit(() => undone.push('b'));
    await tick();
    const c = group.commit(() => undone.push('c'));
    writer.calls[0]?.reject(new Error('ENOSPC: no space left on device'));
    const results = await Promise.allSettled([a, b, c]);
    expect(undone).toEqual(['c', 'b', 'a']);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason as IotHubError;
      expect(reason.httpStatus).toBe(503);
      expect(reason.message).toContain('ENOSPC');
    }
    expect(group.failure?.message).toContain('ENOSPC');
  });

  it('recovers when writes succeed again', async () => {
    let fail = true;
    const group = new GroupCommit(async () => {
      if (fail) throw new Error('EROFS');
    });
    await expect(group.commit(() => undefined)).rejects.toThrow(/EROFS/);
    fail = false;
    await expect(group.commit(() => undefined)).resolves.toBeUndefined();
    expect(group.failure).toBeUndefined();
  });
});
