import type { Logger } from '../logger.js';
import type { HubEventInput } from '../model/hub-event.js';
import type { JsonObject, JsonValue } from '../model/json.js';
import type { MessageProperties } from '../model/message.js';
import type { RequestContext } from '../model/request-context.js';
import { BUILT_IN_ENDPOINT, DEFAULT_ROUTING, type EnrichmentDefinition, type RouteDefinition, type RouteSource, type RoutingConfig } from '../model/routing.js';
import type { TwinAddress } from '../model/twin-address.js';
import { compileCondition, type Condition } from '../query/index.js';
import { dictionary } from '../util/own-keys.js';
import type { EventHubService } from './event-hub-service.js';

/** A compiled route. */
interface CompiledRoute {
  readonly definition: RouteDefinition;
  readonly matches: Condition;
  /** Its endpoint, lower case. */
  readonly endpoint: string;
}

/** Where a routed message goes: an Event Hubs entity, a file sink or a webhook. */
export interface RouteTarget {
  /** Resolves when the endpoint has the event (durable on Event Hubs entities, written or queued on sinks). */
  deliver(event: HubEventInput): Promise<void>;
}

/** A message on its way through the routes: its source, what conditions see, and the event to deliver. */
export interface RoutedMessage {
  readonly source: RouteSource;
  /** The condition document: `$`-system properties, application properties, `$body`, `$twin`. */
  readonly document: JsonObject;
  readonly event: HubEventInput;
}

/** Content types whose body routes may read (`$body`), with a UTF encoding (iothub-protocol-2.md §6.3). */
const JSON_CONTENT = /^application\/json$/i;
const UTF_ENCODING = /^utf-(8|16|32)$/i;
/** An enriched message may not exceed IoT Hub's message size; past it, the message goes unenriched (§6.5). */
const MAX_ENRICHED_BYTES = 256 * 1024;

interface Compiled {
  readonly config: RoutingConfig;
  readonly routes: readonly CompiledRoute[];
  /** Endpoints by lower-case name (with `events`). */
  readonly targets: ReadonlyMap<string, RouteTarget>;
  /** Enrichments per lower-case endpoint name. */
  readonly enrichments: ReadonlyMap<string, readonly EnrichmentDefinition[]>;
}

/**
 * Message routing (iothub-protocol-2.md §6): device messages and hub events go to the endpoints of the enabled routes
 * of their source whose condition is true, each endpoint once; a device message no `DeviceMessages` route matched goes
 * to `events` when the fallback route is enabled (with no routes at all, every device message does). Other sources
 * reach an endpoint only through a route. Each endpoint gets the message with the enrichments that name it (§6.5).
 * Routing never fails the device's send. The configuration is replaced whole (`configure`), by the routing service.
 */
export class MessageRouter {
  private compiled: Compiled;
  private readonly hitCounts = new Map<string, number>();

  constructor(
    private readonly eventHub: EventHubService,
    private readonly twinOf: (address: TwinAddress) => JsonObject | undefined,
    private readonly hubName: string,
    private readonly logger: Logger,
  ) {
    this.compiled = compile(DEFAULT_ROUTING, new Map([[BUILT_IN_ENDPOINT, builtInTarget(eventHub)]]));
  }

  /**
   * Replaces the routing: `config` must have passed `checkRouting`, and `targets` hold every endpoint it names (lower
   * case, `events` included). Hit counters of routes that stay are kept.
   */
  configure(config: RoutingConfig, targets: ReadonlyMap<string, RouteTarget>): void {
    this.compiled = compile(config, targets);
  }

  /** The routing in force. */
  get config(): RoutingConfig {
    return this.compiled.config;
  }

  /** True when an enabled route reads this source (so its events are worth building). */
  hasRouteFor(source: RouteSource): boolean {
    return this.compiled.routes.some((route) => route.definition.isEnabled && route.definition.source === source);
  }

