import { useMemo, useRef, useState } from 'react';

import { useStore } from '../../state/store.js';
import { useStudio } from '../../state/studio-context.js';
import { trafficRowId, TrafficRowView } from './TrafficRowView.js';
import { useTailFollow } from './use-tail-follow.js';
import { exportRows, matchesFilter, NO_FILTER, TrafficBuffer, TRAFFIC_TRANSPORTS, TRANSPORT_LABELS, transportOf, type TrafficFilter, type TrafficRow } from './traffic-buffer.js';
import { readRecording } from './traffic-decode.js';
import { TrafficGroups } from './TrafficGroups.js';

const ROW_HEIGHT = 30;
const OVERSCAN = 20;
const CAPS = [1000, 5000, 20_000, 50_000] as const;
const KINDS = ['connect', 'disconnect', 'subscribe', 'twin', 'method', 'telemetry', 'c2d', 'rest', 'fault', 'other'] as const;

/**
 * Live wire traffic: pairs by `$rid`, filters, pause, clear, record; a virtualised list (house-style H16), or the
 * rows grouped per device with counts and rates.
 */
export function TrafficView({ fixedDeviceId }: { fixedDeviceId?: string }) {
  const studio = useStudio();
  const revision = useStore(studio.trafficRevision);
  const devices = useStore(studio.devices);
  const [filter, setFilter] = useState<TrafficFilter>({ ...NO_FILTER, deviceId: fixedDeviceId ?? '' });
  const [paused, setPaused] = useState<{ rows: readonly TrafficRow[]; revision: number }>();
  const [expanded, setExpanded] = useState<number>();
  const [active, setActive] = useState<number>();
  const [scrollTop, setScrollTop] = useState(0);
  const viewport = useRef<HTMLDivElement>(null);

  const [recording, setRecording] = useState<{ name: string; rows: readonly TrafficRow[] }>();
  const [recordingError, setRecordingError] = useState<string>();
  const [grouped, setGrouped] = useState(false);
  const source = recording?.rows ?? paused?.rows ?? studio.traffic.all();
  // Rows are mutated in place when a response pairs; the revision is the change signal.
  const rows = useMemo(() => source.filter((row) => matchesFilter(row, filter)), [source, filter, paused ? paused.revision : revision, recording]);
  const newSincePause = paused ? revision - paused.revision : 0;
  const tail = useTailFollow(viewport, rows, ROW_HEIGHT, setScrollTop);

  const height = viewport.current?.clientHeight || 600;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const visible = rows.slice(first, last);

  const openRecording = async (file: File | undefined) => {
    if (!file) return;
    try {
      const buffer = new TrafficBuffer({ maxRows: 1_000_000, maxPayloadChars: Number.MAX_SAFE_INTEGER });
      buffer.add(readRecording(await file.text()));
      setRecording({ name: file.name, rows: buffer.all() });
      setRecordingError(undefined);
    } catch (error) {
      setRecordingError(`${file.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
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
        <button type="button" className="button" onClick={download} disabled={rows.length === 0} title="Saves the rows shown as a JSON file you can open again">Save recording</button>
        <label className="button">
          Open recording…
          <input type="file" accept=".json,application/json" className="sr-only" aria-label="Open a traffic recording" onChange={(event) => void openRecording(event.target.files?.[0])} />
        </label>
        <label className="inline small">
          Keep{' '}
          <select aria-label="Rows kept" value={studio.traffic.maxRows} onChange={(event) => { studio.traffic.setMaxRows(Number(event.target.value)); studio.trafficRevision.update((n) => n + 1); }}>
            {CAPS.map((cap) => <option key={cap} value={cap}>{cap.toLocaleString('en')} rows</option>)}
          </select>
        </label>
        {fixedDeviceId ? null : (
          <button type="button" className="button" aria-pressed={grouped} onClick={() => setGrouped(!grouped)} title="One line per device: counts and messages per second">Group by device</button>
        )}
        <span className="muted small" data-testid="traffic-count">{rows.length} rows</span>
      </div>
      {recording ? (
        <p className="recording-banner" role="status">
          Showing the recording <strong>{recording.name}</strong> ({recording.rows.length.toLocaleString('en')} rows), not live traffic.{' '}
          <button type="button" className="button small" onClick={() => setRecording(undefined)}>Back to live</button>
        </p>
      ) : null}
      {recordingError ? <p className="field-error" role="alert">{recordingError}</p> : null}
      {grouped ? (
        <TrafficGroups
          rows={rows}
          onOpenDevice={(deviceId) => {
            setFilter({ ...filter, deviceId });
            setGrouped(false);
          }}
        />
      ) : null}
      {rows.length === 0 && !grouped ? (
        <p className="muted pad">
          Nothing yet. Every MQTT and device HTTPS exchange appears here as it happens: connects, subscriptions, twin GET and PATCH with the
          hub&apos;s response (paired by <code>$rid</code>), desired-property notifications, telemetry, methods and C2D.
        </p>
      ) : null}
      <div className="traffic-header" aria-hidden="true" hidden={grouped}>
        <span>time</span><span>dir</span><span title="MQTT includes MQTT over WebSockets">proto</span><span>device</span><span>kind</span><span>topic</span><span>payload</span><span>status</span><span>bytes</span>
      </div>
      <div
        ref={viewport}
        hidden={grouped}
        className="traffic-viewport"
        role="list"
        aria-label="Traffic rows"
        tabIndex={0}
        aria-activedescendant={active !== undefined && rows.some((row) => row.key === active) ? trafficRowId(active) : undefined}
        onKeyDown={(event) => {
          const index = rows.findIndex((row) => row.key === active);
          const step: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10, Home: -rows.length, End: rows.length };
          if (event.key in step && rows.length > 0) {
            event.preventDefault();
            const next = Math.max(0, Math.min(rows.length - 1, (index < 0 ? rows.length - 1 : index) + (index < 0 ? 0 : (step[event.key] as number))));
            setActive((rows[next] as TrafficRow).key);
            const element = viewport.current;
            if (element) {
              const top = next * ROW_HEIGHT;
              if (top < element.scrollTop) element.scrollTop = top;
              else if (top + ROW_HEIGHT > element.scrollTop + (element.clientHeight || 600)) element.scrollTop = top + ROW_HEIGHT - (element.clientHeight || 600);
            }
          } else if ((event.key === 'Enter' || event.key === ' ') && active !== undefined) {
            event.preventDefault();
            setExpanded(expanded === active ? undefined : active);
          }
        }}
        onScroll={tail.onScroll}
        data-following={tail.following}
      >
        <div style={{ height: rows.length * ROW_HEIGHT, position: 'relative' }}>
          {visible.map((row, i) => (
            <TrafficRowView
              key={row.key}
              row={row}
              top={(first + i) * ROW_HEIGHT}
              height={ROW_HEIGHT}
              expanded={expanded === row.key}
              active={active === row.key}
              onToggle={() => { setActive(row.key); setExpanded(expanded === row.key ? undefined : row.key); }}
            />
          ))}
        </div>
      </div>
      {tail.unseen > 0 && !grouped ? (
        <button type="button" className="button small new-rows-pill" onClick={tail.jumpToEnd} data-testid="new-rows-pill">
          {tail.unseen} new ↓
        </button>
      ) : null}
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
