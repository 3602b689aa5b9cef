import type { Message } from 'rhea';

import type { MessageProperties } from '../../../model/message.js';
import { dictionary, getOwn } from '../../../util/own-keys.js';
import { idText } from './message-ids.js';

/**
 * A device's AMQP telemetry message → the properties MQTT and HTTPS telemetry have (short system names `mid`, `cid`,
 * `uid`, `to`, `exp`, `ct`, `ce`, `ifid`, `sub`; iothub-protocol-2.md §3.4), so every transport looks the same to
 * the telemetry service and the studio. Application properties keep their names; `iothub-ack` is not one.
 */
export function telemetryPropertiesOf(message: Message): MessageProperties {
  // No prototype: `__proto__` is an ordinary property name, kept as data (util/own-keys.ts).
  const system: Record<string, string> = dictionary();
  const application: Record<string, string | null> = dictionary();
  const set = (name: string, value: unknown) => {
    const text = idText(value);
    if (text !== undefined) system[name] = text;
  };
  set('mid', message.message_id);
  set('cid', message.correlation_id);
  set('uid', message.user_id);
  set('to', message.to);
  if (message.absolute_expiry_time !== undefined) set('exp', new Date(message.absolute_expiry_time as Date | number).toISOString());
  set('ct', message.content_type);
  set('ce', message.content_encoding);
  const annotations = (message.message_annotations ?? {}) as Record<string, unknown>;
  set('ifid', getOwn(annotations, 'iothub-interface-id'));
  set('sub', getOwn(annotations, 'dt-subject'));
  const props = (message.application_properties ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(props)) {
    if (key === 'iothub-ack') continue;
    const value = props[key];
    application[key] = value === null || value === undefined ? null : String(value);
  }
  return { system, application };
}
