import { describe, expect, it } from 'vitest';

import type { TrafficEventDto } from '../../../main/contract/index.js';
import { buildSequence } from './sequence-model.js';

let id = 0;
function event(partial: Partial<TrafficEventDto>): TrafficEventDto {
  id += 1;
  return { id, time: `2026-01-01T00:00:${String(id).padStart(2, '0')}.000Z`, deviceId: 'd1', direction: 'in', protocol: 'mqtt', kind: 'twin', topic: '', payload: '', payloadBytes: 0, truncated: false, ...partial };
}

describe('sequence model', () => {
  it('draws the desired → reported exchange with lanes, $rid, status and $version', () => {
    const events = [
      // The tap records a REST call once, at its reply, with the time the request arrived.
      event({ protocol: 'http', kind: 'rest', direction: 'in', topic: 'PATCH /twins/d1', status: 200, startTime: '2026-01-01T00:00:00.500Z', payload: '{"properties":{"desired":{"fan":true}}}' }),
      event({ direction: 'out', topic: '$iothub/twin/PATCH/properties/desired/?$version=2', payload: '{"fan":true,"$version":2}' }),
      event({ direction: 'in', topic: '$iothub/twin/PATCH/properties/reported/?$rid=7', rid: '7' }),
      event({ direction: 'out', topic: '$iothub/twin/res/204/?$rid=7&$version=3', rid: '7', status: 204 }),
    ];
    const arrows = buildSequence(events, [], 'd1');
    expect(arrows.map((arrow) => [arrow.from, arrow.to, arrow.label])).toEqual([
      ['backend', 'hub', 'PATCH /twins/d1'],
      ['hub', 'backend', '200 PATCH /twins/d1'],
      ['hub', 'device', 'desired notification $version=2'],
      ['device', 'hub', 'PATCH reported $rid=7'],
      ['hub', 'device', '204 response $rid=7 $version=3'],
    ]);
    expect(arrows[2]?.detail.payload).toBe('{"fan":true,"$version":2}');
    expect(arrows[0]?.detail.payload).toBe('{"properties":{"desired":{"fan":true}}}');
  });

  it('collapses repeated telemetry, keeps other devices out, and adds studio writes from the change log', () => {
    const events = [event({ kind: 'telemetry', topic: 'devices/d1/messages/events/' }), event({ kind: 'telemetry', topic: 'devices/d1/messages/events/' }), event({ kind: 'telemetry', deviceId: 'd2' }), event({ kind: 'telemetry', topic: 'devices/d1/messages/events/' })];
    const history = [{ version: 2, time: '2026-01-01T00:00:00.500Z', writer: 'studio', changes: { tags: { mode: 'merge' as const, patch: { a: 1 } } }, inverse: {}, desiredVersion: 1, reportedVersion: 1 }];
    const arrows = buildSequence(events, history, 'd1');
    expect(arrows.map((arrow) => arrow.label)).toEqual(['studio: twin version 2 (tags)', 'telemetry ×3']);
    expect(arrows[0]).toMatchObject({ from: 'backend', to: 'hub' });
  });

  it('draws a direct method from the back-end lane: request first, device round trip, reply last (MQTT and AMQP)', () => {
    const start = event({ kind: 'connect', topic: 'CONNECT' });
    const events = [
      start,
      event({ direction: 'out', kind: 'method', topic: '$iothub/methods/POST/reboot/?$rid=1', rid: '1' }),
      event({ direction: 'in', kind: 'method', topic: '$iothub/methods/res/200/?$rid=1', rid: '1', status: 200 }),
      event({ direction: 'out', kind: 'method', protocol: 'amqp', topic: 'method reset', rid: 'c1' }),
      event({ direction: 'in', kind: 'method', protocol: 'amqp', topic: 'method response 500', rid: 'c1', status: 500 }),
    ];
    // Recorded after the device answered; it arrived right after the CONNECT.
    events.push(event({ protocol: 'http', kind: 'rest', topic: 'POST /twins/d1/methods', status: 200, startTime: start.time.replace('.000Z', '.500Z'), payload: '{"methodName":"reboot"}\n→ {"status":200}' }));
    const arrows = buildSequence(events, [], 'd1');
    expect(arrows.map((arrow) => [arrow.from, arrow.to, arrow.label])).toEqual([
      ['device', 'hub', 'CONNECT'],
      ['backend', 'hub', 'POST /twins/d1/methods'],
      ['hub', 'device', 'method reboot $rid=1'],
      ['device', 'hub', 'method reply 200 $rid=1'],
      ['hub', 'device', 'method reset $rid=c1'],
      ['device', 'hub', 'method reply 500 $rid=c1'],
      ['hub', 'backend', '200 POST /twins/d1/methods'],
    ]);
  });

  it('draws a method a scheduled job invokes from the back-end lane, labelled as the job', () => {
    const events = [
      event({ protocol: 'hub', kind: 'method', backEnd: 'job', topic: 'invoke reboot', payload: '{}' }),
      event({ direction: 'out', kind: 'method', topic: '$iothub/methods/POST/reboot/?$rid=3', rid: '3' }),
      event({ direction: 'in', kind: 'method', topic: '$iothub/methods/res/200/?$rid=3', rid: '3', status: 200 }),
      event({ protocol: 'hub', kind: 'method', backEnd: 'job', direction: 'out', topic: 'result reboot', status: 200 }),
    ];
    expect(buildSequence(events, [], 'd1').map((arrow) => [arrow.from, arrow.to, arrow.label])).toEqual([
      ['backend', 'hub', 'job: method reboot'],
      ['hub', 'device', 'method reboot $rid=3'],
      ['device', 'hub', 'method reply 200 $rid=3'],
      ['hub', 'backend', 'method result 200'],
    ]);
  });

  it('draws a method the studio invokes from the back-end lane too', () => {
    const events = [
      event({ protocol: 'hub', kind: 'method', backEnd: 'studio', topic: 'invoke reboot', payload: '{}' }),
      event({ direction: 'out', kind: 'method', topic: '$iothub/methods/POST/reboot/?$rid=2', rid: '2' }),
      event({ direction: 'in', kind: 'method', topic: '$iothub/methods/res/200/?$rid=2', rid: '2', status: 200 }),
      event({ protocol: 'hub', kind: 'method', backEnd: 'studio', direction: 'out', topic: 'result reboot', status: 200 }),
    ];
    expect(buildSequence(events, [], 'd1').map((arrow) => [arrow.from, arrow.to, arrow.label])).toEqual([
      ['backend', 'hub', 'studio: method reboot'],
      ['hub', 'device', 'method reboot $rid=2'],
      ['device', 'hub', 'method reply 200 $rid=2'],
      ['hub', 'backend', 'method result 200'],
    ]);
  });

  it('draws C2D queued → delivered → settled → feedback for MQTT, AMQP and HTTPS devices, from the studio and the service', () => {
    const events = [
      event({ kind: 'c2d', protocol: 'hub', backEnd: 'studio', topic: 'queued m1 (iothub-ack: none)', payload: 'hi' }),
      event({ kind: 'c2d', direction: 'out', topic: 'devices/d1/messages/devicebound/%24.mid=m1', rid: 'm1' }),
      event({ kind: 'c2d', direction: 'in', topic: 'PUBACK m1', rid: 'm1' }),
      event({ kind: 'c2d', protocol: 'amqp', backEnd: 'service', topic: 'queued m2 (iothub-ack: full)' }),
      event({ kind: 'c2d', protocol: 'amqp', direction: 'out', topic: '/devices/d1/messages/devicebound', rid: 'lock-2' }),
      event({ kind: 'c2d', protocol: 'amqp', direction: 'in', topic: 'rejected m2', rid: 'lock-2' }),
      event({ kind: 'c2d', protocol: 'amqp', direction: 'out', backEnd: 'service', topic: 'feedback Rejected m2' }),
      event({ kind: 'c2d', protocol: 'amqp', backEnd: 'service', topic: 'queued m3 (iothub-ack: none)' }),
      event({ kind: 'c2d', protocol: 'amqp', direction: 'out', topic: '/devices/d1/messages/devicebound', rid: 'lock-3' }),
      event({ kind: 'c2d', protocol: 'amqp', direction: 'in', topic: 'released m3', rid: 'lock-3' }),
      event({ kind: 'c2d', protocol: 'http', direction: 'out', topic: 'GET /devices/d1/messages/devicebound', status: 200, rid: 'lock-4' }),
      event({ kind: 'c2d', protocol: 'http', direction: 'in', topic: 'DELETE /devices/d1/messages/devicebound/lock-4?reject', status: 204, rid: 'lock-4' }),
      event({ kind: 'c2d', protocol: 'http', direction: 'in', topic: 'GET /devices/d1/messages/devicebound', status: 204 }),
    ];
    const arrows = buildSequence(events, [], 'd1');
    expect(arrows.map((arrow) => [arrow.from, arrow.to, arrow.label])).toEqual([
      ['backend', 'hub', 'C2D queued by the studio'],
      ['hub', 'device', 'C2D delivered'],
      ['device', 'hub', 'C2D completed'],
      ['backend', 'hub', 'C2D queued by the service'],
      ['hub', 'device', 'C2D delivered'],
      ['device', 'hub', 'C2D rejected'],
      ['hub', 'backend', 'C2D feedback Rejected'],
      ['backend', 'hub', 'C2D queued by the service'],
      ['hub', 'device', 'C2D delivered'],
      ['device', 'hub', 'C2D abandoned'],
      ['hub', 'device', 'C2D delivered (HTTPS receive)'],
      ['device', 'hub', 'C2D rejected'],
      ['device', 'hub', 'C2D receive: queue empty'],
    ]);
  });
});