  /** Messages delivered per route (`$fallback` for the fallback route), since the hub started. */
  hits(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.hitCounts);
  }

  /** A device message (the telemetry sink): routed, and durable on `events` when it goes there. */
  async deviceMessage(ctx: RequestContext, address: TwinAddress, properties: MessageProperties, body: Buffer): Promise<void> {
    const compiled = this.compiled;
    // No routes: the common case skips building the condition document.
    if (compiled.routes.length === 0) {
      if (compiled.config.fallbackEnabled) await this.deliver(compiled, this.eventHub.telemetryEvent(ctx, address, properties, body), ['$fallback'], [BUILT_IN_ENDPOINT]);
      return;
    }
    const event = this.eventHub.telemetryEvent(ctx, address, properties, body);
    await this.route({ source: 'DeviceMessages', document: this.deviceDocument(address, properties, body), event });
  }

  /** Routes one message; resolves when every endpoint it went to has it. */
  async route(message: RoutedMessage): Promise<void> {
    const compiled = this.compiled;
    const matched: string[] = [];
    const endpoints = new Set<string>();
    for (const route of compiled.routes) {
      const { definition } = route;
      if (!definition.isEnabled || definition.source !== message.source) continue;
      let matches = false;
      try {
        matches = route.matches(message.document);
      } catch (error) {
        this.logger.debug(`route '${definition.name}' condition failed: ${String(error)}`);
      }
      if (!matches) continue;
      matched.push(definition.name);
      endpoints.add(route.endpoint);
    }
    if (matched.length === 0 && message.source === 'DeviceMessages' && compiled.config.fallbackEnabled) {
      matched.push('$fallback');
      endpoints.add(BUILT_IN_ENDPOINT);
    }
    if (matched.length > 0) await this.deliver(compiled, message.event, matched, [...endpoints]);
  }

  /** One delivery per endpoint (enriched for it), counted for each matching route. */
  private async deliver(compiled: Compiled, event: HubEventInput, routeNames: readonly string[], endpoints: readonly string[]): Promise<void> {
    for (const name of routeNames) this.hitCounts.set(name, (this.hitCounts.get(name) ?? 0) + 1);
    await Promise.all(
      endpoints.map(async (name) => {
        const target = compiled.targets.get(name);
        if (!target) return;
        const enrichments = compiled.enrichments.get(name);
        try {
          await target.deliver(enrichments ? this.enrich(event, enrichments) : event);
        } catch (error) {
          // Only the built-in endpoint's durability is the device's business (its acknowledgement waits for it).
          if (name === BUILT_IN_ENDPOINT) throw error;
          this.logger.warn(`endpoint '${name}' did not take a message: ${String(error)}`);
        }
      }),
    );
  }

  /** The event with the enrichments' application properties (iothub-protocol-2.md §6.5). */
  private enrich(event: HubEventInput, enrichments: readonly EnrichmentDefinition[]): HubEventInput {
    const deviceId = event.annotations['iothub-connection-device-id'];
    const moduleId = event.annotations['iothub-connection-module-id'];
    let twin: JsonObject | undefined;
    let twinLoaded = false;
    const application: Record<string, string | null> = dictionary();
    for (const [key, value] of Object.entries(event.application)) application[key] = value;
    for (const enrichment of enrichments) {
      application[enrichment.key] = enrichmentValue(enrichment.value, this.hubName, () => {
        if (!twinLoaded && deviceId !== undefined) {
          twinLoaded = true;
          twin = this.twinOf(moduleId === undefined ? { deviceId } : { deviceId, moduleId });
        }
        return twin;
      });
    }
    const size = (event.body.length * 3) / 4 + JSON.stringify(application).length;
    if (size > MAX_ENRICHED_BYTES) return event;
    return { ...event, application };
  }

  /** What a device message's route conditions see (iothub-protocol-2.md §6.3); `$body` and `$twin` load on use. */
  private deviceDocument(address: TwinAddress, properties: MessageProperties, body: Buffer): JsonObject {
    const system = properties.system;
    return conditionDocument(
      properties.application,
      { contentType: system.ct, contentEncoding: system.ce, messageId: system.mid, correlationId: system.cid, userId: system.uid, to: system.to, expiryTimeUtc: system.exp, connectionDeviceId: address.deviceId, connectionModuleId: address.moduleId },
      body,
      () => this.twinOf(address),
    );
  }
}

