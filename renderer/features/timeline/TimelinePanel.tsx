import { useCallback, useEffect, useMemo, useState } from 'react';

import type { JsonObject, JsonValue } from '../../../emulator/model/json.js';
import type { TwinHistoryEntry } from '../../../emulator/model/twin-history.js';
import type { IpcError } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { EmptyState } from '../../components/EmptyState.js';
import { JsonBlock } from '../../components/JsonBlock.js';
import { usePush } from '../../hooks/use-push.js';
import { DevicePicker, type TwinTarget } from '../teach/DevicePicker.js';
import {
  diffVersions, historyExport, propertyHistory, sectionsOf, twinDocumentOf, versionsOf, writerKind, writerLabel, type VersionView,
} from './timeline-model.js';

interface Loaded {
  readonly target: TwinTarget;
  readonly version: number;
  readonly entries: readonly TwinHistoryEntry[];
  readonly views: readonly VersionView[];
}

/** A twin's timeline: every version with who wrote what, a scrubber, a diff, and the history of one property. */
export function TimelinePanel({ target, onTarget }: { target: TwinTarget | undefined; onTarget: (target: TwinTarget) => void }) {
  const api = useApi();
  const [loaded, setLoaded] = useState<Loaded>();
  const [error, setError] = useState<IpcError>();
  const [at, setAt] = useState<number>();
  const [compare, setCompare] = useState<{ from?: number; to?: number }>({});
  const [property, setProperty] = useState<string>();
  const [showMetadata, setShowMetadata] = useState(false);

  const load = useCallback(async (which: TwinTarget, follow: boolean) => {
    const address = { deviceId: which.deviceId, ...(which.moduleId ? { moduleId: which.moduleId } : {}) };
    const history = await api.twin.history(address);
    if (!history.ok) return setError(history.error);
    const current = await api.twin.atVersion({ ...address, version: history.value.version });
    if (!current.ok) return setError(current.error);
    if (!current.value.twin) return setError({ code: 'NotFound', message: 'The twin changed while loading; try again.' } as IpcError);
    setError(undefined);
    const views = versionsOf(current.value.twin, history.value.entries);
    setLoaded({ target: which, version: history.value.version, entries: history.value.entries, views });
    setAt((previous) => (follow || previous === undefined || previous > history.value.version ? history.value.version : previous));
  }, [api]);

  useEffect(() => {
    setLoaded(undefined);
    setProperty(undefined);
    setCompare({});
    setAt(undefined);
    if (target) void load(target, true);
  }, [target, load]);

  usePush('twin.changed', ({ deviceId, moduleId }) => {
    if (target && deviceId === target.deviceId && moduleId === target.moduleId) void load(target, at === loaded?.version);
  });

  const view = loaded?.views.find((candidate) => candidate.version === at) ?? loaded?.views.at(-1);
  const oldest = loaded?.views[0]?.version ?? 1;
  const from = loaded?.views.find((candidate) => candidate.version === (compare.from ?? Math.max(oldest, (view?.version ?? 1) - 1)));
  const to = loaded?.views.find((candidate) => candidate.version === (compare.to ?? view?.version));
  const diff = useMemo(() => (from && to ? diffVersions(from, to) : []), [from, to]);
  const changes = useMemo(() => (loaded && property ? propertyHistory(loaded.views, property) : []), [loaded, property]);

  const exportHistory = () => {
    if (!loaded) return;
    const text = JSON.stringify(historyExport(loaded.target, loaded.version, loaded.entries, new Date()), null, 2);
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${loaded.target.deviceId}${loaded.target.moduleId ? `-${loaded.target.moduleId}` : ''}-history.json`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <div className="timeline">
      <div className="row wrap">
        <DevicePicker value={target} onChange={onTarget} />
        {loaded ? <button type="button" className="button small" onClick={exportHistory}>Export history (JSON)</button> : null}
      </div>
      {error ? <p className="field-error" role="alert">{describeError(error)}</p> : null}
      {!target ? (
        <EmptyState title="Pick a twin">
          <p>Every accepted write gives a twin a new version. Pick a device (or a module) to see each version: when it was made, which part of the twin it changed, who wrote it, and the patch as the hub applied it.</p>
        </EmptyState>
      ) : null}
      {loaded && view ? (
        <>
          <section aria-label="Scrubber" className="scrubber">
            <label className="field">
              <span>Version {view.version} of {loaded.version}{oldest > 1 ? ` (the log reaches back to version ${oldest})` : ''}</span>
              <input type="range" aria-label="Version" min={oldest} max={loaded.version} step={1} value={view.version} onChange={(event) => setAt(Number(event.target.value))} />
            </label>
            <p className="muted small" data-testid="scrubber-caption">
              {view.entry ? <>Version {view.version}: {sectionsOf(view.entry).join(' + ')} written by <strong>{writerLabel(view.entry.writer)}</strong> at {view.entry.time}</> : <>Version {view.version}: the oldest version the change log reaches.</>}
            </p>
          </section>
          <div className="timeline-grid">
            <section aria-label="Twin at this version">
              <h3>The twin at version {view.version}</h3>
              <p className="muted small">Click a property to see when it changed and who changed it.</p>
              <PropertyTree value={{ tags: view.tags, properties: { desired: view.desired, reported: view.reported } }} onPick={setProperty} picked={property} />
              <label className="checkbox"><input type="checkbox" checked={showMetadata} onChange={(event) => setShowMetadata(event.target.checked)} /> Show the whole document with $metadata</label>
              {showMetadata ? <JsonBlock value={twinDocumentOf(view)} label={`Twin document at version ${view.version}`} testId="twin-at-version" /> : null}
            </section>
            <section aria-label="Property history">
              <h3>{property ? <>History of <code>{property}</code></> : 'Property history'}</h3>
              {property ? (
                changes.length === 0 ? <p className="muted">Not changed within the versions the log reaches.</p> : (
                  <table className="table" data-testid="property-history">
                    <thead><tr><th>Version</th><th>When</th><th>Who</th><th>Before</th><th>After</th></tr></thead>
                    <tbody>{changes.map((change) => (
                      <tr key={change.version}><td>{change.version}</td><td>{change.time}</td><td><WriterBadge writer={change.writer} /></td><td><code>{show(change.before)}</code></td><td><code>{show(change.after)}</code></td></tr>
                    ))}</tbody>
                  </table>
                )
              ) : <p className="muted">Pick a property in the twin.</p>}
            </section>
          </div>
          <section aria-label="Versions">
            <h3>Versions</h3>
            <table className="table" data-testid="timeline-table">
              <thead><tr><th>Version</th><th>When</th><th>Section</th><th>Writer</th><th>Patch as applied</th></tr></thead>
              <tbody>
                {[...loaded.views].reverse().map((row) => (
                  <tr key={row.version} className={row.version === view.version ? 'selected' : undefined} onClick={() => setAt(row.version)} data-version={row.version}>
                    <td>{row.version}</td>
                    <td>{row.entry?.time ?? '—'}</td>
                    <td>{row.entry ? sectionsOf(row.entry).join(', ') : 'oldest kept'}</td>
                    <td>{row.entry ? <WriterBadge writer={row.entry.writer} /> : null}</td>
                    <td><code className="patch">{row.entry ? patchText(row.entry) : ''}</code></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-label="Compare versions">
            <h3>Compare two versions</h3>
            <div className="row">
              <VersionSelect label="From version" views={loaded.views} value={from?.version} onChange={(version) => setCompare({ ...compare, from: version })} />
              <VersionSelect label="To version" views={loaded.views} value={to?.version} onChange={(version) => setCompare({ ...compare, to: version })} />
            </div>
            {diff.length === 0 ? <p className="muted">No differences.</p> : (
              <table className="table" data-testid="version-diff">
                <thead><tr><th>Path</th><th>Version {from?.version}</th><th>Version {to?.version}</th></tr></thead>
                <tbody>{diff.map((change) => (
                  <tr key={change.path}><td><code>{change.path}</code></td><td><code>{show(change.before)}</code></td><td><code>{show(change.after)}</code></td></tr>
                ))}</tbody>
              </table>
            )}
          </section>
        </>
      ) : null}
    </div>
  );
}

function VersionSelect({ label, views, value, onChange }: { label: string; views: readonly VersionView[]; value: number | undefined; onChange: (version: number) => void }) {
  return (
    <label className="field narrow"><span>{label}</span>
      <select aria-label={label} value={value ?? ''} onChange={(event) => onChange(Number(event.target.value))}>
        {views.map((view) => <option key={view.version} value={view.version}>{view.version}</option>)}
      </select>
    </label>
  );
}

/** The writer with its kind as a coloured badge. */
export function WriterBadge({ writer }: { writer: string }) {
  return <span className={`writer writer-${writerKind(writer)}`} title={writer}>{writerLabel(writer)}</span>;
}

/** A twin as a tree of clickable properties. */
function PropertyTree({ value, onPick, picked, prefix = '' }: { value: JsonObject; onPick: (path: string) => void; picked: string | undefined; prefix?: string }) {
  const keys = Object.keys(value);
  if (keys.length === 0) return <span className="muted small">{'{}'}</span>;
  return (
    <ul className="property-tree">
      {keys.map((key) => {
        const child = value[key] as JsonValue;
        const path = prefix ? `${prefix}.${key}` : key;
        const nested = typeof child === 'object' && child !== null && !Array.isArray(child);
        return (
          <li key={key}>
            <button type="button" className={`property ${picked === path ? 'picked' : ''}`} data-path={path} onClick={() => onPick(path)}>{key}</button>
            {nested ? <PropertyTree value={child} onPick={onPick} picked={picked} prefix={path} /> : <>: <code data-testid={`value-${path}`}>{show(child)}</code></>}
          </li>
        );
      })}
    </ul>
  );
}

function patchText(entry: TwinHistoryEntry): string {
  const parts: JsonObject = {};
  for (const part of sectionsOf(entry)) {
    const change = entry.changes[part as 'tags'];
    if (change) parts[change.mode === 'replace' ? `${part} (replaced)` : part] = change.patch;
  }
  const text = JSON.stringify(parts);
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

function show(value: JsonValue | undefined): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}
