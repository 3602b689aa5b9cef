import { useCallback, useMemo, useRef, useState } from 'react';

import { isObject } from '../twin-editor/json-ops.js';
import { useApi } from '../../api/api-context.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { useNow } from '../../hooks/use-now.js';
import { useRowVirtualizer } from '../../hooks/use-row-virtualizer.js';
import { useStore } from '../../state/store.js';
import { useStudio } from '../../state/studio-context.js';
import { useQueryHistory } from '../query-console/use-query-history.js';
import { runBulk, type BulkAction, type BulkProgress } from './bulk-actions.js';
import { FIXED_COLUMNS, viewRows, type ColumnId, type GridRow, type GridView } from './grid-model.js';
import { GridRowView } from './GridRowView.js';
import { queryAll, useGridTwins } from './use-grid-twins.js';

const ROW_HEIGHT = 34;
const TAG_COLUMNS_KEY = 'twin-studio.grid.tag-columns';

function readTagColumns(): string[] {
  try {
    const value: unknown = JSON.parse(window.localStorage.getItem(TAG_COLUMNS_KEY) ?? '[]');
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string').slice(0, 8) : [];
  } catch {
    return [];
  }
}

/** A query's condition or whole text → the query that selects device ids. */
function idQuery(text: string): string {
  const trimmed = text.trim();
  return /^select\b/i.test(trimmed) ? trimmed : `SELECT deviceId FROM devices WHERE ${trimmed}`;
}

/**
 * Every device as a sortable, filterable, virtualised grid (10,000 rows scroll like 40): identity and connection
 * facts from the list, tags / model id / pending desired from the twins; multi-select with bulk actions.
 */
