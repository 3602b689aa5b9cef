import { useMemo, useState } from 'react';

import { useNow } from '../../hooks/use-now.js';
import { useStore } from '../../state/store.js';
import { useStudio } from '../../state/studio-context.js';
import { TelemetryChart } from './TelemetryChart.js';
import { telemetryFields } from './telemetry-series.js';

const WINDOWS = [1, 5, 15] as const;

/** A device's telemetry: the latest value of every numeric field, and a live chart of the fields picked. */
export function TelemetryPanel({ deviceId }: { deviceId: string }) {
  const studio = useStudio();
  const revision = useStore(studio.trafficRevision);
  const now = useNow(1000);
  const [minutes, setMinutes] = useState<(typeof WINDOWS)[number]>(5);
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const fields = useMemo(() => telemetryFields(studio.traffic.all(), deviceId, now - minutes * 60_000), [studio, deviceId, minutes, revision, now]);
  const charted = fields.filter((field) => picked.has(field.path));
  const toggle = (path: string) =>
    setPicked((current) => {
      const next = new Set(current);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      return next;
    });

  return (
    <section className="telemetry-panel" aria-label="Telemetry">
      <div className="row">
        <h3>Telemetry <span className="muted small">numeric fields of the JSON messages the studio saw</span></h3>
        <label className="inline small">
          Last{' '}
          <select aria-label="Time window" value={minutes} onChange={(event) => setMinutes(Number(event.target.value) as (typeof WINDOWS)[number])}>
            {WINDOWS.map((value) => <option key={value} value={value}>{value} min</option>)}
          </select>
        </label>
      </div>
      {fields.length === 0 ? (
        <p className="muted">No JSON telemetry from {deviceId} in the last {minutes} min. Numbers in its messages (<code>{'{"temperature": 21.5}'}</code>) appear here as they arrive.</p>
      ) : (
        <table className="grid" data-testid="telemetry-latest">
          <thead><tr><th>Chart</th><th>Field</th><th>Latest</th><th>At</th><th>Points</th></tr></thead>
          <tbody>
            {fields.map((field) => (
              <tr key={field.path}>
                <td><input type="checkbox" aria-label={`Chart ${field.path}`} checked={picked.has(field.path)} onChange={() => toggle(field.path)} /></td>
                <td><code>{field.path}</code></td>
                <td>{field.latest}</td>
                <td className="muted small">{new Date(field.latestTime).toISOString().slice(11, 23)}</td>
                <td className="muted small">{field.values.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {charted.length > 0 ? <TelemetryChart fields={charted} /> : fields.length > 0 ? <p className="muted small">Tick fields to chart them live.</p> : null}
    </section>
  );
}
