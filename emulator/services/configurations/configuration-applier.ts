import type { HubChange } from '../../model/changes.js';
import type { ConfigurationRecord, TwinConfigurations, TwinConfigurationStatus } from '../../model/configuration.js';
import { isJsonObject, type JsonObject } from '../../model/json.js';
import type { TwinAddress } from '../../model/twin-address.js';
import { addressOfKey, twinKey } from '../../model/twin-address.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../util/clock.js';
import type { HubData } from '../hub-data.js';
import { requestContext } from '../request-contexts.js';
import type { TwinService } from '../twin-service.js';
import { alreadyApplied, contentTarget, desiredAssignments, setPath, valueAt, type DesiredAssignment } from './configuration-content.js';
import { Limiter } from '../limiter.js';
import { TargetMatcher } from './target-matcher.js';

/** What the applier needs from the hub. */
export interface ConfigurationApplierDeps {
  readonly data: HubData;
  readonly twins: TwinService;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Subscribes to durable batches (the store's onCommitted); returns the disposer. */
  readonly onCommitted: (listener: (changes: readonly HubChange[]) => void) => () => void;
  /** Re-evaluation period in ms (0: only on changes). */
  readonly intervalMs: number;
  /**
   * The committed service-shape twin, from the query views (kept current by every committed batch) so a pass does
   * not rebuild twins; undefined when the twin is gone.
   */
  readonly view: (address: TwinAddress) => JsonObject | undefined;
}

/**
 * Applies configurations to twins as IoT Hub does (iothub-protocol-2.md §8.3), in passes that run one after the
 * other (a pass evaluates each of its twins once, up to 32 at a time, so no twin is evaluated twice at once):
 * - every configuration whose target condition matches the twin targets it (`Targeted`);
 * - among the configurations targeting a twin, each desired path goes to the highest priority (tie: the most
 *   recently created); a configuration that holds at least one path is `Applied`, and its paths are written into
 *   desired through the one twin write path, with the configuration as the writer;
 * - paths of a configuration that was applied and no longer is (the twin stopped matching, the configuration was
 *   deleted, or a higher one took the path) are removed from desired unless another configuration now sets them.
 * Twins are evaluated when a configuration is written or deleted (all twins), when a twin's tags or reported
 * properties change or a device or module is created (that twin), and every `intervalMs` (all twins).
 */
export class ConfigurationApplier {
  private readonly dirty = new Set<string>();
  private all = false;
  private running: Promise<void> | undefined;
  private readonly departed = new Map<string, ConfigurationRecord>();
  private readonly matcher = new TargetMatcher();
  /** Twins evaluated at once within a pass. */
  private readonly limiter = new Limiter(32);
  private readonly disposeObserver: () => void;
  private readonly timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly deps: ConfigurationApplierDeps) {
    this.disposeObserver = deps.onCommitted((changes) => this.observe(changes));
    if (deps.intervalMs > 0) {
      this.timer = setInterval(() => this.markAll(), deps.intervalMs);
      this.timer.unref();
    }
  }

  /** Re-evaluates every twin (after a configuration was written, and at start). */
  markAll(): void {
    this.all = true;
    this.kick();
  }

  /** A deleted configuration: its settings leave the twins it was applied to on the next full pass. */
  forget(record: ConfigurationRecord): void {
    this.departed.set(record.id, record);
    this.markAll();
  }

  /** Resolves when no evaluation is pending (tests, the studio). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  close(): void {
    this.closed = true;
    this.disposeObserver();
    if (this.timer) clearInterval(this.timer);
  }

  private observe(changes: readonly HubChange[]): void {
    // Without configurations a twin change cannot change what is applied (a deletion's clean-up is a full pass).
    if (Object.keys(this.deps.data.committed.configurations).length === 0) return;
    for (const change of changes) {
      if (change.kind === 'twinWritten' && (change.tags !== undefined || change.reported !== undefined)) this.dirty.add(twinKey(change.target));
      else if (change.kind === 'devicePut') this.dirty.add(change.record.deviceId);
      else if (change.kind === 'modulePut') this.dirty.add(twinKey(change.record));
    }
    if (this.dirty.size > 0) this.kick();
  }

  private kick(): void {
    if (this.running || this.closed) return;
    this.running = this.drain()
      .catch((error: unknown) => this.deps.logger.warn(`configuration pass failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.running = undefined;
        if (this.all || this.dirty.size > 0) this.kick();
      });
  }

  private async drain(): Promise<void> {
    while (!this.closed && (this.all || this.dirty.size > 0)) {
      let addresses: TwinAddress[];
      let departed: ConfigurationRecord[] = [];
      if (this.all) {
        this.all = false;
        this.dirty.clear();
        departed = [...this.departed.values()];
        this.departed.clear();
        addresses = this.allAddresses();
      } else {
        addresses = [...this.dirty].map(addressOfKey);
        this.dirty.clear();
      }
      const pass = this.passOf();
      // Distinct twins, so evaluations never race on a twin; several at once share the store's group commits.
      await Promise.all(addresses.map((address) => this.limiter.run(async () => {
        if (this.closed) return;
        await this.evaluate(address, pass, departed).catch((error: unknown) => {
          this.deps.logger.warn(`configurations on ${twinKey(address)}: ${error instanceof Error ? error.message : String(error)}`);
        });
      })));
    }
  }

  /** Every twin; without configurations only the twins that still carry a `configurations` map. */
  private allAddresses(): TwinAddress[] {
    const committed = this.deps.data.committed;
    const any = Object.keys(committed.configurations).length > 0;
    const addresses: TwinAddress[] = [];
    for (const [deviceId, record] of Object.entries(committed.devices)) if (any || record.twin.configurations) addresses.push({ deviceId });
    for (const [deviceId, modules] of Object.entries(committed.modules)) {
      for (const [moduleId, record] of Object.entries(modules)) if (any || record.twin.configurations) addresses.push({ deviceId, moduleId });
    }
    return addresses;
  }

