import type { JsonValue } from '../model/json.js';
import { twinKey, type TwinAddress } from '../model/twin-address.js';
import type { Clock } from '../util/clock.js';

/** What the hub was about to send to a device when step-through held it. */
export type HeldKind = 'desired' | 'method' | 'c2d';

/** A message held for a device, as the studio lists it. */
export interface HeldMessage {
  readonly id: number;
  readonly kind: HeldKind;
  readonly deviceId: string;
  readonly moduleId?: string;
  readonly heldAt: string;
  /** Desired: the notification body (patch + `$version`); method: `{methodName, payload}`; C2D: null (the queue holds it). */
  readonly body: JsonValue;
  /** Desired: the desired `$version`; otherwise undefined. */
  readonly version?: number;
}

/** Which devices step-through holds messages for. */
export interface StepGateSettings {
  readonly enabled: boolean;
  /** Device ids whose messages are held (a device's modules included); null = every device. */
  readonly deviceIds: readonly string[] | null;
}

/** The most messages held at once; older ones are delivered when more arrive (a forgotten gate cannot grow). */
export const MAX_HELD = 1000;

interface Entry {
  readonly message: HeldMessage;
  readonly deliver: () => void;
}

/**
 * Step-through mode (issue 18): holds what the hub sends to chosen devices — desired notifications, method requests,
 * the delivery of newly queued C2D messages — at the device port (`DevicePortRelay`, one place for MQTT and AMQP),
 * until the studio releases them one by one, oldest first. Turning it off, or narrowing the device list, delivers
 * everything it held. A held method request keeps its response timeout running, as a slow device would.
 */
export class StepGate {
  private settings: StepGateSettings = { enabled: false, deviceIds: null };
  private readonly held: Entry[] = [];
  private nextId = 1;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  get state(): { readonly settings: StepGateSettings; readonly held: readonly HeldMessage[] } {
    return { settings: this.settings, held: this.held.map((entry) => entry.message) };
  }

  /** Changes what is held; messages no longer covered are delivered at once, in order. */
  configure(settings: StepGateSettings): void {
    this.settings = { enabled: settings.enabled, deviceIds: settings.deviceIds === null ? null : [...new Set(settings.deviceIds)] };
    const release = this.held.filter((entry) => !this.covers(entry.message));
    for (const entry of release) this.take(entry);
    this.changed();
  }

  /** True when messages to this identity are held now. */
  covers(address: TwinAddress): boolean {
    if (!this.settings.enabled) return false;
    return this.settings.deviceIds === null || this.settings.deviceIds.includes(address.deviceId);
  }

  /** Holds a message (the caller checked `covers`); `deliver` sends it when released. */
  hold(address: TwinAddress, kind: HeldKind, body: JsonValue, deliver: () => void, version?: number): void {
    const message: HeldMessage = {
      id: this.nextId++,
      kind,
      deviceId: address.deviceId,
      ...(address.moduleId === undefined ? {} : { moduleId: address.moduleId }),
      heldAt: this.clock.now().toISOString(),
      body,
      ...(version === undefined ? {} : { version }),
    };
    this.held.push({ message, deliver });
    if (this.held.length > MAX_HELD) this.take(this.held[0] as Entry);
    this.changed();
  }

  /**
   * Delivers one held message: `id`, or the oldest (of `deviceId` when given). Messages to one identity go out in
   * the order they were held, so releasing a later one first delivers the earlier ones of that identity before it.
   * Returns the messages delivered.
   */
  release(options: { id?: number; deviceId?: string } = {}): HeldMessage[] {
    const target = options.id !== undefined
      ? this.held.find((entry) => entry.message.id === options.id)
      : this.held.find((entry) => options.deviceId === undefined || entry.message.deviceId === options.deviceId);
    if (!target) return [];
    const key = twinKey(target.message);
    const earlier = this.held.filter((entry) => entry.message.id <= target.message.id && twinKey(entry.message) === key);
    for (const entry of earlier) this.take(entry);
    this.changed();
    return earlier.map((entry) => entry.message);
  }

  /** Delivers everything held, in order. */
  releaseAll(): HeldMessage[] {
    const all = [...this.held];
    for (const entry of all) this.take(entry);
    this.changed();
    return all.map((entry) => entry.message);
  }

  /** Called after every change (hold, release, settings). Returns the disposer. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private take(entry: Entry): void {
    const index = this.held.indexOf(entry);
    if (index < 0) return;
    this.held.splice(index, 1);
    entry.deliver();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
