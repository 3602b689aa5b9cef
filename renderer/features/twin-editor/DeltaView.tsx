import { formatPath } from './json-ops.js';
import type { DeltaEntry } from './twin-delta.js';

function show(value: unknown): string {
  return value === undefined ? 'not reported' : JSON.stringify(value);
}

/** Desired values the device has not reported back (yet). */
export function DeltaView({ entries }: { entries: readonly DeltaEntry[] }) {
  return (
    <section className="delta" aria-label="Delta">
      <h3>Delta <span className="muted small">desired values the device has not reported back</span></h3>
      {entries.length === 0 ? (
        <p className="muted">In sync: every desired value is reported with the same value (or nothing is desired).</p>
      ) : (
        <table className="grid" data-testid="delta-table">
          <thead><tr><th>Property</th><th>Desired</th><th>Reported</th></tr></thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={formatPath(entry.path)}>
                <td><code>{formatPath(entry.path)}</code></td>
                <td><code>{show(entry.desired)}</code></td>
                <td className={entry.reported === undefined ? 'muted' : ''}><code>{show(entry.reported)}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
