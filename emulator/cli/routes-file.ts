import { ROUTE_SOURCES, routingFromArm, type RouteDefinition, type RoutingConfig } from '../index.js';

/**
 * A routing file for `--routes <file>`: the `properties.routing` object of an IoT Hub's ARM template (or the whole
 * `properties`), as `az iot hub show` prints it: `routes`, `fallbackRoute`, `endpoints` (`eventHubs` served by this
 * hub, `storageContainers` written as local files, and the emulator's `webhooks`) and `enrichments`. Checked as the
 * hub checks a Resource Manager update (the same function), with the file named in the error.
 */
export function parseRoutingFile(text: string, path: string): RoutingConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`--routes ${path}: not JSON (${(error as Error).message})`);
  }
  const root = objectAt(parsed, path);
  const properties = root.properties;
  const routing = root.routing ?? (typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>).routing : undefined) ?? root;
  try {
    return routingFromArm(routing);
  } catch (error) {
    throw new Error(`--routes ${path}: ${(error as Error).message}`);
  }
}

/** `--route <Source>` or `--route <Source>:<condition>`: a route of that source to the built-in endpoint. */
export function quickRoute(raw: string, index: number): RouteDefinition {
  const colon = raw.indexOf(':');
  const sourceText = colon < 0 ? raw : raw.slice(0, colon);
  const source = ROUTE_SOURCES.find((candidate) => candidate.toLowerCase() === sourceText.trim().toLowerCase());
  if (!source) throw new Error(`--route: unknown source '${sourceText}' (known: ${ROUTE_SOURCES.join(', ')})`);
  return { name: `route-${index + 1}-${source}`, source, condition: colon < 0 ? 'true' : raw.slice(colon + 1), endpointNames: ['events'], isEnabled: true };
}

function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`--routes ${path}: the file must be a JSON object`);
  return value as Record<string, unknown>;
}