  /** The configurations of a pass, by the kind of twin they write, highest priority first, with their paths. */
  private passOf(): Pass {
    const pass: Pass = { devices: [], modules: [] };
    const records = Object.values(this.deps.data.committed.configurations)
      .sort((a, b) => b.priority - a.priority || b.createdTimeUtc.localeCompare(a.createdTimeUtc) || a.id.localeCompare(b.id));
    for (const record of records) {
      const kind = contentTarget(record);
      if (kind !== 'edge') pass[kind].push({ record, assignments: desiredAssignments(record) });
    }
    return pass;
  }

  /** Brings one twin in line with the configurations (a no-op when it already is). */
  private async evaluate(address: TwinAddress, pass: Pass, departed: readonly ConfigurationRecord[]): Promise<void> {
    const view = this.view(address);
    if (!view) return;
    const kind = address.moduleId === undefined ? 'devices' : 'modules';
    const targetingEntries = pass[kind].filter((entry) => this.matcher.matches(entry.record, kind, view));
    const targeting = targetingEntries.map((entry) => entry.record);
    const winners = new Map<string, ConfigurationRecord>();
    const won = new Map<string, JsonObject>();
    for (const { record, assignments } of targetingEntries) {
      for (const assignment of assignments) {
        if (winners.has(assignment.key)) continue;
        winners.set(assignment.key, record);
        const patch = won.get(record.id) ?? {};
        setPath(patch, assignment.path, assignment.value);
        won.set(record.id, patch);
      }
    }
    const statuses: Record<string, { status: TwinConfigurationStatus }> = {};
    for (const record of targeting) statuses[record.id] = { status: won.has(record.id) ? 'Applied' : 'Targeted' };
    const desired = desiredOf(view);
    for (const record of targeting) {
      const patch = won.get(record.id);
      if (patch && !alreadyApplied(desired, patch)) await this.write(address, record.id, patch);
    }
    await this.removeLeftovers(address, view, winners, departed);
    const before = isJsonObject(view.configurations) ? view.configurations : {};
    if (JSON.stringify(sortedKeys(before)) !== JSON.stringify(sortedKeys(statuses))) {
      await this.deps.twins.setConfigurations(address, statuses as TwinConfigurations);
    }
  }

  /** Removes the paths of configurations that were applied here and no longer hold them. */
  private async removeLeftovers(address: TwinAddress, view: JsonObject, winners: ReadonlyMap<string, ConfigurationRecord>, departed: readonly ConfigurationRecord[]): Promise<void> {
    const before = isJsonObject(view.configurations) ? view.configurations : {};
    const desired = desiredOf(view);
    const known = new Map<string, ConfigurationRecord>([...departed.map((record) => [record.id, record] as const), ...Object.entries(this.deps.data.committed.configurations)]);
    for (const [id, entry] of Object.entries(before)) {
      if (!isJsonObject(entry) || entry.status !== 'Applied') continue;
      const record = known.get(id);
      if (!record) continue;
      const removal: JsonObject = {};
      for (const assignment of desiredAssignments(record)) {
        if (winners.has(assignment.key) || valueAt(desired, assignment.path) === undefined) continue;
        setPath(removal, assignment.path, null);
      }
      if (Object.keys(removal).length > 0) await this.write(address, id, removal);
    }
  }

  private async write(address: TwinAddress, configurationId: string, desired: JsonObject): Promise<void> {
    const ctx = requestContext(this.deps.clock, { principal: { kind: 'configuration', configurationId }, operation: 'configurations.apply', protocol: 'internal' });
    await this.deps.twins.writeTwin(ctx, address, { tags: undefined, desired }, 'merge');
  }

  private view(address: TwinAddress): JsonObject | undefined {
    return this.deps.view(address);
  }
}

/** The configurations one pass applies, per kind of twin, highest priority first. */
interface Pass {
  readonly devices: { readonly record: ConfigurationRecord; readonly assignments: readonly DesiredAssignment[] }[];
  readonly modules: { readonly record: ConfigurationRecord; readonly assignments: readonly DesiredAssignment[] }[];
}

function desiredOf(view: JsonObject): JsonObject {
  const properties = view.properties;
  const desired = isJsonObject(properties) ? properties.desired : undefined;
  return isJsonObject(desired) ? desired : {};
}

function sortedKeys(map: Record<string, unknown>): [string, unknown][] {
  return Object.entries(map)
    .map(([key, value]) => [key, isJsonObject(value) ? value.status : value] as [string, unknown])
    .sort(([a], [b]) => a.localeCompare(b));
}
