import { ROUTE_SOURCES, type RouteDefinition, type RouteSource, type RoutingConfig } from '../index.js';

/**
 * A routing file for `--routes <file>`: the `properties.routing` object of an IoT Hub's ARM template (or the whole
 * `properties`), as `az iot hub show` prints it. Only `routes` and `fallbackRoute.isEnabled` are read; endpoints other
 * than the built-in `events` are refused by the hub when it starts.
 */
export function parseRoutingFile(text: string, path: string): RoutingConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`--routes ${path}: not JSON (${(error as Error).message})`);
  }
  const root = objectAt(parsed, path, '');
  const routing = objectAt(root.routing ?? (root.properties as Record<string, unknown> | undefined)?.routing ?? root, path, 'routing');
  const routes = routing.routes ?? [];
  if (!Array.isArray(routes)) throw new Error(`--routes ${path}: routing.routes must be an array`);
  const fallback = routing.fallbackRoute === undefined ? undefined : objectAt(routing.fallbackRoute, path, 'routing.fallbackRoute');
  return {
    routes: routes.map((route: unknown, index) => routeAt(route, `${path}: routing.routes[${index}]`)),
    fallbackEnabled: fallback?.isEnabled === undefined ? true : fallback.isEnabled === true,
  };
}

/** `--route <Source>` or `--route <Source>:<condition>`: a route of that source to the built-in endpoint. */
export function quickRoute(raw: string, index: number): RouteDefinition {
  const colon = raw.indexOf(':');
  const sourceText = colon < 0 ? raw : raw.slice(0, colon);
  const source = ROUTE_SOURCES.find((candidate) => candidate.toLowerCase() === sourceText.trim().toLowerCase());
  if (!source) throw new Error(`--route: unknown source '${sourceText}' (known: ${ROUTE_SOURCES.join(', ')})`);
  return { name: `route-${index + 1}-${source}`, source, condition: colon < 0 ? 'true' : raw.slice(colon + 1), endpointNames: ['events'], isEnabled: true };
}

function routeAt(value: unknown, where: string): RouteDefinition {
  const route = objectAt(value, where, '');
  const { name, source, condition, endpointNames, isEnabled } = route;
  if (typeof name !== 'string' || name === '') throw new Error(`${where}.name must be a non-empty string`);
  if (typeof source !== 'string' || !ROUTE_SOURCES.includes(source as RouteSource)) throw new Error(`${where}.source must be one of ${ROUTE_SOURCES.join(', ')}`);
  if (condition !== undefined && typeof condition !== 'string') throw new Error(`${where}.condition must be a string`);
  if (!Array.isArray(endpointNames) || !endpointNames.every((entry) => typeof entry === 'string')) throw new Error(`${where}.endpointNames must be an array of strings`);
  return { name, source: source as RouteSource, ...(condition === undefined ? {} : { condition }), endpointNames: endpointNames as string[], isEnabled: isEnabled !== false };
}

function objectAt(value: unknown, path: string, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`--routes ${path}: ${name || 'the file'} must be a JSON object`);
  return value as Record<string, unknown>;
}
