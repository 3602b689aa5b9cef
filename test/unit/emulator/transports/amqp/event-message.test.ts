import { describe, expect, it } from 'vitest';

import type { HubEvent } from '../../../../../emulator/model/hub-event.js';
import { eventMessage } from '../../../../../emulator/transports/amqp/eventhub/event-message.js';
import { dictionary } from '../../../../../emulator/util/own-keys.js';

describe('an Event Hubs event on the wire', () => {
  it('keeps an application property named __proto__ (a device\'s or an enrichment key) as a plain entry', () => {
    const application: Record<string, string | null> = dictionary();
    application.__proto__ = 'polluted';
    application.site = 'lab';
    const event: HubEvent = { partition: 0, sequenceNumber: 3, offset: '120', enqueuedTime: 0, body: '', properties: {}, annotations: {}, application };
    const message = eventMessage(event);
    const properties = message.application_properties as Record<string, unknown>;
    expect(Object.keys(properties)).toEqual(['__proto__', 'site']);
    expect(Object.getPrototypeOf(properties)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
