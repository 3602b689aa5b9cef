import { describe, expect, it } from 'vitest';

import { analyseDraft, draftOf, rebaseDraft } from './draft.js';
import { applyMergePatch, mergePatch } from './json-ops.js';
import { twinDelta } from './twin-delta.js';
import { diffTwins } from './twin-diff.js';
import type { TwinDocument } from '../../../main/contract/index.js';

function twin(version: number, tags: object, desired: object, reported: object = {}): TwinDocument {
  return {
    deviceId: 'd1', etag: `e${version}`, version,
    tags: tags as TwinDocument['tags'],
    properties: { desired: { ...desired, $version: version, $metadata: {} }, reported: { ...reported, $version: 1, $metadata: {} } },
  } as TwinDocument;
}

describe('merge patches (the semantics of a twin PATCH)', () => {
  it('contains changed and added keys, nested objects recursively, and null for removed keys', () => {
    const base = { a: 1, b: { c: 2, d: 3 }, e: [1, 2], gone: true };
    const target = { a: 1, b: { c: 5, d: 3, f: 'new' }, e: [1, 2, 3] };
    const patch = mergePatch(base, target);
    expect(patch).toEqual({ gone: null, b: { c: 5, f: 'new' }, e: [1, 2, 3] });
    expect(applyMergePatch(base, patch)).toEqual(target);
  });

  it('is empty when nothing changed (key order does not matter)', () => {
    expect(mergePatch({ a: 1, b: { c: 2 } }, { b: { c: 2 }, a: 1 })).toEqual({});
  });
});

describe('diff since the last version seen', () => {
  it('lists leaf changes per section and ignores $metadata and $version', () => {
    const diff = diffTwins(twin(2, { loc: 'A' }, { t: 20 }, { fw: '1.0' }), twin(5, { loc: 'B' }, { t: 20, mode: 'eco' }, {}));
    expect(diff.fromVersion).toBe(2);
    expect(diff.toVersion).toBe(5);
    expect(diff.tags).toEqual([{ path: ['loc'], kind: 'changed', before: 'A', after: 'B' }]);
    expect(diff.desired).toEqual([{ path: ['mode'], kind: 'added', after: 'eco' }]);
    expect(diff.reported).toEqual([{ path: ['fw'], kind: 'removed', before: '1.0' }]);
  });
});

describe('delta: desired values the device has not reported back', () => {
  it('lists missing and different leaves, descends objects, compares arrays whole', () => {
    const desired = { $version: 4, t: 21, mode: 'eco', config: { rate: 5, list: [1, 2] }, same: 'x' };
    const reported = { $version: 9, t: 20, config: { rate: 5, list: [1] }, same: 'x' };
    expect(twinDelta(desired, reported)).toEqual([
      { path: ['t'], desired: 21, reported: 20, state: 'different' },
      { path: ['mode'], desired: 'eco', reported: undefined, state: 'missing' },
      { path: ['config', 'list'], desired: [1, 2], reported: [1], state: 'different' },
    ]);
  });

  it('is empty when everything desired is reported with the same value', () => {
    expect(twinDelta({ a: { b: 1 } }, { a: { b: 1, extra: 2 }, other: 3 })).toEqual([]);
  });
});

describe('editor drafts', () => {
  it('produce a PATCH of only what changed, with the base etag kept by the caller', () => {
    const draft = { ...draftOf(twin(3, { loc: 'A' }, { t: 20, keep: 1 })), desired: '{ "t": 22, "keep": 1 }' };
    expect(analyseDraft(draft)).toEqual({ dirty: true, problems: [], patch: { desired: { t: 22 } } });
  });

  it('are not saveable while JSON is broken or a rule is broken', () => {
    const base = draftOf(twin(3, {}, {}));
    expect(analyseDraft({ ...base, tags: '{ "a": ' }).problems[0]).toMatch(/^tags: /);
    expect(analyseDraft({ ...base, desired: '{ "a.b": 1 }' })).toMatchObject({ dirty: true, problems: ["desired.a.b: Property name 'a.b' must not contain '.'."] });
  });

  it('rebase the user edits onto a newer twin (the merge answer to a 412)', () => {
    const draft = { ...draftOf(twin(3, { loc: 'A' }, { t: 20 })), desired: '{ "t": 25 }' };
    const latest = twin(4, { loc: 'A', owner: 'ops' }, { t: 20, mode: 'eco' });
    const rebased = rebaseDraft(draft, latest);
    expect(rebased.base.etag).toBe('e4');
    expect(JSON.parse(rebased.desired)).toEqual({ t: 25, mode: 'eco' });
    expect(JSON.parse(rebased.tags)).toEqual({ loc: 'A', owner: 'ops' });
    expect(analyseDraft(rebased).patch).toEqual({ desired: { t: 25 } });
  });
});