export function DeviceGrid({ onOpen }: { onOpen: (deviceId: string) => void }) {
  const api = useApi();
  const state = useStore(useStudio().devices);
  const twins = useGridTwins();
  const now = useNow(5000);
  const [history] = useQueryHistory();
  const [view, setView] = useState<GridView>({ sort: { column: 'deviceId', descending: false }, text: '' });
  const [queryText, setQueryText] = useState('');
  const [queryState, setQueryState] = useState<{ busy: boolean; error?: string; query?: string }>({ busy: false });
  const [tagColumns, setTagColumns] = useState<string[]>(readTagColumns);
  const [newTag, setNewTag] = useState('');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [anchor, setAnchor] = useState<number>();
  const [bulk, setBulk] = useState<BulkProgress>();
  const [confirm, setConfirm] = useState<BulkAction>();
  const [patchSection, setPatchSection] = useState<'tags' | 'desired'>('tags');
  const [patchText, setPatchText] = useState('{\n  "site": "lab"\n}');
  const scroller = useRef<HTMLDivElement>(null);

  const rows = useMemo(() => viewRows(state.devices, twins, view), [state.devices, twins, view]);
  const virtual = useRowVirtualizer(scroller, rows.length, ROW_HEIGHT, 16);
  // Kept by identity (like the callbacks below) so a scroll step does not re-render the rows already in view.
  const columns = useMemo<{ id: ColumnId; label: string; width: string }[]>(
    () => [...FIXED_COLUMNS, ...tagColumns.map((path) => ({ id: `tag:${path}` as ColumnId, label: `tags.${path}`, width: 'minmax(90px, 1fr)' }))],
    [tagColumns],
  );
  const template = `36px ${columns.map((column) => column.width).join(' ')}`;
  const selectedShown = rows.filter((row) => selected.has(row.device.deviceId)).length;
  const allShownSelected = rows.length > 0 && selectedShown === rows.length;

  let patch: { ok: true; value: Record<string, unknown> } | { ok: false; message: string };
  try {
    const parsed: unknown = JSON.parse(patchText);
    patch = isObject(parsed) ? { ok: true, value: parsed } : { ok: false, message: 'The patch must be a JSON object.' };
  } catch (error) {
    patch = { ok: false, message: error instanceof Error ? error.message : 'Not valid JSON' };
  }

  const sortBy = (column: ColumnId) =>
    setView((current) => ({ ...current, sort: { column, descending: current.sort.column === column ? !current.sort.descending : false } }));
  const saveTagColumns = (next: string[]) => {
    setTagColumns(next);
    window.localStorage.setItem(TAG_COLUMNS_KEY, JSON.stringify(next));
  };
  const toggle = (index: number, shift: boolean) => {
    const row = rows[index];
    if (!row) return;
    setSelected((current) => {
      const next = new Set(current);
      const on = !current.has(row.device.deviceId);
      const [from, to] = shift && anchor !== undefined ? [Math.min(anchor, index), Math.max(anchor, index)] : [index, index];
      for (let i = from; i <= to; i += 1) {
        const id = (rows[i] as GridRow).device.deviceId;
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });
    setAnchor(index);
  };
  const latestToggle = useRef(toggle);
  latestToggle.current = toggle;
  const onToggle = useCallback((index: number, shift: boolean) => latestToggle.current(index, shift), []);
  const latestOpen = useRef(onOpen);
  latestOpen.current = onOpen;
  const openDevice = useCallback((deviceId: string) => latestOpen.current(deviceId), []);
  const selectAllShown = (on: boolean) => setSelected(on ? new Set(rows.map((row) => row.device.deviceId)) : new Set());
  const applyQuery = async () => {
    if (!queryText.trim()) return setView((current) => ({ ...current, queryIds: undefined }));
    const query = idQuery(queryText);
    setQueryState({ busy: true, query });
    const items = await queryAll(api, query);
    if (!Array.isArray(items)) return setQueryState({ busy: false, error: items.error, query });
    setQueryState({ busy: false, query });
    setView((current) => ({ ...current, queryIds: new Set(items.map((item) => item.deviceId).filter((id): id is string => typeof id === 'string')) }));
  };
  const run = async (action: BulkAction) => {
    setConfirm(undefined);
    const ids = rows.filter((row) => selected.has(row.device.deviceId)).map((row) => row.device.deviceId);
    setBulk({ done: 0, total: ids.length, failures: [] });
    const result = await runBulk(api, action, ids, setBulk);
    setBulk(result);
    if (action.kind === 'delete') setSelected(new Set());
  };
  const simulatedSelected = rows.some((row) => row.device.simulated && selected.has(row.device.deviceId));

  return (
    <section className="device-grid" aria-label="Device grid">
      <div className="list-toolbar wrap">
        <span className="muted small" data-testid="grid-count" aria-live="polite">
          {state.devices.size.toLocaleString('en')} devices · {rows.length.toLocaleString('en')} shown · {selected.size.toLocaleString('en')} selected
        </span>
        <input type="search" aria-label="Filter devices by id or tag" placeholder="Filter by id or tag text" value={view.text} onChange={(event) => setView({ ...view, text: event.target.value })} />
        <input
          className="mono"
          aria-label="Filter by query"
          placeholder="Query condition, e.g. tags.site = 'lab'"
          list="grid-query-history"
          value={queryText}
          onChange={(event) => setQueryText(event.target.value)}
          onKeyDown={(event) => event.key === 'Enter' && void applyQuery()}
        />
        <datalist id="grid-query-history">
          {history.map((query) => <option key={query} value={query} />)}
        </datalist>
        <button type="button" className="button small" disabled={queryState.busy} onClick={() => void applyQuery()}>{queryState.busy ? 'Querying…' : 'Apply query'}</button>
        {view.queryIds ? (
          <button type="button" className="button small" onClick={() => { setQueryText(''); setView({ ...view, queryIds: undefined }); }}>Clear query</button>
        ) : null}
        <label className="inline small">
          Tag column{' '}
          <input aria-label="Tag path to add as a column" placeholder="location.building" value={newTag} onChange={(event) => setNewTag(event.target.value)} size={14} />
        </label>
        <button type="button" className="button small" disabled={!newTag.trim() || tagColumns.includes(newTag.trim())} onClick={() => { saveTagColumns([...tagColumns, newTag.trim()]); setNewTag(''); }}>Add column</button>
        {tagColumns.map((path) => (
          <button key={path} type="button" className="button small" onClick={() => saveTagColumns(tagColumns.filter((other) => other !== path))} aria-label={`Remove column tags.${path}`}>tags.{path} ✕</button>
        ))}
      </div>
      {queryState.error ? <p className="field-error" role="alert">{queryState.error}</p> : null}
      {selected.size > 0 ? (
        <div className="bulk-bar" role="region" aria-label="Bulk actions">
          <strong>{selected.size.toLocaleString('en')} selected</strong>
          <button type="button" className="button small danger" onClick={() => setConfirm({ kind: 'delete' })}>Delete…</button>
          <button type="button" className="button small" onClick={() => void run({ kind: 'status', status: 'enabled' })}>Enable</button>
          <button type="button" className="button small" onClick={() => void run({ kind: 'status', status: 'disabled' })}>Disable</button>
          <label className="inline small">
            Patch{' '}
            <select aria-label="Patch section" value={patchSection} onChange={(event) => setPatchSection(event.target.value as 'tags' | 'desired')}>
              <option value="tags">tags</option>
              <option value="desired">desired</option>
            </select>
          </label>
          <textarea className="mono" aria-label="Patch JSON" rows={2} cols={28} value={patchText} onChange={(event) => setPatchText(event.target.value)} />
          <button type="button" className="button small" disabled={!patch.ok} onClick={() => patch.ok && void run({ kind: 'patch', section: patchSection, patch: patch.value as never })}>Apply patch</button>
          <button type="button" className="button small" disabled={!simulatedSelected} onClick={() => void run({ kind: 'simulation', runState: 'running' })}>Start simulations</button>
          <button type="button" className="button small" disabled={!simulatedSelected} onClick={() => void run({ kind: 'simulation', runState: 'stopped' })}>Stop simulations</button>
          <button type="button" className="button small" onClick={() => setSelected(new Set())}>Clear selection</button>
          {!patch.ok ? <span className="field-error small">{patch.message}</span> : null}
        </div>
      ) : null}
      {bulk ? (
        <p role="status" className="small" data-testid="bulk-progress">
          {bulk.done.toLocaleString('en')} of {bulk.total.toLocaleString('en')} done{bulk.failures.length > 0 ? `, ${bulk.failures.length} failed: ${bulk.failures.slice(0, 3).map((f) => `${f.deviceId} (${f.message})`).join('; ')}` : ''}
        </p>
      ) : null}
      <div className="grid-table" role="table" aria-label="Devices" aria-rowcount={rows.length + 1}>
        <div className="grid-row grid-head" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
          <span role="columnheader">
            <input type="checkbox" aria-label="Select all shown devices" checked={allShownSelected} onChange={(event) => selectAllShown(event.target.checked)} />
          </span>
          {columns.map((column) => (
            <span key={column.id} role="columnheader" aria-sort={view.sort.column === column.id ? (view.sort.descending ? 'descending' : 'ascending') : 'none'}>
              <button type="button" className="link" onClick={() => sortBy(column.id)}>
                {column.label}{view.sort.column === column.id ? (view.sort.descending ? ' ▼' : ' ▲') : ''}
              </button>
            </span>
          ))}
        </div>
        <div ref={scroller} className="grid-body" data-testid="grid-body">
          <div role="rowgroup" style={{ height: virtual.getTotalSize(), position: 'relative' }}>
            {virtual.getVirtualItems().map((item) => {
              const row = rows[item.index] as GridRow;
              return (
                <GridRowView
                  key={row.device.deviceId}
                  row={row}
                  index={item.index}
                  start={item.start}
                  height={ROW_HEIGHT}
                  template={template}
                  columns={columns}
                  selected={selected.has(row.device.deviceId)}
                  now={now}
                  onToggle={onToggle}
                  onOpen={openDevice}
                />
              );
            })}
          </div>
        </div>
      </div>
      {confirm?.kind === 'delete' ? (
        <ConfirmDialog title={`Delete ${selected.size.toLocaleString('en')} devices?`} confirmLabel="Delete devices" danger onConfirm={() => void run(confirm)} onCancel={() => setConfirm(undefined)}>
          <p>Their identities and twins are deleted; connected devices are disconnected. Simulations of these devices are removed too.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
