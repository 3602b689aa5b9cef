import { useCallback, useEffect, useState } from 'react';

import type { SnapshotInfoDto } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { EmptyState } from '../../components/EmptyState.js';
import { useStudio } from '../../state/studio-context.js';

/** Save the whole hub under a name and bring it back in one click (lesson resets, "before the demo"). */
export function SnapshotsPanel() {
  const api = useApi();
  const studio = useStudio();
  const [snapshots, setSnapshots] = useState<SnapshotInfoDto[]>([]);
  const [name, setName] = useState('before class');
  const [message, setMessage] = useState<string>();

  const refresh = useCallback(async () => {
    const result = await api.snapshots.list({});
    if (result.ok) setSnapshots(result.value);
    else setMessage(describeError(result.error));
  }, [api]);
  useEffect(() => void refresh(), [refresh]);

  const save = async () => {
    const result = await api.snapshots.save({ name: name.trim() });
    setMessage(result.ok ? `Saved “${result.value.name}”: ${result.value.devices} devices with their twins.` : describeError(result.error));
    await refresh();
  };
  const restore = async (snapshot: string) => {
    const result = await api.snapshots.restore({ name: snapshot });
    if (result.ok) {
      const { created, replaced, deleted } = result.value;
      setMessage(`Restored “${snapshot}”: ${replaced} devices put back, ${created} re-created, ${deleted} deleted.`);
      await studio.refreshDevices();
    } else setMessage(describeError(result.error));
  };
  const remove = async (snapshot: string) => {
    const result = await api.snapshots.remove({ name: snapshot });
    if (!result.ok) setMessage(describeError(result.error));
    await refresh();
  };

  return (
    <div className="snapshots">
      <div className="row wrap">
        <label className="field"><span>Snapshot name</span><input aria-label="Snapshot name" value={name} onChange={(event) => setName(event.target.value)} /></label>
        <button type="button" className="button primary" disabled={name.trim() === ''} onClick={() => void save()}>Save snapshot</button>
      </div>
      {message ? <p role="status" className="notice">{message}</p> : null}
      {snapshots.length === 0 ? (
        <EmptyState title="No snapshots yet"><p>A snapshot keeps every device, module and twin exactly — versions, etags, $metadata, pending cloud-to-device messages and the twin change logs. Restoring one puts the hub back as it was, for the next class or the next try.</p></EmptyState>
      ) : (
        <table className="table" data-testid="snapshots-table">
          <thead><tr><th>Name</th><th>Saved</th><th>Devices</th><th /></tr></thead>
          <tbody>
            {snapshots.map((snapshot) => (
              <tr key={snapshot.name}>
                <td>{snapshot.name}</td>
                <td>{snapshot.takenAt}</td>
                <td>{snapshot.devices}</td>
                <td className="row">
                  <button type="button" className="button small primary" onClick={() => void restore(snapshot.name)}>Restore {snapshot.name}</button>
                  <button type="button" className="button small" onClick={() => void remove(snapshot.name)}>Delete {snapshot.name}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
