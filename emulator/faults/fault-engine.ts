import type { IotHubError } from '../errors/iothub-error.js';
import type { Logger } from '../logger.js';
import { twinKey, type TwinAddress } from '../model/twin-address.js';
import { connectionRefused, faultError } from './fault-errors.js';
import type { FaultSpec } from './fault-spec.js';
import type { ConnectionFault, FaultHit, FaultTarget, HubOutage } from './fault-target.js';
import { PushQueue } from './push-queue.js';
import type { FaultScenario } from './scenario.js';
import { isDisconnectFault, parseSdkFault, type SdkErrorFault, type SdkFaultRequest } from './sdk-faults.js';
import { deriveSeed, SeededRandom } from './seeded-random.js';

/** A fault event for the traffic view: what was injected, on which device and transport. */
export interface InjectedFault {
  readonly deviceId: string | undefined;
  readonly moduleId?: string;
  /** The transport the fault hit; undefined for hub-wide modes (a latency, a refusal window, the hub going down). */
  readonly protocol: 'mqtt' | 'amqp' | 'http' | undefined;
  /** Short description, e.g. `fault KillTcp → socket destroyed`. */
  readonly topic: string;
  /** The fault's parameters as JSON. */
  readonly payload: string;
}

/** A timed fault mode that is in force. */
export interface ActiveFault {
  readonly id: number;
  readonly mode: 'refuseConnections' | 'latency' | 'lossQos0' | 'methodTimeout' | 'error';
  /** Undefined: every device. */
  readonly deviceId: string | undefined;
  /** Milliseconds left; null until cleared. */
  readonly remainingMs: number | null;
  readonly latencyMs?: number;
  readonly jitterMs?: number;
  readonly fraction?: number;
  readonly error?: SdkErrorFault;
}

/** What the gate's fault check sees of a request (a structural slice of the request gate's `GateRequest`). */
export interface FaultGateRequest {
  readonly deviceId: string | undefined;
  /** The throttle family (`deviceConnection` for a new device connection). */
  readonly family: string;
  readonly ctx: { readonly principal: { readonly kind: string } };
}

/** A scenario being replayed. */
export interface ScenarioRun {
  /** Resolves once the last step has been applied. */
  readonly done: Promise<void>;
  cancel(): void;
}

export interface FaultEngineDeps {
  /** Where injected fault events go (the composition root sends them to the traffic tap). */
  readonly record: (event: InjectedFault) => void;
  readonly logger: Logger;
  /** Whether devices may ask for faults with the SDKs' `AzIoTHub_Fault*` message properties (config `faultInjection`). */
  readonly sdkProperties: boolean;
  /** Monotonic milliseconds; `performance.now` unless a test hands in its own. */
  readonly now?: () => number;
  /**
   * The request gate (services/request-gate.ts). The engine's check is on it only while a timed fault is in force, so
   * a hub without faults keeps an empty gate that looks at nothing.
   */
  readonly gate?: { add(check: FaultEngine['gateCheck'], position?: 'first' | 'last'): () => void };
}

interface Mode {
  readonly id: number;
  readonly mode: ActiveFault['mode'];
  readonly deviceId: string | undefined;
  readonly until: number;
  readonly latencyMs?: number;
  readonly jitterMs?: number;
  readonly fraction?: number;
  readonly error?: SdkErrorFault;
}

/** Default seed when no scenario set one. */
const DEFAULT_SEED = 1;

/**
 * The fault engine (iothub-protocol-2.md §10.3 and issue 16): connection faults applied through the transports'
 * {@link FaultTarget}s, timed modes (refused connections, latency and jitter, QoS 0 loss, method timeouts, the SDK
 * error faults) that the transports and the request gate consult, the hub outage, and scenario replay. Every random
 * choice comes from a seeded stream per device, so a replay makes the same choices for the same traffic. Each fault
 * is reported as an {@link InjectedFault} event.
 */
