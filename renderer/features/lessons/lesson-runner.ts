import type { JsonObject, JsonValue } from '../../../emulator/model/json.js';
import type { TwinStudioApi } from '../../../main/contract/index.js';
import { describeError } from '../../api/async-state.js';
import { valueAt } from '../timeline/timeline-model.js';
import type { LessonCheck, LessonOp } from './lesson-format.js';

/** What an action did, line by line; `ok` false when an op failed or got an unexpected status. */
export interface ActionOutcome {
  readonly ok: boolean;
  readonly lines: readonly string[];
}

/** A check's verdict with what was seen (shown next to the step). */
export interface CheckVerdict {
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * Runs a step's ops in order through the studio API (the same channels the panels use). `etags` keeps named etags
 * across steps (the optimistic-concurrency lesson writes with a stale one on purpose).
 */
export async function runAction(api: TwinStudioApi, ops: readonly LessonOp[], etags: Map<string, string>): Promise<ActionOutcome> {
  const lines: string[] = [];
  let ok = true;
  for (const op of ops) {
    const line = await runOp(api, op, etags);
    lines.push(line.text);
    if (!line.ok) {
      ok = false;
      break;
    }
  }
  return { ok, lines };
}

async function runOp(api: TwinStudioApi, op: LessonOp, etags: Map<string, string>): Promise<{ ok: boolean; text: string }> {
  switch (op.op) {
    case 'createDevice': {
      const result = await api.devices.create({ deviceId: op.deviceId });
      if (result.ok) return { ok: true, text: `Registered device ${op.deviceId}.` };
      if (result.error.httpStatus === 409) return { ok: true, text: `Device ${op.deviceId} already exists.` };
      return { ok: false, text: describeError(result.error) };
    }
    case 'simulate': {
      const list = await api.simulations.list({});
      const existing = list.ok ? list.value.find((simulation) => simulation.deviceId === op.deviceId) : undefined;
      const result = existing ? await api.simulations.setRunState({ deviceId: op.deviceId, runState: 'running' }) : await api.simulations.create({ deviceId: op.deviceId, profile: op.profile });
      return result.ok ? { ok: true, text: `Simulating ${op.deviceId} with the ${op.profile} profile.` } : { ok: false, text: describeError(result.error) };
    }
    case 'setRunState': {
      const result = await api.simulations.setRunState({ deviceId: op.deviceId, runState: op.runState });
      return result.ok ? { ok: true, text: `Simulated device ${op.deviceId}: ${op.runState}.` } : { ok: false, text: describeError(result.error) };
    }
    case 'readTwin': {
      const result = await api.twin.get({ deviceId: op.deviceId });
      if (!result.ok) return { ok: false, text: describeError(result.error) };
      etags.set(op.saveEtagAs, result.value.etag);
      return { ok: true, text: `Read the twin of ${op.deviceId}: version ${result.value.version}, etag ${result.value.etag} (kept as “${op.saveEtagAs}”).` };
    }
    case 'updateTwin':
      return updateTwin(api, op, etags);
    case 'stepThrough': {
      const result = await api.stepper.configure({ enabled: op.enabled, deviceIds: op.deviceIds === null ? null : [...op.deviceIds] });
      return result.ok ? { ok: true, text: op.enabled ? `Step-through on for ${op.deviceIds?.join(', ') ?? 'all devices'}.` : 'Step-through off.' } : { ok: false, text: describeError(result.error) };
    }
    case 'releaseAll': {
      const result = await api.stepper.releaseAll({});
      return result.ok ? { ok: true, text: 'Released every held message.' } : { ok: false, text: describeError(result.error) };
    }
    case 'fault': {
      const result = await api.faults.inject({ spec: op.spec });
      const target = op.spec.device === undefined ? 'the hub' : op.spec.device;
      return result.ok ? { ok: true, text: `Injected ${op.spec.fault} on ${target}.` } : { ok: false, text: describeError(result.error) };
    }
  }
}

async function updateTwin(api: TwinStudioApi, op: Extract<LessonOp, { op: 'updateTwin' }>, etags: Map<string, string>): Promise<{ ok: boolean; text: string }> {
  let etag = op.etag ?? 'current';
  if (etag === 'current') {
    const twin = await api.twin.get({ deviceId: op.deviceId });
    if (!twin.ok) return { ok: false, text: describeError(twin.error) };
    etag = twin.value.etag;
  } else if (etag.startsWith('saved:')) {
    const saved = etags.get(etag.slice('saved:'.length));
    if (saved === undefined) return { ok: false, text: `No etag kept as “${etag.slice(6)}”: run the step that reads it first.` };
    etag = saved;
  }
  const patch: { tags?: JsonObject; desired?: JsonObject } = {};
  if (op.tags) patch.tags = op.tags;
  if (op.desired) patch.desired = op.desired;
  const result = await api.twin.update({ deviceId: op.deviceId, patch, etag });
  const status = result.ok ? 200 : (result.error.httpStatus ?? 0);
  const expected = op.expectStatus ?? 200;
  if (result.ok && op.saveEtagAs) etags.set(op.saveEtagAs, result.value.etag);
  const what = `PATCH ${op.deviceId} with If-Match ${etag}`;
  const text = result.ok ? `${what} → 200, version ${result.value.version}, etag ${result.value.etag}` : `${what} → ${describeError(result.error)}`;
  return { ok: status === expected, text: status === expected ? text : `${text} (expected ${expected})` };
}

/** Evaluates a check now. `actionOk` is the last outcome of the step's action (for `{"kind": "action"}`). */
export async function evaluateCheck(api: TwinStudioApi, check: LessonCheck, actionOk: boolean | undefined): Promise<CheckVerdict> {
  switch (check.kind) {
    case 'action':
      return { ok: actionOk === true, detail: actionOk === undefined ? 'Run the step first.' : actionOk ? 'Done as expected.' : 'Not as expected yet.' };
    case 'query': {
      const result = await api.query.run({ query: check.query, pageSize: 1000 });
      if (!result.ok) return { ok: false, detail: describeError(result.error) };
      const count = result.value.items.length;
      return { ok: count === check.count, detail: `${count} of ${check.count} expected` };
    }
    case 'twin': {
      const result = await api.twin.get({ deviceId: check.deviceId });
      if (!result.ok) return { ok: false, detail: describeError(result.error) };
      const twin = result.value as unknown as JsonObject;
      const value = valueAt(twin, check.path);
      const shown = value === undefined ? '(absent)' : JSON.stringify(value);
      if (check.exists !== undefined && (value !== undefined) !== check.exists) return { ok: false, detail: `${check.path} = ${shown}` };
      if (check.equals !== undefined && JSON.stringify(value) !== JSON.stringify(check.equals)) return { ok: false, detail: `${check.path} = ${shown}` };
      if (check.sameAs !== undefined) {
        const other = valueAt(twin, check.sameAs);
        if (value === undefined || JSON.stringify(withoutMeta(value)) !== JSON.stringify(withoutMeta(other))) return { ok: false, detail: `${check.path} = ${shown}, ${check.sameAs} = ${JSON.stringify(other ?? null)}` };
      }
      if (check.atLeast !== undefined && !(typeof value === 'number' && value >= check.atLeast)) return { ok: false, detail: `${check.path} = ${shown} (want ≥ ${check.atLeast})` };
      return { ok: true, detail: `${check.path} = ${shown}` };
    }
    case 'all': {
      const verdicts = await Promise.all(check.checks.map((inner) => evaluateCheck(api, inner, actionOk)));
      return { ok: verdicts.every((verdict) => verdict.ok), detail: verdicts.map((verdict) => verdict.detail).join(' · ') };
    }
  }
}

/** A value without `$metadata` / `$version` keys (sections compared by content). */
function withoutMeta(value: JsonValue | undefined): JsonValue | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const result: JsonObject = {};
  for (const key of Object.keys(value)) if (!key.startsWith('$')) result[key] = withoutMeta(value[key] as JsonValue) as JsonValue;
  return result;
}
