import { createHash } from 'node:crypto';

import { preconditionFailed } from '../errors/catalogue.js';
import type { Logger } from '../logger.js';
import {
  BUILT_IN_ENDPOINT,
  DEFAULT_ROUTING,
  ROUTING_KEY,
  type EventHubEndpointDefinition,
  type RoutingConfig,
  type StorageContainerEndpointDefinition,
  type WebhookEndpointDefinition,
} from '../model/routing.js';
import { getOwn } from '../util/own-keys.js';
import { endpointRecord, type RecordSink } from './endpoint-record.js';
import type { EventHubService } from './event-hub-service.js';
import type { HubData } from './hub-data.js';
import { builtInTarget, type MessageRouter, type RouteTarget } from './message-router.js';
import { checkRouting, entityPathOf, partitionCountOf } from './routing-config.js';

/** An extra Event Hubs entity the hub serves, and how to close its log. */
export interface OpenedEventHub {
  readonly service: EventHubService;
  close(): Promise<void>;
}

/** How the composition root opens endpoints (their files and sockets live outside the services layer). */
export interface EndpointOpeners {
  /** An Event Hubs entity with its own durable partition log (the partition count is fixed when first created). */
  eventHub(entityPath: string, partitions: number): Promise<OpenedEventHub>;
  /** A local JSON-lines file sink. */
  fileSink(definition: StorageContainerEndpointDefinition): Promise<RecordSink>;
  /** An HTTP(S) webhook sink. */
  webhook(definition: WebhookEndpointDefinition): RecordSink;
}

/** An open endpoint. */
interface OpenEndpoint {
  /** What it was opened from; an unchanged definition keeps the open endpoint. */
  readonly key: string;
  readonly target: RouteTarget;
  readonly eventHub?: EventHubService;
  stats(): Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/** One endpoint as the studio lists it. */
export interface EndpointSummary {
  readonly name: string;
  readonly kind: 'eventHub' | 'storageContainer' | 'webhook';
  /** Entity path, folder name or URL. */
  readonly address: string;
  /** Counters since the hub started: events kept (Event Hubs); written / failed (files); delivered / failed / dropped / queued (webhooks). */
  readonly stats: Readonly<Record<string, number>>;
}

/**
 * The hub's message routing as durable configuration (iothub-protocol-2.md §6): routes, endpoints and enrichments set
 * through Resource Manager, the CLI or the studio are one `routingSet` change record each, checked first
 * (`checkRouting`). Setting opens the new endpoints (extra Event Hubs entities, file sinks, webhooks) before the change
 * is written and closes the ones that went after the router switched, so a refused or failed change leaves the old
 * routing working. Writes run one at a time.
 */
export class RoutingService {
  private readonly open = new Map<string, OpenEndpoint>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly data: HubData,
    private readonly router: MessageRouter,
    private readonly builtIn: EventHubService,
    private readonly openers: EndpointOpeners,
    private readonly logger: Logger,
  ) {}

  /**
   * Activates the stored routing, or `initial` (the configuration's, e.g. the CLI's `--routes`) when given: then it
   * replaces the stored one when they differ.
   */
  async start(initial: RoutingConfig | undefined): Promise<void> {
    const stored = this.stored();
    if (initial !== undefined && JSON.stringify(initial) !== JSON.stringify(stored ?? DEFAULT_ROUTING)) {
      await this.set(initial);
      return;
    }
    const config = stored ?? DEFAULT_ROUTING;
    checkRouting(config);
    await this.activate(config, async () => undefined);
  }

  /** The routing in force. */
  get config(): RoutingConfig {
    return this.router.config;
  }

  /**
   * Checks, opens, writes and activates a new routing; resolves with it once durable and in force. With `ifMatch`
   * (an `etag` of this service, or `*`), a routing changed meanwhile is refused with 412 PreconditionFailed.
   */
  set(config: RoutingConfig, ifMatch?: string): Promise<RoutingConfig> {
    return this.serial(async () => {
      if (ifMatch !== undefined && ifMatch !== '*' && unquote(ifMatch) !== this.etag()) {
        throw preconditionFailed(`The hub's routing changed: its etag is ${this.etag()}, not ${unquote(ifMatch)}.`);
      }
      checkRouting(config);
      await this.activate(config, () => this.data.write([{ kind: 'routingSet', routing: config }], []));
      return config;
    });
  }

  /** A tag of the routing in force: it changes whenever the routing does (Resource Manager's `etag`). */
  etag(): string {
    return createHash('sha256').update(JSON.stringify(this.config)).digest('base64').slice(0, 16);
  }

  /** An extra Event Hubs entity by entity path (case-insensitive), for the AMQP endpoint. */
  eventHubEntity(entityPath: string): EventHubService | undefined {
    for (const endpoint of this.open.values()) {
      if (endpoint.eventHub && endpoint.eventHub.info.name.toLowerCase() === entityPath.toLowerCase()) return endpoint.eventHub;
    }
    return undefined;
  }