/**
 * What route conditions see of a message (iothub-protocol-2.md §6.3): application properties by name, system
 * properties as `$name`, `$body` (parsed on first use, only for JSON in a UTF encoding) and `$twin` (loaded on use).
 */
export function conditionDocument(
  application: Readonly<Record<string, string | null>>,
  system: Readonly<Record<string, string | undefined>>,
  body: Buffer,
  twinOf: () => JsonObject | undefined,
): JsonObject {
  const document: Record<string, JsonValue> = dictionary();
  for (const [key, value] of Object.entries(application)) document[key] = value;
  for (const [key, value] of Object.entries(system)) if (value !== undefined) document[`$${key}`] = value;
  const { contentType, contentEncoding } = system;
  const readsBody = contentType !== undefined && JSON_CONTENT.test(contentType) && contentEncoding !== undefined && UTF_ENCODING.test(contentEncoding);
  let parsedBody: JsonValue | undefined;
  let bodyParsed = false;
  Object.defineProperty(document, '$body', {
    enumerable: true,
    get: () => {
      if (!readsBody) return undefined;
      if (!bodyParsed) {
        bodyParsed = true;
        try {
          parsedBody = JSON.parse(body.toString('utf8')) as JsonValue;
        } catch {
          parsedBody = undefined;
        }
      }
      return parsedBody;
    },
  });
  let twin: JsonObject | undefined;
  Object.defineProperty(document, '$twin', { enumerable: true, get: () => (twin ??= twinOf()) });
  return document;
}

function compile(config: RoutingConfig, targets: ReadonlyMap<string, RouteTarget>): Compiled {
  const routes = config.routes.map((definition) => ({
    definition,
    matches: compileCondition(definition.condition ?? 'true'),
    endpoint: (definition.endpointNames[0] ?? BUILT_IN_ENDPOINT).toLowerCase(),
  }));
  const enrichments = new Map<string, EnrichmentDefinition[]>();
  for (const enrichment of config.enrichments) {
    for (const name of enrichment.endpointNames) {
      const list = enrichments.get(name.toLowerCase()) ?? [];
      list.push(enrichment);
      enrichments.set(name.toLowerCase(), list);
    }
  }
  return { config, routes, targets, enrichments };
}

/** The built-in endpoint as a route target. */
export function builtInTarget(eventHub: EventHubService): RouteTarget {
  return { deliver: async (event) => void (await eventHub.ingest(event)) };
}

/**
 * An enrichment's value for one message: `$iothubname`, a `$twin.` path of the sender's twin (a string as is, other
 * values as JSON), or the text itself; a twin path that does not exist stamps the text itself, as IoT Hub does.
 */
export function enrichmentValue(value: string, hubName: string, twin: () => JsonObject | undefined): string {
  if (value.toLowerCase() === '$iothubname') return hubName;
  const path = /^\$twin\.(tags|properties\.desired|properties\.reported)\.(.+)$/.exec(value);
  if (!path?.[1] || !path[2]) return value;
  let node: JsonValue | undefined = twin();
  for (const segment of [...path[1].split('.'), ...path[2].split('.')]) {
    if (node === undefined || node === null || typeof node !== 'object' || Array.isArray(node) || !Object.prototype.hasOwnProperty.call(node, segment)) return value;
    node = node[segment];
  }
  if (node === undefined) return value;
  return typeof node === 'string' ? node : JSON.stringify(node);
}
