import { QueryError } from '../query/errors.js';
import type { JsonObject } from '../model/json.js';
import type { RouteDefinition, RouteSource } from '../model/routing.js';
import { compileCondition } from '../query/index.js';
import { dictionary } from '../util/own-keys.js';
import { conditionDocument } from './message-router.js';

/** A sample message for a route test (ARM `RoutingMessage`): body text, application and system properties. */
export interface RouteTestMessage {
  readonly body?: string;
  readonly appProperties?: Readonly<Record<string, string>>;
  readonly systemProperties?: Readonly<Record<string, string>>;
}

/** A condition that does not compile: the message and the 1-based column where the problem starts. */
export interface RouteCompilationProblem {
  readonly message: string;
  readonly column: number;
  readonly endColumn: number;
}

/** The outcome of one route on a sample message (ARM `TestRouteResult`). */
export interface RouteTestResult {
  readonly result: 'true' | 'false';
  readonly compilationErrors: readonly RouteCompilationProblem[];
}

/**
 * Evaluates a route's condition on a sample message and twin, as `IotHubResource.testRoute` does: `true`/`false`, or
 * `false` with the compilation errors (message and column range) of a condition that does not compile.
 */
export function testRoute(route: RouteDefinition, message: RouteTestMessage, twin: JsonObject | undefined): RouteTestResult {
  try {
    const matches = compileCondition(route.condition ?? 'true');
    return { result: matches(documentOf(message, twin)) ? 'true' : 'false', compilationErrors: [] };
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    return { result: 'false', compilationErrors: [{ message: error.message, column: error.position + 1, endColumn: error.position + Math.max(1, error.length) + 1 }] };
  }
}

/** The enabled routes of `source` whose condition is true for the sample (`IotHubResource.testAllRoutes`). */
export function matchingRoutes(routes: readonly RouteDefinition[], source: RouteSource, message: RouteTestMessage, twin: JsonObject | undefined): RouteDefinition[] {
  return routes.filter((route) => route.isEnabled && route.source === source && testRoute(route, message, twin).result === 'true');
}

function documentOf(message: RouteTestMessage, twin: JsonObject | undefined): JsonObject {
  const application: Record<string, string | null> = dictionary();
  for (const [key, value] of Object.entries(message.appProperties ?? {})) application[key] = value;
  const system: Record<string, string | undefined> = dictionary();
  for (const [key, value] of Object.entries(message.systemProperties ?? {})) system[key] = value;
  return conditionDocument(application, system, Buffer.from(message.body ?? '', 'utf8'), () => twin);
}
