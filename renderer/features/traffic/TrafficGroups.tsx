import { useMemo, useRef, useState } from 'react';

import { relativeTime } from '../../components/time.js';
import { useNow } from '../../hooks/use-now.js';
import type { TrafficRow } from './traffic-buffer.js';
import { decodeTopic } from './traffic-decode.js';
import { byRate, groupByDevice } from './traffic-groups.js';

/** Rate windows offered, in seconds. */
export const RATE_WINDOWS = [10, 30, 60] as const;
/** Groups listed at most; more devices than this are counted in a note. */
const MAX_GROUPS = 300;

/**
 * Traffic grouped per device: messages in the buffer, messages and msg/s over the last N seconds, in/out and per
 * kind, the newest message. At 170 messages/s a table that changed with every batch could not be read, so the
 * figures are recomputed once a second (the revision of the buffer is ignored in between) and the rows keep their
 * order by device id unless the user sorts by rate.
 */
export function TrafficGroups({ rows, onOpenDevice }: { rows: readonly TrafficRow[]; onOpenDevice: (deviceId: string) => void }) {
  const now = useNow(1000);
  const [windowSec, setWindowSec] = useState<(typeof RATE_WINDOWS)[number]>(10);
  const [sort, setSort] = useState<'device' | 'rate'>('device');
  // The latest rows, read at each tick: a new array arrives with every batch.
  const latest = useRef(rows);
  latest.current = rows;
  const groups = useMemo(() => {
    const grouped = groupByDevice(latest.current, windowSec * 1000, now);
    return sort === 'rate' ? byRate(grouped) : grouped;
  }, [now, windowSec, sort]);
  const totalRate = Math.round(groups.reduce((sum, group) => sum + group.perSecond, 0) * 10) / 10;
  const shown = groups.slice(0, MAX_GROUPS);

  return (
    <div className="traffic-groups" aria-label="Traffic per device">
      <div className="list-toolbar">
        <label className="inline small">
          Rate over the last{' '}
          <select aria-label="Rate window" value={windowSec} onChange={(event) => setWindowSec(Number(event.target.value) as (typeof RATE_WINDOWS)[number])}>
            {RATE_WINDOWS.map((seconds) => <option key={seconds} value={seconds}>{seconds} s</option>)}
          </select>
        </label>
        <label className="inline small">
          Sort{' '}
          <select aria-label="Sort groups" value={sort} onChange={(event) => setSort(event.target.value as 'device' | 'rate')}>
            <option value="device">by device id</option>
            <option value="rate">busiest first</option>
          </select>
        </label>
        <span className="muted small" data-testid="traffic-groups-summary">
          {groups.length.toLocaleString('en')} {groups.length === 1 ? 'source' : 'sources'} · {totalRate} msg/s in all · updated every second
        </span>
      </div>
      <div className="traffic-groups-scroll">
        <table className="grid" data-testid="traffic-groups">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">msg/s ({windowSec} s)</th>
              <th scope="col">last {windowSec} s</th>
              <th scope="col">in buffer</th>
              <th scope="col">in / out</th>
              <th scope="col">telemetry · twin · method · C2D · other</th>
              <th scope="col">newest</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((group) => (
              <tr key={group.deviceId} data-device-id={group.deviceId}>
                <td>
                  {group.deviceId ? (
                    <button type="button" className="link" onClick={() => onOpenDevice(group.deviceId)} title="Show this device's rows">{group.deviceId}</button>
                  ) : (
                    <span className="muted">(no device: service calls, hub)</span>
                  )}
                </td>
                <td data-testid="group-rate">{group.perSecond.toFixed(1)}</td>
                <td>{group.recent}</td>
                <td>{group.total}</td>
                <td>{group.in} / {group.out}</td>
                <td>{group.kinds.telemetry} · {group.kinds.twin} · {group.kinds.method} · {group.kinds.c2d} · {group.kinds.other}</td>
                <td className="ellipsis" title={group.last.request.topic}>{relativeTime(group.last.request.time, now)} · {decodeTopic(group.last.request)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {groups.length === 0 ? <p className="muted pad">No traffic in the buffer yet: a line per device appears as devices connect and send.</p> : null}
        {groups.length > MAX_GROUPS ? <p className="muted small">{(groups.length - MAX_GROUPS).toLocaleString('en')} more devices; filter to narrow.</p> : null}
      </div>
    </div>
  );
}
