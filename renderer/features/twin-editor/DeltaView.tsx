import { formatPath } from './json-ops.js';
import type { DeltaEntry } from './twin-delta.js';

function show(value: unknown): string {
  return value === undefined ? 'not reported' : JSON.stringify(value);
}

const STATE_LABELS: Record<DeltaEntry['state'], string> = {
  missing: 'not reported back',
  different: 'reported differently',
  pending: 'ack pending',
  rejected: 'rejected by the device',
};

function stateText(entry: DeltaEntry): string {
  if (!entry.ack) return STATE_LABELS[entry.state];
  const detail = `ac ${entry.ack.code}, av ${entry.ack.version}${entry.ack.description ? `: ${entry.ack.description}` : ''}`;
  return `${STATE_LABELS[entry.state]} (${detail})`;
}

/** Desired values the device has not applied (yet): plain mirrors and IoT Plug and Play acks. */
export function DeltaView({ entries }: { entries: readonly DeltaEntry[] }) {
  return (
    <section className="delta" aria-label="Delta">
      <h3>Delta <span className="muted small">desired values the device has not reported back or acknowledged</span></h3>
      {entries.length === 0 ? (
        <p className="muted">In sync: every desired value is reported with the same value or acknowledged (or nothing is desired).</p>
      ) : (
        <table className="grid" data-testid="delta-table">
          <thead><tr><th>Property</th><th>Desired</th><th>Reported</th><th>State</th></tr></thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={formatPath(entry.path)} data-state={entry.state}>
                <td><code>{formatPath(entry.path)}</code></td>
                <td><code>{show(entry.desired)}</code></td>
                <td className={entry.reported === undefined ? 'muted' : ''}><code>{show(entry.reported)}</code></td>
                <td className={entry.state === 'rejected' ? 'field-error' : ''}>{stateText(entry)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
