import { useMemo, useRef, useState } from 'react';

import { useStore } from '../../state/store.js';
import { useStudio } from '../../state/studio-context.js';
import { TrafficRowView } from './TrafficRowView.js';
import { exportRows, matchesFilter, NO_FILTER, TRAFFIC_TRANSPORTS, TRANSPORT_LABELS, transportOf, type TrafficFilter, type TrafficRow } from './traffic-buffer.js';

const ROW_HEIGHT = 30;
const OVERSCAN = 20;
const KINDS = ['connect', 'disconnect', 'subscribe', 'twin', 'method', 'telemetry', 'c2d', 'rest', 'fault', 'other'] as const;

/** Live wire traffic: pairs by `$rid`, filters, pause, clear, export; a virtualised list (house-style H16). */
export function TrafficView({ fixedDeviceId }: { fixedDeviceId?: string }) {
  const studio = useStudio();
  const revision = useStore(studio.trafficRevision);
  const devices = useStore(studio.devices);
  const [filter, setFilter] = useState<TrafficFilter>({ ...NO_FILTER, deviceId: fixedDeviceId ?? '' });
  const [paused, setPaused] = useState<{ rows: readonly TrafficRow[]; revision: number }>();
  const [expanded, setExpanded] = useState<number>();
  const [scrollTop, setScrollTop] = useState(0);
  const viewport = useRef<HTMLDivElement>(null);

  const source = paused?.rows ?? studio.traffic.all();
  // Rows are mutated in place when a response pairs; the revision is the change signal.
  const rows = useMemo(() => source.filter((row) => matchesFilter(row, filter)), [source, filter, paused ? paused.revision : revision]);
  const newSincePause = paused ? revision - paused.revision : 0;

  const height = viewport.current?.clientHeight || 600;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const visible = rows.slice(first, last);

  const download = () => {
    const blob = new Blob([JSON.stringify(exportRows(rows), null, 2)], { type: 'application/json' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `twin-studio-traffic-${new Date().toISOString().replaceAll(':', '-')}.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  };

  return (
    <section className="traffic" aria-label="Live traffic">
      <div className="list-toolbar">
        {fixedDeviceId ? null : (
          <select aria-label="Device" value={filter.deviceId} onChange={(event) => setFilter({ ...filter, deviceId: event.target.value })}>
            <option value="">All devices</option>
            {[...devices.devices.keys()].sort().map((id) => <option key={id} value={id}>{id}</option>)}
          </select>
        )}
        <select aria-label="Direction" value={filter.direction} onChange={(event) => setFilter({ ...filter, direction: event.target.value as TrafficFilter['direction'] })}>
          <option value="">Both directions</option>
          <option value="in">Device → hub</option>
          <option value="out">Hub → device</option>
        </select>
        <select aria-label="Kind" value={filter.kind} onChange={(event) => setFilter({ ...filter, kind: event.target.value as TrafficFilter['kind'] })}>
          <option value="">All kinds</option>
          {KINDS.map((kind) => <option key={kind} value={kind}>{kind}</option>)}
        </select>
        <select aria-label="Protocol" value={filter.protocol} onChange={(event) => setFilter({ ...filter, protocol: event.target.value as TrafficFilter['protocol'] })}>
          <option value="">All protocols</option>
          {TRAFFIC_TRANSPORTS.map((transport) => <option key={transport} value={transport}>{TRANSPORT_LABELS[transport]}</option>)}
        </select>
        <input type="search" aria-label="Search topics and payloads" placeholder="Search topic / payload" value={filter.text} onChange={(event) => setFilter({ ...filter, text: event.target.value })} />
        <button type="button" className="button" aria-pressed={Boolean(paused)} onClick={() => setPaused(paused ? undefined : { rows: [...studio.traffic.all()], revision })}>
          {paused ? `Resume${newSincePause > 0 ? ` (${newSincePause} updates)` : ''}` : 'Pause'}
        </button>
        <button type="button" className="button" onClick={() => { studio.clearTraffic(); setPaused(undefined); }}>Clear</button>
        <button type="button" className="button" onClick={download} disabled={rows.length === 0}>Export JSON</button>
        <span className="muted small" data-testid="traffic-count">{rows.length} rows</span>
      </div>
      {rows.length === 0 ? (
        <p className="muted pad">
          Nothing yet. Every MQTT and device HTTPS exchange appears here as it happens: connects, subscriptions, twin GET and PATCH with the
          hub&apos;s response (paired by <code>$rid</code>), desired-property notifications, telemetry, methods and C2D.
        </p>
      ) : null}
      <div className="traffic-header" aria-hidden="true">
        <span>time</span><span>dir</span><span title="MQTT includes MQTT over WebSockets">proto</span><span>device</span><span>kind</span><span>topic</span><span>status</span><span>bytes</span>
      </div>
      <div ref={viewport} className="traffic-viewport" role="list" aria-label="Traffic rows" onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}>
        <div style={{ height: rows.length * ROW_HEIGHT, position: 'relative' }}>
          {visible.map((row, i) => (
            <TrafficRowView
              key={row.key}
              row={row}
              top={(first + i) * ROW_HEIGHT}
              height={ROW_HEIGHT}
              expanded={expanded === row.key}
              onToggle={() => setExpanded(expanded === row.key ? undefined : row.key)}
            />
          ))}
        </div>
      </div>
      {expanded !== undefined ? <TrafficDetails row={rows.find((row) => row.key === expanded)} /> : null}
    </section>
  );
}

function TrafficDetails({ row }: { row: TrafficRow | undefined }) {
  if (!row) return null;
  const part = (label: string, event: TrafficRow['request']) => (
    <div className="traffic-part">
      <h4>{label}: <code>{event.topic}</code></h4>
      <p className="muted small">{event.time} · {TRANSPORT_LABELS[transportOf(event)]} · {event.payloadBytes} bytes{event.truncated ? ' (preview cut)' : ''}</p>
      <pre className="json-block">{event.payload || '(empty)'}</pre>
    </div>
  );
  return (
    <div className="traffic-details" aria-label="Exchange details">
      {part(row.response ? 'Request' : 'Message', row.request)}
      {row.response ? part(`Response after ${row.latencyMs ?? '?'} ms`, row.response) : null}
    </div>
  );
}
