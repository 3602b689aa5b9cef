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
      event({ protocol: 'http', kind: 'rest', direction: 'in', topic: 'PATCH /twins/d1', payload: '{"properties":{"desired":{"fan":true}}}' }),
      event({ protocol: 'http', kind: 'rest', direction: 'out', topic: 'PATCH /twins/d1', status: 200 }),
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
  });

  it('collapses repeated telemetry, keeps other devices out, and adds studio writes from the change log', () => {
    const events = [event({ kind: 'telemetry', topic: 'devices/d1/messages/events/' }), event({ kind: 'telemetry', topic: 'devices/d1/messages/events/' }), event({ kind: 'telemetry', deviceId: 'd2' }), event({ kind: 'telemetry', topic: 'devices/d1/messages/events/' })];
    const history = [{ version: 2, time: '2026-01-01T00:00:00.500Z', writer: 'studio', changes: { tags: { mode: 'merge' as const, patch: { a: 1 } } }, inverse: {}, desiredVersion: 1, reportedVersion: 1 }];
    const arrows = buildSequence(events, history, 'd1');
    expect(arrows.map((arrow) => arrow.label)).toEqual(['studio: twin version 2 (tags)', 'telemetry ×3']);
    expect(arrows[0]).toMatchObject({ from: 'backend', to: 'hub' });
  });
});
