import { configurationAlreadyExists, configurationNotFound, argumentInvalid, preconditionFailed } from '../../errors/catalogue.js';
import type { ConfigurationContent, ConfigurationRecord } from '../../model/configuration.js';
import type { JsonObject } from '../../model/json.js';
import type { RequestContext } from '../../model/request-context.js';
import type { QueryPage } from '../../query/index.js';
import { compileQuery, QueryError } from '../../query/index.js';
import { getOwn } from '../../util/own-keys.js';
import type { HubData } from '../hub-data.js';
import type { TwinService } from '../twin-service.js';
import type { ConfigurationApplier } from './configuration-applier.js';
import { contentTarget, desiredAssignments, setPath } from './configuration-content.js';
import { targetQuery } from './target-matcher.js';

/** A validated configuration body of `PUT /configurations/{id}` (the transport built it). */
export type ConfigurationInput = Pick<ConfigurationRecord, 'id' | 'schemaVersion' | 'labels' | 'content' | 'targetCondition' | 'priority' | 'metricQueries'>;

/** Configurations a hub holds at most (iothub-protocol-2.md §8.2: 100 on paid tiers). */
export const MAX_CONFIGURATIONS = 100;

type Query = (text: string, options: { pageSize?: number; continuation?: string }) => QueryPage;

/**
 * Automatic device management (iothub-protocol-2.md §8): configurations with etags, their system and custom
 * metrics (computed from the committed twins when read), `testQueries`, and `applyConfigurationContent`. Applying
 * configurations to twins is the applier's work (`configuration-applier.ts`); this service tells it what changed.
 */
export class ConfigurationService {
  /**
   * Writes of this node not committed yet (a record, or null for a delete), read before the committed state so a
   * request sees the writes before it. Everything else is read from the committed state, which in a cluster also
   * holds what other nodes wrote (a map of this node's own writes would not).
   */
  private readonly inFlight = new Map<string, ConfigurationRecord | null>();

  constructor(
    private readonly data: HubData,
    private readonly twins: TwinService,
    private readonly applier: ConfigurationApplier,
    private readonly query: Query,
  ) {}

  private latestOf(id: string): ConfigurationRecord | undefined {
    const pending = this.inFlight.get(id);
    if (pending !== undefined) return pending ?? undefined;
    return getOwn(this.data.committed.configurations, id);
  }

  private latestCount(): number {
    const ids = new Set([...Object.keys(this.data.committed.configurations), ...this.inFlight.keys()]);
    return [...ids].filter((id) => this.latestOf(id) !== undefined).length;
  }

  /** Runs one write with its record in flight, and forgets it once the write committed or failed. */
  private async writing(id: string, value: ConfigurationRecord | null, write: () => Promise<void>): Promise<void> {
    this.inFlight.set(id, value);
    try {
      await write();
    } finally {
      if (this.inFlight.get(id) === value) this.inFlight.delete(id);
    }
  }

  /** `PUT /configurations/{id}`: create without `If-Match`; update with a matching `If-Match` (or `*`). */
  async put(ctx: RequestContext, input: ConfigurationInput, ifMatch: string | undefined): Promise<JsonObject> {
    // Planned again when another node of a cluster wrote the configuration first (HubData.retrying).
    const record = await this.data.retrying(async () => {
      const existing = this.latestOf(input.id);
      let planned: ConfigurationRecord;
      if (!existing) {
        if (ifMatch !== undefined && unquote(ifMatch) !== '*') throw configurationNotFound(input.id);
        if (this.latestCount() >= MAX_CONFIGURATIONS) throw argumentInvalid(`The hub already has the maximum of ${MAX_CONFIGURATIONS} configurations.`);
        planned = { ...input, createdTimeUtc: ctx.time, lastUpdatedTimeUtc: ctx.time, version: 1 };
      } else {
        if (ifMatch === undefined) throw configurationAlreadyExists(input.id);
        const wanted = unquote(ifMatch);
        if (wanted !== '*' && wanted !== etagOf(existing)) throw preconditionFailed();
        if (JSON.stringify(existing.content) !== JSON.stringify(input.content)) {
          throw argumentInvalid(`The content of configuration '${input.id}' cannot be changed; create a new configuration instead.`);
        }
        planned = { ...input, createdTimeUtc: existing.createdTimeUtc, lastUpdatedTimeUtc: ctx.time, version: existing.version + 1 };
      }
      await this.writing(planned.id, planned, () => this.data.write([{ kind: 'configurationPut', record: planned }], []));
      return planned;
    });
    this.applier.markAll();
    return this.view(record);
  }

  /** `GET /configurations/{id}` with its metrics. */
  get(id: string): JsonObject {
    return this.view(this.committed(id));
  }

  /** `GET /configurations[?top=n]`: up to `top` configurations (all by default), oldest first. */
  list(top?: number): JsonObject[] {
    const records = Object.values(this.data.committed.configurations).sort((a, b) => a.createdTimeUtc.localeCompare(b.createdTimeUtc) || a.id.localeCompare(b.id));
    return records.slice(0, top ?? records.length).map((record) => this.view(record));
  }

