import { useState, type FormEvent } from 'react';

import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { relativeTime } from '../../components/time.js';
import { useNow } from '../../hooks/use-now.js';
import { TwinPanel } from '../twin-editor/TwinPanel.js';
import { ModuleConnection } from './ModuleConnection.js';
import { useModules } from './use-modules.js';

/**
 * A device's module identities (iothub-protocol.md §3.6): list, add, delete, and the module twin of the one opened,
 * edited through the same twin panel and channels as the device twin (with the module's own versions and etag).
 */
export function ModulesPanel({ deviceId }: { deviceId: string }) {
  const api = useApi();
  const { modules, error: listError, reload } = useModules(deviceId);
  const [open, setOpen] = useState<string>();
  const [newId, setNewId] = useState('');
  const [confirmDelete, setConfirmDelete] = useState<string>();
  const [error, setError] = useState<string>();
  const now = useNow(5000);

  const create = async (event: FormEvent) => {
    // The new module opens, with its connection string and twin.
    event.preventDefault();
    const moduleId = newId.trim();
    if (!moduleId) return;
    const result = await api.modules.create({ deviceId, moduleId });
    if (!result.ok) return setError(describeError(result.error));
    setError(undefined);
    setNewId('');
    setOpen(moduleId);
    await reload();
  };
  const remove = async (moduleId: string) => {
    setConfirmDelete(undefined);
    const result = await api.modules.delete({ deviceId, moduleId });
    if (!result.ok) return setError(describeError(result.error));
    setError(undefined);
    if (open === moduleId) setOpen(undefined);
    await reload();
  };

  return (
    <div className="modules-panel">
      <form className="row" onSubmit={(event) => void create(event)} aria-label="Add a module identity">
        <label className="field">
          <span>Module id</span>
          <input value={newId} onChange={(event) => setNewId(event.target.value)} placeholder="e.g. sensor-module" maxLength={128} />
        </label>
        <button type="submit" className="button primary" disabled={!newId.trim()}>Add module</button>
      </form>
      {error ? <p className="field-error" role="alert">{error}</p> : null}
      {listError ? <p className="field-error" role="alert">{describeError(listError)}</p> : null}
      {modules === undefined ? <p className="muted">Loading modules…</p> : null}
      {modules?.length === 0 ? (
        <p className="muted">No module identities. A module has its own keys, connection and twin; IoT Edge modules and apps that split one device into parts use them.</p>
      ) : null}
      {modules && modules.length > 0 ? (
        <table className="table" data-testid="modules-table" aria-label={`Modules of ${deviceId}`}>
          <thead><tr><th>Module</th><th>Connection</th><th>Last activity</th><th>Managed by</th><th>Twin version</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {modules.map((module) => (
              <tr key={module.moduleId} className={open === module.moduleId ? 'selected' : undefined} data-module-id={module.moduleId}>
                <td>
                  <button type="button" className="link" aria-pressed={open === module.moduleId} onClick={() => setOpen(module.moduleId)}>{module.moduleId}</button>
                </td>
                <td><StatusBadge tone={module.connectionState === 'Connected' ? 'good' : 'neutral'}>{module.connectionState}</StatusBadge></td>
                <td>{relativeTime(module.lastActivityTime, now)}</td>
                <td>{module.managedBy ?? '—'}</td>
                <td>{module.twinVersion}</td>
                <td>
                  <button type="button" className="button small danger" aria-label={`Delete module ${module.moduleId}`} onClick={() => setConfirmDelete(module.moduleId)}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {open && modules?.some((module) => module.moduleId === open) ? (
        <section className="module-twin" aria-label={`Module twin ${open}`}>
          <h3>Module twin: {open}</h3>
          <ModuleConnection key={open} deviceId={deviceId} moduleId={open} />
          <TwinPanel key={open} deviceId={deviceId} moduleId={open} />
        </section>
      ) : null}
      {confirmDelete ? (
        <ConfirmDialog title={`Delete module ${confirmDelete}?`} confirmLabel="Delete module" danger onConfirm={() => void remove(confirmDelete)} onCancel={() => setConfirmDelete(undefined)}>
          <p>The module identity and its twin are deleted; a connected module is disconnected. The device {deviceId} stays.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
