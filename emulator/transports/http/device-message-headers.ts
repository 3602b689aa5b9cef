import type { IncomingHttpHeaders } from 'node:http';

import type { MessageProperties } from '../../model/message.js';
import type { LockedC2dMessage } from '../../services/c2d-service.js';
import { getOwn } from '../../util/own-keys.js';

/** `iothub-app-<k>`: an application property `k` (iothub-protocol-2.md §4.2). */
const APP_PREFIX = 'iothub-app-';

/**
 * Device HTTPS headers → the short system-property names MQTT uses (`$.mid`, …), so telemetry from both transports
 * looks the same in the studio (iothub-protocol-2.md §4.2; iothub-protocol.md §6.1). Names are matched lower-cased.
 */
const SYSTEM_HEADERS: Readonly<Record<string, string>> = {
  'iothub-messageid': 'mid',
  'iothub-correlationid': 'cid',
  'iothub-userid': 'uid',
  'iothub-to': 'to',
  'iothub-expiry': 'exp',
  'iothub-contenttype': 'ct',
  'iothub-contentencoding': 'ce',
  'iothub-interface-id': 'ifid',
  'iothub-creationtimeutc': 'ctime',
  // Node sends a PnP component as the unprefixed `dt-subject` (§4.2); over MQTT it is `$.sub`.
  'dt-subject': 'sub',
};

/** The properties of a single event, from its request headers. */
export function d2cPropertiesFromHeaders(headers: IncomingHttpHeaders): MessageProperties {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    // Node sends `iothub-to` twice when a message sets `to` ('iothub-to' and 'IoTHub-To'); the first one counts.
    flat[name.toLowerCase()] = Array.isArray(value) ? (value[0] ?? '') : (value.split(', ')[0] ?? value);
  }
  return d2cProperties(flat);
}

/** The properties of one element of a batch (`{"body":…,"properties":{"iothub-app-k":"v"}}`, §4.3). */
export function d2cProperties(named: Readonly<Record<string, string>>): MessageProperties {
  const system: Record<string, string> = {};
  const application: Record<string, string | null> = {};
  for (const [rawName, value] of Object.entries(named)) {
    const name = rawName.toLowerCase();
    const short = getOwn(SYSTEM_HEADERS, name);
    if (short !== undefined) system[short] = value;
    else if (name.startsWith(APP_PREFIX) && name.length > APP_PREFIX.length) {
      // The original spelling of the key: header names arrive lower-cased, batch keys as the device wrote them.
      application[rawName.slice(APP_PREFIX.length)] = value;
    }
  }
  return { system, application };
}

/** Header values Node's HTTP server can write (no control characters, nothing beyond Latin-1). */
const WRITABLE_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** An HTTP token (RFC 9110 §5.6.2): what a header name may contain. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The headers of a C2D message handed out by `GET …/messages/devicebound` (§4.4, checklist 147): the quoted `ETag`
 * Node strips to get the lock token, the system properties and one `iothub-app-<k>` per application property. A
 * value a header cannot carry is percent-encoded; a property whose name is not an HTTP token is left out.
 */
export function c2dHeaders(locked: LockedC2dMessage): Record<string, string> {
  const { message, lockToken } = locked;
  const headers: Record<string, string> = {
    etag: `"${lockToken}"`,
    'iothub-messageid': message.messageId,
    'iothub-enqueuedtime': message.enqueuedTime,
    'iothub-deliverycount': String(message.deliveryCount),
    'iothub-expiry': message.expiryTime,
    'iothub-ack': message.ack,
  };
  const system = message.system;
  const systemHeaders: readonly (readonly [string, string])[] = [
    ['to', 'iothub-to'],
    ['cid', 'iothub-correlationid'],
    ['uid', 'iothub-userid'],
    ['ct', 'iothub-contenttype'],
    ['ce', 'iothub-contentencoding'],
  ];
  for (const [short, header] of systemHeaders) {
    const value = getOwn(system, short);
    if (value !== undefined) headers[header] = writable(value);
  }
  for (const [key, value] of Object.entries(message.application)) {
    if (TOKEN.test(key)) headers[`${APP_PREFIX}${key.toLowerCase()}`] = writable(value ?? '');
  }
  return headers;
}

function writable(value: string): string {
  return WRITABLE_VALUE.test(value) ? value : encodeURIComponent(value);
}