  /** The extra Event Hubs entities served now. */
  eventHubEntities(): EventHubService[] {
    return [...this.open.values()].flatMap((endpoint) => (endpoint.eventHub ? [endpoint.eventHub] : []));
  }

  /** The configured endpoints besides `events`. */
  endpoints(): EndpointSummary[] {
    const { endpoints } = this.config;
    const stats = (name: string) => this.open.get(name.toLowerCase())?.stats() ?? {};
    return [
      ...endpoints.eventHubs.map((entry) => ({ name: entry.name, kind: 'eventHub' as const, address: entityPathOf(entry), stats: stats(entry.name) })),
      ...endpoints.storageContainers.map((entry) => ({ name: entry.name, kind: 'storageContainer' as const, address: entry.containerName, stats: stats(entry.name) })),
      ...endpoints.webhooks.map((entry) => ({ name: entry.name, kind: 'webhook' as const, address: entry.url, stats: stats(entry.name) })),
    ];
  }

  /** Closes every endpoint (the hub is stopping). */
  async close(): Promise<void> {
    await this.tail.catch(() => undefined);
    const endpoints = [...this.open.values()];
    this.open.clear();
    await Promise.all(endpoints.map((endpoint) => endpoint.close().catch(() => undefined)));
  }

  private stored(): RoutingConfig | undefined {
    return getOwn(this.data.committed.routing, ROUTING_KEY);
  }

  /** Opens what `config` adds, runs `commit`, switches the router, then closes what `config` dropped. */
  private async activate(config: RoutingConfig, commit: () => Promise<void>): Promise<void> {
    const wanted = new Map<string, { key: string; open: () => Promise<OpenEndpoint> }>();
    for (const hub of config.endpoints.eventHubs) wanted.set(hub.name.toLowerCase(), this.eventHubEndpoint(hub));
    for (const sink of config.endpoints.storageContainers) {
      wanted.set(sink.name.toLowerCase(), { key: `file:${JSON.stringify(sink)}`, open: async () => sinkEndpoint(`file:${JSON.stringify(sink)}`, await this.openers.fileSink(sink)) });
    }
    for (const hook of config.endpoints.webhooks) {
      wanted.set(hook.name.toLowerCase(), { key: `webhook:${JSON.stringify(hook)}`, open: () => Promise.resolve(sinkEndpoint(`webhook:${JSON.stringify(hook)}`, this.openers.webhook(hook))) });
    }
    const reused = new Set<OpenEndpoint>();
    const opened: OpenEndpoint[] = [];
    const next = new Map<string, OpenEndpoint>();
    try {
      for (const [name, plan] of wanted) {
        const existing = [...this.open.values()].find((endpoint) => endpoint.key === plan.key && !reused.has(endpoint));
        if (existing) {
          reused.add(existing);
          next.set(name, existing);
          continue;
        }
        const endpoint = await plan.open();
        opened.push(endpoint);
        next.set(name, endpoint);
      }
      await commit();
    } catch (error) {
      await Promise.all(opened.map((endpoint) => endpoint.close().catch(() => undefined)));
      throw error;
    }
    const targets = new Map<string, RouteTarget>([[BUILT_IN_ENDPOINT, builtInTarget(this.builtIn)]]);
    for (const [name, endpoint] of next) targets.set(name, endpoint.target);
    this.router.configure(config, targets);
    const dropped = [...this.open.values()].filter((endpoint) => !reused.has(endpoint));
    this.open.clear();
    for (const [name, endpoint] of next) this.open.set(name, endpoint);
    for (const endpoint of dropped) await endpoint.close().catch((error: unknown) => this.logger.warn(`closing an endpoint failed: ${String(error)}`));
  }

  private eventHubEndpoint(definition: EventHubEndpointDefinition): { key: string; open: () => Promise<OpenEndpoint> } {
    const entity = entityPathOf(definition);
    const key = `eventHub:${entity.toLowerCase()}`;
    return {
      key,
      open: async () => {
        const opened = await this.openers.eventHub(entity, partitionCountOf(definition));
        const service = opened.service;
        let closed = false;
        const target: RouteTarget = {
          deliver: async (event) => {
            // A message routed just before the endpoint went is not appended to a closed log.
            if (closed) throw new Error(`the endpoint '${definition.name}' was removed`);
            const deviceId = event.annotations['iothub-connection-device-id'] ?? '';
            await service.ingest({ ...event, partition: service.partitionOf(deviceId) });
          },
        };
        return {
          key,
          target,
          eventHub: service,
          stats: () => ({ events: service.info.partitionIds.reduce((sum, id) => sum + service.events(Number(id)).length, 0) }),
          close: () => {
            closed = true;
            return opened.close();
          },
        };
      },
    };
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

function unquote(tag: string): string {
  return tag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

function sinkEndpoint(key: string, sink: RecordSink): OpenEndpoint {
  return { key, target: { deliver: (event) => sink.write(endpointRecord(event)) }, stats: () => sink.stats(), close: () => sink.close() };
}
