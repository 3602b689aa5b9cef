import { describe, expect, it } from 'vitest';

import { createFakeApi } from '../../api/fake-client.js';
import { builtinLessons } from './builtin-lessons.js';
import { parseLesson, type Lesson } from './lesson-format.js';
import { evaluateCheck, runAction } from './lesson-runner.js';

describe('lesson runner', () => {
  it('runs the etag lesson: the stale write is the expected 412, and every check turns green in order', async () => {
    const api = createFakeApi();
    const item = builtinLessons().find((candidate) => candidate.file === '3-optimistic-concurrency.json');
    const lesson = (item as { lesson: Lesson }).lesson;
    const etags = new Map<string, string>();
    for (const step of lesson.steps) {
      const outcome = step.action ? await runAction(api, step.action.do, etags) : undefined;
      expect(outcome?.ok, `${step.title}: ${outcome?.lines.join(' / ')}`).toBe(true);
      if (step.check) expect((await evaluateCheck(api, step.check, outcome?.ok)).ok, step.title).toBe(true);
    }
    expect(etags.get('alice')).toBe(etags.get('bob'));
  });

  it('fails a step whose write does not get the status it expects, and names what happened', async () => {
    const api = createFakeApi();
    const etags = new Map<string, string>();
    await runAction(api, [{ op: 'createDevice', deviceId: 'd' }, { op: 'readTwin', deviceId: 'd', saveEtagAs: 'mine' }], etags);
    const outcome = await runAction(api, [{ op: 'updateTwin', deviceId: 'd', desired: { a: 1 }, etag: 'saved:mine', expectStatus: 412 }], etags);
    expect(outcome.ok).toBe(false);
    expect(outcome.lines.at(-1)).toMatch(/→ 200, version \d+.*\(expected 412\)/);
    expect((await runAction(api, [{ op: 'updateTwin', deviceId: 'd', etag: 'saved:nobody' }], etags)).lines[0]).toMatch(/No etag kept as “nobody”/);
  });

  it('injects a fault through the Faults channel, and a lesson file must give the fault', async () => {
    const api = createFakeApi();
    const outcome = await runAction(api, [{ op: 'fault', spec: { fault: 'refuseConnections', durationMs: 5000 } }], new Map());
    expect(outcome).toEqual({ ok: true, lines: ['Injected refuseConnections on the hub.'] });
    const status = await api.faults.status({});
    expect(status.ok && status.value.active.map((fault) => fault.mode)).toEqual(['refuseConnections']);
    const file = JSON.stringify({ format: 'twin-studio-lesson', id: 'f', title: 'F', steps: [{ title: 's', text: 't', action: { label: 'go', do: [{ op: 'fault' }] } }] });
    expect(() => parseLesson(file, 'f.json')).toThrow(/action.do\[0\] needs "spec" with a "fault"/);
  });

  it('checks twin paths: equals, sameAs without $metadata, atLeast', async () => {
    const api = createFakeApi();
    await runAction(api, [{ op: 'createDevice', deviceId: 'd' }, { op: 'updateTwin', deviceId: 'd', desired: { cfg: { f: '5m' } } }], new Map());
    api.report('d', { cfg: { f: '5m' } });
    expect(await evaluateCheck(api, { kind: 'twin', deviceId: 'd', path: 'properties.reported.cfg', sameAs: 'properties.desired.cfg' }, undefined)).toMatchObject({ ok: true });
    expect(await evaluateCheck(api, { kind: 'twin', deviceId: 'd', path: 'properties.desired.cfg.f', equals: '1m' }, undefined)).toEqual({ ok: false, detail: 'properties.desired.cfg.f = "5m"' });
    expect((await evaluateCheck(api, { kind: 'twin', deviceId: 'd', path: 'properties.desired.$version', atLeast: 2 }, undefined)).ok).toBe(true);
    expect((await evaluateCheck(api, { kind: 'query', query: "SELECT * FROM devices WHERE deviceId = 'd'", count: 1 }, undefined)).ok).toBe(true);
  });
});