  /** `DELETE /configurations/{id}` (`If-Match` optional); its settings leave the twins it was applied to. */
  async remove(id: string, ifMatch: string | undefined): Promise<void> {
    const existing = await this.data.retrying(async () => {
      const current = this.latestOf(id);
      if (!current) throw configurationNotFound(id);
      if (ifMatch !== undefined && unquote(ifMatch) !== '*' && unquote(ifMatch) !== etagOf(current)) throw preconditionFailed();
      await this.writing(id, null, () => this.data.write([{ kind: 'configurationDeleted', id }], []));
      return current;
    });
    this.applier.forget(existing);
  }

  /** `POST /configurations/testQueries`: each query compiled; an empty string means it is fine. */
  testQueries(targetCondition: string, customMetricQueries: Readonly<Record<string, string>>): JsonObject {
    const target = targetQuery(targetCondition, 'devices');
    const metrics: JsonObject = {};
    for (const [name, text] of Object.entries(customMetricQueries)) metrics[name] = queryError(text);
    return { targetConditionError: target === undefined ? '' : queryError(target), customMetricQueryErrors: metrics };
  }

  /**
   * `POST /devices/{id}/applyConfigurationContent`: writes a content's desired properties now, once: device content
   * into the device twin, `modulesContent` into the device's module twins (each must exist).
   */
  async applyContent(ctx: RequestContext, deviceId: string, content: ConfigurationContent): Promise<void> {
    if (content.deviceContent !== undefined) {
      await this.twins.writeTwin(ctx, { deviceId }, { tags: undefined, desired: patchOf({ deviceContent: content.deviceContent }) }, 'merge');
    }
    for (const [moduleId, moduleContent] of Object.entries(content.modulesContent ?? {})) {
      const desired = typeof moduleContent === 'object' && moduleContent !== null && !Array.isArray(moduleContent) ? patchOf({ deviceContent: moduleContent }) : {};
      if (Object.keys(desired).length > 0) await this.twins.writeTwin(ctx, { deviceId, moduleId }, { tags: undefined, desired }, 'merge');
    }
  }

  private view(record: ConfigurationRecord): JsonObject {
    const kind = contentTarget(record) === 'modules' ? 'modules' : 'devices';
    const from = kind === 'devices' ? 'devices' : 'devices.modules';
    const systemQueries = {
      targetedCount: targetQuery(record.targetCondition, kind, 'deviceId') ?? '',
      appliedCount: `select deviceId from ${from} where configurations.[[${record.id}]].status = 'Applied'`,
    };
    const systemResults: JsonObject = {
      targetedCount: systemQueries.targetedCount === '' ? 0 : this.count(systemQueries.targetedCount),
      appliedCount: this.count(systemQueries.appliedCount),
    };
    const metricResults: JsonObject = {};
    for (const [name, text] of Object.entries(record.metricQueries)) metricResults[name] = this.count(text);
    return {
      id: record.id,
      schemaVersion: record.schemaVersion,
      labels: { ...record.labels },
      content: structuredClone(record.content) as JsonObject,
      targetCondition: record.targetCondition,
      createdTimeUtc: record.createdTimeUtc,
      lastUpdatedTimeUtc: record.lastUpdatedTimeUtc,
      priority: record.priority,
      systemMetrics: { results: systemResults, queries: systemQueries },
      metrics: { results: metricResults, queries: { ...record.metricQueries } },
      etag: etagOf(record),
    };
  }

  /** Rows a query returns (every page); a query that cannot run counts 0. */
  private count(text: string): number {
    let total = 0;
    let continuation: string | undefined;
    try {
      do {
        const page = this.query(text, { pageSize: 1000, ...(continuation === undefined ? {} : { continuation }) });
        total += page.items.length;
        continuation = page.continuation;
      } while (continuation !== undefined);
    } catch (error) {
      if (error instanceof QueryError) return 0;
      throw error;
    }
    return total;
  }

  private committed(id: string): ConfigurationRecord {
    const record = getOwn(this.data.committed.configurations, id);
    if (!record) throw configurationNotFound(id);
    return record;
  }
}

/** A configuration's etag: base64 of its decimal version (`MQ==` for 1, as the hub shows). */
export function etagOf(record: Pick<ConfigurationRecord, 'version'>): string {
  return Buffer.from(String(record.version)).toString('base64');
}

function unquote(value: string): string {
  const trimmed = value.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

function queryError(text: string): string {
  try {
    compileQuery(text);
    return '';
  } catch (error) {
    if (error instanceof QueryError) return error.message;
    throw error;
  }
}

function patchOf(content: ConfigurationContent): JsonObject {
  const patch: JsonObject = {};
  for (const assignment of desiredAssignments({ content })) setPath(patch, assignment.path, assignment.value);
  return patch;
}
