import type { Logger } from '../logger.js';
import type { HubEventInput } from '../model/hub-event.js';
import type { JsonObject, JsonValue } from '../model/json.js';
import type { MessageProperties } from '../model/message.js';
import type { RequestContext } from '../model/request-context.js';
import { BUILT_IN_ENDPOINT, type RouteDefinition, type RouteSource, type RoutingConfig } from '../model/routing.js';
import type { TwinAddress } from '../model/twin-address.js';
import { compileCondition, type Condition } from '../query/index.js';
import { dictionary } from '../util/own-keys.js';
import type { EventHubService } from './event-hub-service.js';

/** A compiled route. */
interface CompiledRoute {
  readonly definition: RouteDefinition;
  readonly matches: Condition;
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

/**
 * Message routing (iothub-protocol-2.md §6): device messages and hub events go to the endpoints of the enabled routes
 * of their source whose condition is true, each endpoint once; a device message no `DeviceMessages` route matched goes
 * to `events` when the fallback route is enabled (with no routes at all, every device message does). Other sources
 * reach an endpoint only through a route. Routing never fails the device's send. The only endpoint served is the
 * built-in `events`; a route naming another is refused when the hub starts.
 */
export class MessageRouter {
  private readonly routes: readonly CompiledRoute[];
  private readonly hitCounts = new Map<string, number>();

  constructor(
    private readonly config: RoutingConfig,
    private readonly eventHub: EventHubService,
    private readonly twinOf: (address: TwinAddress) => JsonObject | undefined,
    private readonly logger: Logger,
  ) {
    this.routes = config.routes.map((definition) => compileRoute(definition));
  }

  /** True when an enabled route reads this source (so its events are worth building). */
  hasRouteFor(source: RouteSource): boolean {
    return this.routes.some((route) => route.definition.isEnabled && route.definition.source === source);
  }

  /** Messages delivered per route (`$fallback` for the fallback route), since the hub started. */
  hits(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.hitCounts);
  }

  /** A device message (the telemetry sink): routed, and durable on `events` when it goes there. */
  async deviceMessage(ctx: RequestContext, address: TwinAddress, properties: MessageProperties, body: Buffer): Promise<void> {
    // No routes: the common case skips building the condition document.
    if (this.routes.length === 0) {
      if (this.config.fallbackEnabled) await this.deliver(this.eventHub.telemetryEvent(ctx, address, properties, body), ['$fallback']);
      return;
    }
    const event = this.eventHub.telemetryEvent(ctx, address, properties, body);
    await this.route({ source: 'DeviceMessages', document: this.deviceDocument(address, properties, body), event });
  }

  /** Routes one message; resolves when every endpoint it went to has it durably. */
  async route(message: RoutedMessage): Promise<void> {
    const matched: string[] = [];
    for (const route of this.routes) {
      const { definition } = route;
      if (!definition.isEnabled || definition.source !== message.source) continue;
      let matches = false;
      try {
        matches = route.matches(message.document);
      } catch (error) {
        this.logger.debug(`route '${definition.name}' condition failed: ${String(error)}`);
      }
      if (matches) matched.push(definition.name);
    }
    if (matched.length === 0 && message.source === 'DeviceMessages' && this.config.fallbackEnabled) matched.push('$fallback');
    if (matched.length > 0) await this.deliver(message.event, matched);
  }

  /** Every endpoint is `events` (compileRoute checks it): one delivery, counted for each matching route. */
  private async deliver(event: HubEventInput, routeNames: readonly string[]): Promise<void> {
    for (const name of routeNames) this.hitCounts.set(name, (this.hitCounts.get(name) ?? 0) + 1);
    await this.eventHub.ingest(event);
  }

  /** What a device message's route conditions see (iothub-protocol-2.md §6.3); `$body` and `$twin` load on use. */
  private deviceDocument(address: TwinAddress, properties: MessageProperties, body: Buffer): JsonObject {
    const document: Record<string, JsonValue> = dictionary();
    for (const [key, value] of Object.entries(properties.application)) document[key] = value;
    const system = properties.system;
    const set = (name: string, value: string | undefined) => {
      if (value !== undefined) document[name] = value;
    };
    set('$contentType', system.ct);
    set('$contentEncoding', system.ce);
    set('$messageId', system.mid);
    set('$correlationId', system.cid);
    set('$userId', system.uid);
    set('$to', system.to);
    set('$expiryTimeUtc', system.exp);
    set('$connectionDeviceId', address.deviceId);
    set('$connectionModuleId', address.moduleId);
    const readsBody = system.ct !== undefined && JSON_CONTENT.test(system.ct) && system.ce !== undefined && UTF_ENCODING.test(system.ce);
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
    Object.defineProperty(document, '$twin', { enumerable: true, get: () => (twin ??= this.twinOf(address)) });
    return document;
  }
}

function compileRoute(definition: RouteDefinition): CompiledRoute {
  const endpoint = definition.endpointNames[0];
  if (definition.endpointNames.length !== 1 || endpoint === undefined) throw new RangeError(`route '${definition.name}': endpointNames must name exactly one endpoint`);
  if (endpoint.toLowerCase() !== BUILT_IN_ENDPOINT) throw new RangeError(`route '${definition.name}': endpoint '${endpoint}' does not exist (this hub serves only the built-in endpoint '${BUILT_IN_ENDPOINT}')`);
  try {
    return { definition, matches: compileCondition(definition.condition ?? 'true') };
  } catch (error) {
    throw new RangeError(`route '${definition.name}': condition ${JSON.stringify(definition.condition)}: ${(error as Error).message}`);
  }
}
