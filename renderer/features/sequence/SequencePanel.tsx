import { useCallback, useEffect, useMemo, useState } from 'react';

import type { TwinHistoryEntry } from '../../../emulator/model/twin-history.js';
import type { TrafficEventDto } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { usePush } from '../../hooks/use-push.js';
import { useStore } from '../../state/store.js';
import { useStudio } from '../../state/studio-context.js';
import { buildSequence, type Arrow, type Lane } from './sequence-model.js';

const LANES: readonly { id: Lane; label: string }[] = [
  { id: 'backend', label: 'Back end / studio' },
  { id: 'hub', label: 'IoT hub' },
  { id: 'device', label: 'Device' },
];
const WIDTH = 760;
const ROW = 34;
const TOP = 40;
const X: Readonly<Record<Lane, number>> = { backend: 110, hub: 380, device: 650 };

/** The exchange between back end, hub and a device as a live sequence diagram; click an arrow for its payload. */
export function SequencePanel() {
  const api = useApi();
  const studio = useStudio();
  const revision = useStore(studio.trafficRevision);
  const devices = useStore(studio.devices);
  const [deviceId, setDeviceId] = useState('');
  const [history, setHistory] = useState<readonly TwinHistoryEntry[]>([]);
  const [picked, setPicked] = useState<Arrow>();

  const loadHistory = useCallback(async () => {
    if (!deviceId) return setHistory([]);
    const result = await api.twin.history({ deviceId });
    setHistory(result.ok ? result.value.entries : []);
  }, [api, deviceId]);
  useEffect(() => void loadHistory(), [loadHistory]);
  usePush('twin.changed', (change) => {
    if (change.deviceId === deviceId && change.moduleId === undefined) void loadHistory();
  });

  // The buffer is one mutable object: the traffic revision says when it changed.
  const arrows = useMemo(() => {
    const events: TrafficEventDto[] = [];
    for (const row of studio.traffic.all()) {
      events.push(row.request);
      if (row.response) events.push(row.response);
    }
    return { revision, list: buildSequence(events, history, deviceId) };
  }, [studio, revision, history, deviceId]).list;

  const height = TOP + arrows.length * ROW + 20;
  return (
    <div className="sequence">
      <div className="row wrap">
        <label className="field narrow"><span>Device</span>
          <select aria-label="Sequence device" value={deviceId} onChange={(event) => setDeviceId(event.target.value)}>
            <option value="">All devices</option>
            {[...devices.devices.keys()].sort().map((id) => <option key={id} value={id}>{id}</option>)}
          </select>
        </label>
        <span className="muted small">{arrows.length === 0 ? 'Nothing yet: connect a device or change a twin.' : `${arrows.length} steps (newest at the bottom; repeated telemetry collapsed)`}</span>
      </div>
      <div className="sequence-body">
        <svg className="sequence-diagram" role="img" aria-label="Sequence diagram" width={WIDTH} height={height} viewBox={`0 0 ${WIDTH} ${height}`}>
          <defs>
            <marker id="seq-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" className="seq-head" /></marker>
          </defs>
          {LANES.map((lane) => (
            <g key={lane.id}>
              <text x={X[lane.id]} y={18} textAnchor="middle" className="seq-lane-title">{lane.label}</text>
              <line x1={X[lane.id]} y1={26} x2={X[lane.id]} y2={height} className="seq-lifeline" />
            </g>
          ))}
          {arrows.map((arrow, i) => <ArrowRow key={arrow.key} arrow={arrow} y={TOP + i * ROW + 20} picked={picked?.key === arrow.key} onPick={setPicked} />)}
        </svg>
        <aside className="sequence-detail" aria-label="Arrow details">
          {picked ? (
            <>
              <h4>{picked.label}</h4>
              <p className="muted small">{picked.detail.title}{picked.detail.status !== undefined ? ` · status ${picked.detail.status}` : ''}</p>
              <pre className="json-block" data-testid="arrow-payload">{pretty(picked.detail.payload)}</pre>
            </>
          ) : <p className="muted">Click an arrow to see what travelled.</p>}
        </aside>
      </div>
    </div>
  );
}

function ArrowRow({ arrow, y, picked, onPick }: { arrow: Arrow; y: number; picked: boolean; onPick: (arrow: Arrow) => void }) {
  const x1 = X[arrow.from];
  const x2 = X[arrow.to];
  const self = x1 === x2;
  const pick = () => onPick(arrow);
  return (
    <g role="button" tabIndex={0} aria-label={arrow.label} className={`seq-arrow seq-${arrow.kind} ${picked ? 'picked' : ''}`} onClick={pick} onKeyDown={(event) => { if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); pick(); } }}>
      {self ? (
        <>
          <rect x={x1 - 6} y={y - 12} width={12} height={16} className="seq-note" />
          <text x={x1 + 12} y={y} className="seq-label">{arrow.label}</text>
        </>
      ) : (
        <>
          <line x1={x1} y1={y} x2={x2} y2={y} markerEnd="url(#seq-arrow)" className="seq-line" />
          <text x={(x1 + x2) / 2} y={y - 5} textAnchor="middle" className="seq-label">{arrow.label}</text>
        </>
      )}
      <rect x={Math.min(x1, x2) - 8} y={y - 18} width={Math.max(Math.abs(x2 - x1), 280) + 16} height={ROW - 4} className="seq-hit" />
    </g>
  );
}

function pretty(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload || '(empty)';
  }
}
