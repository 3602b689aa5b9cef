import { formatPath } from './json-ops.js';
import type { DraftConflict } from './draft.js';

function show(value: unknown): string {
  return value === undefined ? '(deleted)' : JSON.stringify(value);
}

/** After a merge: the keys both the user and someone else changed, the user's value beside the hub's. */
export function ConflictTable({ conflicts, onTakeTheirs, onKeepAll }: { conflicts: readonly DraftConflict[]; onTakeTheirs: (conflict: DraftConflict) => void; onKeepAll: () => void }) {
  return (
    <section className="conflict" aria-label="Conflicting keys" data-testid="merge-conflicts">
      <h3>Changed on both sides <span className="muted small">the editor now holds your value; take the hub&apos;s where it should win</span></h3>
      <table className="grid">
        <thead><tr><th>Key</th><th>Yours</th><th>On the hub</th><th><span className="sr-only">Action</span></th></tr></thead>
        <tbody>
          {conflicts.map((conflict) => {
            const path = formatPath([conflict.section, ...conflict.path]);
            return (
              <tr key={path}>
                <td><code>{path}</code></td>
                <td><code>{show(conflict.mine)}</code></td>
                <td><code>{show(conflict.theirs)}</code></td>
                <td><button type="button" className="button small" onClick={() => onTakeTheirs(conflict)} aria-label={`Take the hub's value of ${path}`}>Take the hub&apos;s</button></td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <button type="button" className="button small" onClick={onKeepAll}>Keep all of mine</button>
    </section>
  );
}
