import type { MessageProperties } from '../../model/message.js';

// The `k1=v1&k2=v2` property bag of telemetry and C2D topics (iothub-protocol.md §6.1-6.2). Keys are
// percent-decoded before `$.` system prefixes are recognised, because Node encodes `$` as `%24` and C does not.

/** Decodes a property bag; a trailing `/` (Node module events) is ignored; bad escapes are kept as sent. */
export function decodePropertyBag(bag: string): MessageProperties {
  const system: Record<string, string> = Object.create(null) as Record<string, string>;
  const application: Record<string, string | null> = Object.create(null) as Record<string, string | null>;
  const text = bag.endsWith('/') ? bag.slice(0, -1) : bag;
  if (text === '') return { system, application };
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? null : decode(pair.slice(eq + 1));
    if (key.startsWith('$.')) system[key.slice(2)] = value ?? '';
    else application[key] = value;
  }
  return { system, application };
}

/** Encodes a property bag for the hub's topics: `$` always as `%24` (the C SDK requires it, §6.2). */
export function encodePropertyBag(system: Record<string, string>, application: Record<string, string | null>): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(system)) pairs.push(`%24.${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  for (const [key, value] of Object.entries(application)) {
    pairs.push(value === null ? encodeURIComponent(key) : `${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  }
  return pairs.join('&');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
