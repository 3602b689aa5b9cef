import { argumentInvalid } from '../../errors/catalogue.js';
import type { IotHubError } from '../../errors/iothub-error.js';
import type { RouteDefinition } from './rest-types.js';

/** What the router needs of a route table row (service routes, device routes). */
export interface RoutePattern {
  readonly method: string;
  /** Path pattern with `{name}` segments. */
  readonly pattern: string;
}

/** A route that matched a request, with its decoded parameters. */
export interface RouteMatch<R extends RoutePattern = RouteDefinition> {
  readonly route: R;
  readonly params: Record<string, string>;
}

/** Result of {@link Router.match}: a match, no route at all, or a parameter that is not valid percent-encoding. */
export type RouteResult<R extends RoutePattern = RouteDefinition> = { kind: 'match'; match: RouteMatch<R> } | { kind: 'none' } | { kind: 'invalid'; error: IotHubError };

type Segment = { literal: string } | { param: string };

interface CompiledRoute<R extends RoutePattern> {
  readonly route: R;
  readonly segments: readonly Segment[];
}

/**
 * Matches method + path against the declarative route table. Literal segments win over parameters, so
 * `POST /devices/query` is never taken for a device called `query`. A trailing slash is ignored (Node's
 * `Registry.list()` asks for `/devices/`, iothub-protocol.md §8.1); literal segments compare case-insensitively,
 * parameters are percent-decoded (ids are case-sensitive).
 */
export class Router<R extends RoutePattern = RouteDefinition> {
  private readonly compiled: readonly CompiledRoute<R>[];

  constructor(routes: readonly R[]) {
    this.compiled = routes
      .map((route) => ({ route, segments: splitPath(route.pattern).map(toSegment) }))
      // More literal segments first: specific routes before generic ones.
      .sort((a, b) => literalCount(b.segments) - literalCount(a.segments));
  }

  match(method: string, rawPath: string): RouteResult<R> {
    const parts = splitPath(rawPath);
    const wanted = method.toUpperCase();
    for (const { route, segments } of this.compiled) {
      if (route.method !== wanted || segments.length !== parts.length) continue;
      if (!segments.every((segment, index) => !('literal' in segment) || segment.literal.toLowerCase() === parts[index]?.toLowerCase())) continue;
      const params: Record<string, string> = {};
      for (const [index, segment] of segments.entries()) {
        if ('literal' in segment) continue;
        const part = parts[index] ?? '';
        const decoded = decodeSegment(part);
        if (decoded === undefined) {
          if (part === '') return { kind: 'none' };
          return { kind: 'invalid', error: argumentInvalid(`The path segment '${part}' is not valid percent-encoding.`) };
        }
        params[segment.param] = decoded;
      }
      return { kind: 'match', match: { route, params } };
    }
    return { kind: 'none' };
  }
}

/** `/devices/x/` → `['devices', 'x']`; empty parameter segments are kept so `/devices//x` does not match. */
function splitPath(path: string): string[] {
  let text = path.startsWith('/') ? path.slice(1) : path;
  if (text.endsWith('/')) text = text.slice(0, -1);
  return text === '' ? [] : text.split('/');
}

function toSegment(text: string): Segment {
  return text.startsWith('{') && text.endsWith('}') ? { param: text.slice(1, -1) } : { literal: text };
}

function literalCount(segments: readonly Segment[]): number {
  return segments.filter((segment) => 'literal' in segment).length;
}

function decodeSegment(text: string): string | undefined {
  if (text === '') return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