export class FaultEngine {
  private readonly targets = new Set<FaultTarget>();
  private modes: Mode[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly streams = new Map<string, SeededRandom>();
  private seedValue = DEFAULT_SEED;
  private nextId = 1;
  private outage: HubOutage | undefined;
  private leaveGate: (() => void) | undefined;
  private readonly now: () => number;
  private readonly pushes: PushQueue;
  sdkProperties: boolean;

  constructor(private readonly deps: FaultEngineDeps) {
    this.now = deps.now ?? (() => performance.now());
    this.pushes = new PushQueue(this.now);
    this.sdkProperties = deps.sdkProperties;
  }

  /** Adds a transport; returns the function that removes it (hub stop). */
  bindTarget(target: FaultTarget): () => void {
    this.targets.add(target);
    return () => this.targets.delete(target);
  }

  /** How the hub goes down and comes back (set by the composition root once the listeners exist). */
  bindOutage(outage: HubOutage): void {
    this.outage = outage;
  }

  /** Restarts every random stream from `seed` (a scenario does this when it starts). */
  seed(seed: number): void {
    this.seedValue = seed >>> 0;
    this.streams.clear();
  }

  /** True while the hub is "down" (listeners closed). */
  get hubDown(): boolean {
    return this.outage?.isDown ?? false;
  }

  /** The timed faults in force now. */
  active(): ActiveFault[] {
    const now = this.now();
    return this.modes.filter((mode) => mode.until > now).map((mode) => ({
      id: mode.id,
      mode: mode.mode,
      deviceId: mode.deviceId,
      remainingMs: mode.until === Infinity ? null : Math.max(0, Math.round(mode.until - now)),
      ...(mode.latencyMs === undefined ? {} : { latencyMs: mode.latencyMs }),
      ...(mode.jitterMs === undefined ? {} : { jitterMs: mode.jitterMs }),
      ...(mode.fraction === undefined ? {} : { fraction: mode.fraction }),
      ...(mode.error === undefined ? {} : { error: mode.error }),
    }));
  }

  /** Applies one fault now. Connection faults on a device that is not connected hit nothing (the event says so). */
  async apply(spec: FaultSpec, origin = 'studio'): Promise<void> {
    const device = 'device' in spec ? spec.device : undefined;
    const params = JSON.stringify({ ...spec, origin });
    switch (spec.fault) {
      case 'drop':
        this.hit(device, 'drop', 'dropped by an injected fault', params);
        return;
      case 'expireToken':
        this.hit(device, 'expireToken', 'SAS token expired early (injected fault)', params);
        return;
      case 'refuseConnections':
        this.addMode({ mode: 'refuseConnections', deviceId: device }, spec.durationMs, params);
        return;
      case 'latency':
        this.addMode({ mode: 'latency', deviceId: device, latencyMs: spec.latencyMs, jitterMs: spec.jitterMs ?? 0 }, spec.durationMs, params);
        return;
      case 'lossQos0':
        this.addMode({ mode: 'lossQos0', deviceId: device, fraction: spec.fraction }, spec.durationMs, params);
        return;
      case 'methodTimeout':
        this.addMode({ mode: 'methodTimeout', deviceId: device }, spec.durationMs, params);
        return;
      case 'hubDown':
        await this.down(spec.durationMs, params);
        return;
      case 'hubUp':
        await this.up(params);
        return;
      case 'sdk':
        this.requestSdkFault(
          { deviceId: spec.device },
          { type: spec.type, closeReason: spec.closeReason ?? '', delayMs: spec.delayMs ?? 0, durationMs: spec.durationMs ?? 5000 },
          undefined,
          params,
        );
        return;
      case 'clear':
        this.clear(device);
        this.deps.record({ deviceId: device, protocol: undefined, topic: 'fault clear', payload: params });
        return;
    }
  }

  /** Ends the timed faults of a device (or all of them); the hub comes back if it is down. */
  clear(deviceId?: string): void {
    this.setModes(deviceId === undefined ? [] : this.modes.filter((mode) => mode.deviceId !== deviceId));
    if (deviceId === undefined && this.outage?.isDown) void this.up(JSON.stringify({ fault: 'hubUp', origin: 'clear' }));
  }

  /** Replays a scenario: seeds the random streams and applies each step at its time after now. */
  runScenario(scenario: FaultScenario): ScenarioRun {
    this.seed(scenario.seed);
    const started = this.now();
    const pending = new Set<NodeJS.Timeout>();
    let cancelled = false;
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    this.deps.record({ deviceId: undefined, protocol: undefined, topic: `scenario start${scenario.name === undefined ? '' : ` ${scenario.name}`}`, payload: JSON.stringify({ seed: scenario.seed, steps: scenario.steps.length }) });
    // Steps run one after another, each when its time has come, so two steps at the same time keep their order.
    const runFrom = (index: number): void => {
      if (cancelled) return;
      const step = scenario.steps[index];
      if (!step) {
        finish();
        return;
      }
      const wait = Math.max(0, started + step.at - this.now());
      const timer = setTimeout(() => {
        pending.delete(timer);
        this.timers.delete(timer);
        void this.apply(step.spec, 'scenario')
          .catch((error: unknown) => this.deps.logger.warn(`scenario step ${index} failed: ${String(error)}`))
          .then(() => runFrom(index + 1));
      }, wait);
      pending.add(timer);
      this.timers.add(timer);
    };
    runFrom(0);
    return {
      done,
      cancel: () => {
        cancelled = true;
        for (const timer of pending) {
          clearTimeout(timer);
          this.timers.delete(timer);
        }
        finish();
      },
    };
  }

  // Consulted by the transports ------------------------------------------------------------------------------------

  /**
   * A device-to-cloud message arrived. With SDK fault injection on and an `AzIoTHub_FaultOperationType` property,
   * the fault is scheduled and true is returned: the message is acknowledged but not routed (it is a command to the
   * hub, not telemetry). A malformed request is reported and the message is treated as ordinary telemetry.
   */
  onDeviceMessage(address: TwinAddress, application: Readonly<Record<string, string | null>>, protocol: 'mqtt' | 'amqp' | 'http'): boolean {
    if (!this.sdkProperties) return false;
    const parsed = parseSdkFault(application);
    if (parsed.kind === 'none') return false;
    if (parsed.kind === 'invalid') {
      this.deps.record({ ...identity(address), protocol, topic: 'fault request ignored', payload: parsed.reason });
      return false;
    }
    this.requestSdkFault(address, parsed.fault, protocol, JSON.stringify({ ...parsed.fault, origin: 'device message' }));
    return true;
  }

  /** Why a new connection of the device is refused now, or undefined. */
  connectionRefusal(deviceId: string): string | undefined {
    if (!this.find('refuseConnections', deviceId)) return undefined;
    this.deps.record({ deviceId, protocol: undefined, topic: 'fault refuseConnections → connection refused', payload: '' });
    return 'connections are refused by an injected fault';
  }

  /** True when this QoS 0 message of the device is to be lost (one seeded draw per QoS 0 message while a loss is on). */
  losesQos0(deviceId: string): boolean {
    const mode = this.find('lossQos0', deviceId);
    if (!mode) return false;
    const lost = this.random(deviceId).next() < (mode.fraction ?? 0);
    if (lost) this.deps.record({ deviceId, protocol: 'mqtt', topic: 'fault lossQos0 → QoS 0 message lost', payload: JSON.stringify({ fraction: mode.fraction }) });
    return lost;
  }

  /** True when a method request to the device is to be swallowed (the caller then gets 504 after its timeout). */
  swallowsMethod(address: TwinAddress, methodName: string): boolean {
    if (!this.find('methodTimeout', address.deviceId)) return false;
    this.deps.record({ ...identity(address), protocol: undefined, topic: `fault methodTimeout → method ${methodName} not delivered`, payload: '' });
    return true;
  }

  /** The error the device's operations fail with now (an SDK error fault in force), or undefined. */
  operationError(deviceId: string): IotHubError | undefined {
    const mode = this.find('error', deviceId);
    return mode?.error === undefined ? undefined : faultError(mode.error);
  }

  /** How long to hold a request of the device back (latency plus seeded jitter), 0 for none. */
  delayMs(deviceId: string | undefined): number {
    const mode = this.find('latency', deviceId);
    if (!mode) return 0;
    const jitter = mode.jitterMs ? this.random(deviceId ?? '$hub').below(mode.jitterMs + 1) : 0;
    return (mode.latencyMs ?? 0) + jitter;
  }

  /**
   * A push to a device (a desired-property notification, the C2D kick that starts a delivery, a method request): sent
   * now, or held for the latency (plus seeded jitter) in force for the device, as its requests are. Pushes to one
   * identity keep their order, also while earlier ones are still held after the latency was cleared.
   */
  pushToDevice(address: TwinAddress, send: () => void): void {
    const key = twinKey(address);
    const delay = this.modes.length === 0 ? 0 : this.delayMs(address.deviceId);
    if (delay <= 0 && !this.pushes.holds(key)) {
      send();
      return;
    }
    this.pushes.hold(key, Math.max(0, delay), send);
  }

  /**
   * The request gate's check (emulator/services/request-gate.ts `GateCheck`): a device's operations fail with the
   * error of an SDK error fault in force, and every request of a device under latency waits.
   */
  readonly gateCheck = {
    name: 'faults',
    check: (request: FaultGateRequest): void | Promise<void> => {
      if (this.modes.length === 0) return undefined;
      if (request.ctx.principal.kind === 'device' && request.deviceId !== undefined) {
        if (request.family === 'deviceConnection') {
          const refusal = this.connectionRefusal(request.deviceId);
          if (refusal !== undefined) throw connectionRefused(refusal);
        }
        const error = this.operationError(request.deviceId);
        if (error) throw error;
      }
      const delay = this.delayMs(request.deviceId);
      if (delay <= 0) return undefined;
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          resolve();
        }, delay);
        this.timers.add(timer);
      });
    },
  };

  /** Stops every timer (hub stop); modes are forgotten. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pushes.close();
    this.setModes([]);
  }

  // -----------------------------------------------------------------------------------------------------------------

  private requestSdkFault(address: TwinAddress, fault: SdkFaultRequest, protocol: 'mqtt' | 'amqp' | 'http' | undefined, params: string): void {
    this.deps.record({ ...identity(address), protocol, topic: `fault ${fault.type} requested (in ${fault.delayMs / 1000} s)`, payload: params });
    this.later(fault.delayMs, () => {
      if (isDisconnectFault(fault.type)) {
        this.hit(address.deviceId, fault.type, fault.closeReason === '' ? `injected fault ${fault.type}` : fault.closeReason.trim(), params);
        return;
      }
      this.addMode({ mode: 'error', deviceId: address.deviceId, error: fault.type }, fault.durationMs, params);
    });
  }

  private hit(deviceId: string | undefined, fault: ConnectionFault, reason: string, params: string): void {
    const hits: FaultHit[] = [];
    for (const target of this.targets) hits.push(...target.applyConnectionFault(deviceId, fault, reason));
    if (hits.length === 0) {
      this.deps.record({ deviceId, protocol: undefined, topic: `fault ${fault} → no live connection`, payload: params });
      return;
    }
    for (const hit of hits) {
      this.deps.record({ deviceId: hit.deviceId, ...(hit.moduleId === undefined ? {} : { moduleId: hit.moduleId }), protocol: hit.protocol, topic: `fault ${fault} → ${hit.effect}`, payload: params });
    }
  }

  private addMode(mode: Omit<Mode, 'id' | 'until'>, durationMs: number | undefined, params: string): void {
    const id = this.nextId++;
    const until = durationMs === undefined ? Infinity : this.now() + durationMs;
    this.setModes([...this.modes, { ...mode, id, until }]);
    const what = mode.mode === 'error' ? `${mode.error ?? 'error'}` : mode.mode;
    this.deps.record({ deviceId: mode.deviceId, protocol: undefined, topic: `fault ${what} on${durationMs === undefined ? '' : ` for ${durationMs} ms`}`, payload: params });
    if (durationMs !== undefined) {
      this.later(durationMs, () => {
        const before = this.modes.length;
        this.setModes(this.modes.filter((entry) => entry.id !== id));
        if (this.modes.length !== before) this.deps.record({ deviceId: mode.deviceId, protocol: undefined, topic: `fault ${what} off`, payload: params });
      });
    }
  }

  /** Keeps the engine's gate check registered exactly while a timed fault is in force (first: before any throttle counts). */
  private setModes(modes: Mode[]): void {
    this.modes = modes;
    if (modes.length > 0 && !this.leaveGate && this.deps.gate) this.leaveGate = this.deps.gate.add(this.gateCheck, 'first');
    if (modes.length === 0 && this.leaveGate) {
      this.leaveGate();
      this.leaveGate = undefined;
    }
  }

  private async down(durationMs: number | undefined, params: string): Promise<void> {
    if (!this.outage) throw new Error('the hub cannot go down: it is not running');
    if (!this.outage.isDown) {
      this.deps.record({ deviceId: undefined, protocol: undefined, topic: `fault hubDown${durationMs === undefined ? '' : ` for ${durationMs} ms`}`, payload: params });
      await this.outage.down();
    }
    if (durationMs !== undefined) this.later(durationMs, () => void this.up(params));
  }

  private async up(params: string): Promise<void> {
    if (!this.outage?.isDown) return;
    await this.outage.up();
    this.deps.record({ deviceId: undefined, protocol: undefined, topic: 'fault hubUp (listeners open again)', payload: params });
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        action();
      } catch (error) {
        this.deps.logger.warn(`injected fault failed: ${String(error)}`);
      }
    }, ms);
    this.timers.add(timer);
  }

  /** The newest mode of this kind for the device (a device's own fault before a hub-wide one). */
  private find(kind: Mode['mode'], deviceId: string | undefined): Mode | undefined {
    if (this.modes.length === 0) return undefined;
    // A mode past its end is removed (and reported) by its own timer; until then it no longer applies.
    const now = this.now();
    let hubWide: Mode | undefined;
    for (let index = this.modes.length - 1; index >= 0; index -= 1) {
      const mode = this.modes[index]!;
      if (mode.mode !== kind || mode.until <= now) continue;
      if (mode.deviceId !== undefined && mode.deviceId === deviceId) return mode;
      if (mode.deviceId === undefined) hubWide ??= mode;
    }
    return hubWide;
  }

  private random(name: string): SeededRandom {
    let stream = this.streams.get(name);
    if (!stream) {
      stream = new SeededRandom(deriveSeed(this.seedValue, name));
      this.streams.set(name, stream);
    }
    return stream;
  }
}

function identity(address: TwinAddress): { deviceId: string; moduleId?: string } {
  return address.moduleId === undefined ? { deviceId: address.deviceId } : { deviceId: address.deviceId, moduleId: address.moduleId };
}
