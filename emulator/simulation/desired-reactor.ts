import type { JsonObject, JsonValue } from '../model/json.js';
import { isJsonObject } from '../model/json.js';
import type { BehaviourHost, DeviceChannel } from './behaviour-types.js';
import type { DesiredReaction, DeviceModel } from './device-model.js';
import { deepEqual, findRejection } from './device-model.js';
import type { DeviceTwinProperties } from './device-link.js';
import type { HeldDesiredChanges } from './held-desired.js';
import { report, runSteps } from './run-steps.js';
import { ignoreCancelled, type TaskScope } from './task-scope.js';

// Reacting to desired properties like a device following the IoT Plug and Play conventions: optionally acknowledge
// at once with ac 202 ("pending"), wait, reject (ac 4xx with the value the device keeps) or apply, run the steps,
// then acknowledge with {value, ac: 200, av: <desired $version>, ad}. "mirror" reports the plain value instead.

/** Reacts to desired patches and re-syncs with the twin after (re)connecting (no replay, iothub-protocol.md §4.4). */
export class DesiredReactor {
  private readonly inFlight = new Map<string, TaskScope>();

  constructor(
    private readonly model: DeviceModel,
    private readonly channel: DeviceChannel,
    private readonly host: BehaviourHost,
    private readonly scope: TaskScope,
    /** "Apply on click": while enabled, reactions wait here until `applyHeld()`. */
    private readonly held?: HeldDesiredChanges,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** Applies (and reports) every held desired change, as if each had just arrived. */
  applyHeld(): void {
    for (const change of this.held?.take() ?? []) this.reactNow(change.property, change.value, change.version);
  }

  /** A desired notification: every top-level property is handled on its own; the newest value wins. */
  onPatch(patch: JsonObject): void {
    const version = typeof patch.$version === 'number' ? patch.$version : undefined;
    for (const [property, value] of Object.entries(patch)) {
      if (property.startsWith('$')) continue;
      this.react(property, value, version);
    }
  }

  /**
   * After a (re)connect: learn what was applied before from the reported acks, re-acknowledge values already applied,
   * and apply the rest.
   */
  sync(twin: DeviceTwinProperties): void {
    const version = typeof twin.desired.$version === 'number' ? twin.desired.$version : undefined;
    for (const [property, wanted] of Object.entries(twin.desired)) {
      if (property.startsWith('$')) continue;
      const reaction = this.model.desiredReaction(property);
      if (!reaction) continue;
      const reported = twin.reported[property];
      if (!this.model.applied.has(property)) {
        const known = appliedFromReported(reaction, reported);
        if (known !== undefined) this.model.applied.set(property, known);
      }
      if (!deepEqual(this.model.applied.get(property), wanted)) {
        this.react(property, wanted, version);
      } else if (!isAcknowledged(reaction, reported, wanted)) {
        void report(this.channel, this.host, ackPatch(property, reaction, wanted, version), `desired ${property} (sync)`);
      }
    }
  }

  private react(property: string, value: JsonValue, version: number | undefined): void {
    if (!this.model.desiredReaction(property)) return;
    if (this.held?.enabled) {
      this.held.hold({ property, value, ...(version === undefined ? {} : { version }), receivedAt: this.now() });
      this.host.activity('desiredHeld', `${property} = ${JSON.stringify(value)}`);
      return;
    }
    this.reactNow(property, value, version);
  }

  private reactNow(property: string, value: JsonValue, version: number | undefined): void {
    const reaction = this.model.desiredReaction(property);
    if (!reaction) return;
    this.inFlight.get(property)?.cancel();
    const scope = this.scope.child();
    this.inFlight.set(property, scope);
    void this.run(property, value, version, reaction, scope)
      .catch(ignoreCancelled((error) => this.host.activity('error', `desired ${property}: ${error.message}`)))
      .finally(() => {
        if (this.inFlight.get(property) === scope) this.inFlight.delete(property);
        this.scope.release(scope);
      });
  }

  private async run(property: string, value: JsonValue, version: number | undefined, reaction: DesiredReaction, scope: TaskScope): Promise<void> {
    const why = `desired ${property}`;
    if (value === null) {
      // A deleted desired property: the device forgets the setting; a mirror removes the reported copy too.
      this.model.applied.delete(property);
      if (reaction.ack === 'mirror') await report(this.channel, this.host, { [property]: null }, why);
      return;
    }
    if (reaction.pending && reaction.ack === 'pnp') {
      await report(this.channel, this.host, { [property]: pnpAck(value, 202, version, 'pending') }, why);
    }
    await scope.sleep(reaction.delayMs);
    const rule = findRejection(reaction.reject, value);
    if (rule) {
      const kept = this.model.applied.get(property) ?? null;
      if (reaction.ack === 'pnp') {
        await report(this.channel, this.host, { [property]: pnpAck(kept, rule.status ?? 400, version, rule.description ?? 'rejected') }, why);
      }
      this.host.activity('desiredRejected', `${property} = ${JSON.stringify(value)}`);
      return;
    }
    this.model.applied.set(property, value);
    await runSteps(reaction.steps, value, scope, this.channel, this.host, why);
    if (scope.cancelled) return;
    await report(this.channel, this.host, ackPatch(property, reaction, value, version), why);
    this.host.activity('desiredApplied', `${property} = ${JSON.stringify(value)}`);
  }
}

/** `{value, ac, av, ad}`, the IoT Plug and Play writable-property acknowledgement. */
export function pnpAck(value: JsonValue, ac: number, av: number | undefined, ad: string): JsonObject {
  return av === undefined ? { value, ac, ad } : { value, ac, av, ad };
}

function ackPatch(property: string, reaction: DesiredReaction, value: JsonValue, version: number | undefined): JsonObject | undefined {
  if (reaction.ack === 'pnp') return { [property]: pnpAck(value, 200, version, reaction.description) };
  if (reaction.ack === 'mirror') return { [property]: value };
  return undefined;
}

function appliedFromReported(reaction: DesiredReaction, reported: JsonValue | undefined): JsonValue | undefined {
  if (reported === undefined) return undefined;
  if (reaction.ack === 'mirror') return reported;
  if (reaction.ack === 'pnp' && isJsonObject(reported) && reported.ac === 200 && reported.value !== undefined) return reported.value;
  return undefined;
}

function isAcknowledged(reaction: DesiredReaction, reported: JsonValue | undefined, wanted: JsonValue): boolean {
  if (reaction.ack === 'none') return true;
  if (reaction.ack === 'mirror') return deepEqual(reported, wanted);
  return isJsonObject(reported) && reported.ac === 200 && deepEqual(reported.value, wanted);
}
