import { describe, expect, it } from 'vitest';

import { type IotHubError } from '../../../../emulator/errors/iothub-error.js';
import { GroupCommit } from '../../../../emulator/store/group-commit.js';

function deferredWriter() {
  const calls: { items: readonly string[]; resolve: () => void; reject: (error: Error) => void }[] = [];
  const write = (items: readonly string[]) => new Promise<void>((resolve, reject) => calls.push({ items, resolve, reject }));
  return { calls, write };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('carries every item submitted during a write in one following write', async () => {
    const writer = deferredWriter();
    const group = new GroupCommit<string>({ write: writer.write, failed: () => undefined });
    const first = group.submit('first');
    await tick();
    expect(writer.calls).toHaveLength(1);
    const rest = Array.from({ length: 50 }, (_, i) => group.submit(`r${i}`));
    writer.calls[0]?.resolve();
    await first;
    await tick();
    expect(writer.calls).toHaveLength(2);
    expect(writer.calls[1]?.items).toHaveLength(50);
    writer.calls[1]?.resolve();
    await Promise.all(rest);
    expect(writer.calls).toHaveLength(2);
  });

  it('acknowledges only after the write that carries the item, in submission order', async () => {
    const writer = deferredWriter();
    const group = new GroupCommit<string>({ write: writer.write, failed: () => undefined });
    const order: string[] = [];
    const pending = ['a', 'b', 'c'].map((item) => group.submit(item).then(() => order.push(item)));
    await tick();
    expect(order).toEqual([]);
    writer.calls[0]?.resolve();
    await Promise.all(pending);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('on a failed write calls `failed` first, then rejects the batch and everything queued after it with 503', async () => {
    const writer = deferredWriter();
    const events: string[] = [];
    const group = new GroupCommit<string>({ write: writer.write, failed: () => events.push('failed') });
    const a = group.submit('a').catch((error: unknown) => (events.push('a'), Promise.reject(error)));
    const b = group.submit('b');
    await tick();
    const c = group.submit('c');
    writer.calls[0]?.reject(new Error('ENOSPC: no space left on device'));
    const results = await Promise.allSettled([a, b, c]);
    expect(events).toEqual(['failed', 'a']);
    expect(writer.calls).toHaveLength(1);
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
    const group = new GroupCommit<string>({
      write: async () => {
        if (fail) throw new Error('EROFS');
      },
      failed: () => undefined,
    });
    await expect(group.submit('x')).rejects.toThrow(/EROFS/);
    fail = false;
    await expect(group.submit('y')).resolves.toBeUndefined();
    expect(group.failure).toBeUndefined();
  });

  it('runs `between` in the write slot: items submitted meanwhile wait for it', async () => {
    const events: string[] = [];
    let release: () => void = () => undefined;
    const group = new GroupCommit<string>({
      write: async (items) => void events.push(`write ${items.join(',')}`),
      failed: () => undefined,
      between: () => (events.includes('between') ? Promise.resolve() : (events.push('between'), new Promise<void>((resolve) => (release = resolve)))),
    });
    await group.submit('a');
    const b = group.submit('b');
    await tick();
    expect(events).toEqual(['write a', 'between']);
    release();
    await b;
    expect(events).toEqual(['write a', 'between', 'write b']);
  });
});
