import { formatPath } from './json-ops.js';
import type { Change, TwinDiff } from './twin-diff.js';
import { isEmptyDiff } from './twin-diff.js';

function ChangeLine({ section, change }: { section: string; change: Change }) {
  const path = formatPath([section, ...change.path]);
  return (
    <li className={`change change-${change.kind}`}>
      <code>{path}</code>{' '}
      {change.kind === 'added' ? <>added <code>{JSON.stringify(change.after)}</code></> : null}
      {change.kind === 'removed' ? <>removed (was <code>{JSON.stringify(change.before)}</code>)</> : null}
      {change.kind === 'changed' ? <><code>{JSON.stringify(change.before)}</code> → <code>{JSON.stringify(change.after)}</code></> : null}
    </li>
  );
}

/** What changed since the version the user last saw, with a button to mark it seen. */
export function DiffView({ diff, onMarkSeen }: { diff: TwinDiff; onMarkSeen: () => void }) {
  const empty = isEmptyDiff(diff);
  return (
    <section className="diff" aria-label="Changes since last seen">
      <h3>
        Changes since you last looked{' '}
        <span className="muted small">version {diff.fromVersion ?? '?'} → {diff.toVersion ?? '?'}</span>
      </h3>
      {empty ? (
        <p className="muted">Nothing changed since version {diff.fromVersion}.</p>
      ) : (
        <>
          <ul className="changes" data-testid="twin-diff">
            {diff.tags.map((change) => <ChangeLine key={`t${formatPath(change.path)}`} section="tags" change={change} />)}
            {diff.desired.map((change) => <ChangeLine key={`d${formatPath(change.path)}`} section="desired" change={change} />)}
            {diff.reported.map((change) => <ChangeLine key={`r${formatPath(change.path)}`} section="reported" change={change} />)}
          </ul>
          <button type="button" className="button small" onClick={onMarkSeen}>Mark as seen</button>
        </>
      )}
    </section>
  );
}
