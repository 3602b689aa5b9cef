import { useEffect, useMemo, useState } from 'react';

import type { TwinDocument } from '../../../main/contract/index.js';
import { describeError } from '../../api/async-state.js';
import { JsonBlock } from '../../components/JsonBlock.js';
import { DeltaView } from './DeltaView.js';
import { DiffView } from './DiffView.js';
import { FullTwinView } from './FullTwinView.js';
import { withoutMeta } from './json-ops.js';
import { lastSeen, markSeen } from './last-seen.js';
import { twinDelta } from './twin-delta.js';
import { diffTwins } from './twin-diff.js';
import { TwinEditor } from './TwinEditor.js';
import { twinKey } from './twin-key.js';
import { useTwin } from './use-twin.js';

/**
 * Tags and desired (editable) beside reported (read-only), with `$metadata`, versions, delta and diff: of a device's
 * twin, or of a module twin when `moduleId` is given (the same channels, the module's own versions and etag).
 */
export function TwinPanel({ deviceId, moduleId }: { deviceId: string; moduleId?: string }) {
  const { state, reload, accept } = useTwin(deviceId, moduleId);
  const key = twinKey({ deviceId, moduleId });
  const [showMetadata, setShowMetadata] = useState(false);
  const [seenVersion, setSeenVersion] = useState(0);
  const twin = 'data' in state ? state.data : undefined;

  useEffect(() => {
    if (twin && !lastSeen(key)) {
      markSeen(twin);
      setSeenVersion((n) => n + 1);
    }
  }, [twin, key]);

  const delta = useMemo(() => (twin ? twinDelta(twin.properties.desired, twin.properties.reported) : []), [twin]);
  const seen = lastSeen(key);
  const diff = useMemo(() => (twin && seen ? diffTwins(seen, twin) : undefined), [twin, seen, seenVersion]);

  if (state.status === 'error' && !twin) return <p className="field-error" role="alert">{describeError(state.error)}</p>;
  if (!twin) return <p className="muted">Loading the twin…</p>;

  const saved = (next: TwinDocument) => {
    accept(next);
    markSeen(next);
    setSeenVersion((n) => n + 1);
  };
  const reported = twin.properties.reported;

  return (
    <div className="twin-panel">
      <div className="twin-summary muted small">
        twin version <strong data-testid="twin-version">{twin.version}</strong> · etag <code data-testid="twin-etag">{twin.etag}</code>
        {' · '}model id <code data-testid="model-id">{typeof twin.modelId === 'string' && twin.modelId ? twin.modelId : 'none'}</code>
        <label className="checkbox inline">
          <input type="checkbox" checked={showMetadata} onChange={(event) => setShowMetadata(event.target.checked)} /> show the full twin with $metadata
        </label>
      </div>
      <div className="twin-layout">
        <TwinEditor key={key} twin={twin} onSaved={saved} reload={reload} />
        <section className="twin-column reported" aria-label="Reported properties">
          <h3>Reported <span className="muted small">v<span data-testid="reported-version">{String(reported.$version)}</span> · written by the {moduleId === undefined ? 'device' : 'module'} only</span></h3>
          {Object.keys(withoutMeta(reported)).length === 0 ? (
            <p className="muted">
              {moduleId === undefined
                ? 'The device has not reported anything yet. Devices report state (firmware, readings, applied settings) with a reported-properties PATCH.'
                : 'The module has not reported anything yet. A module reports on its own twin with a reported-properties PATCH, as a device does.'}
            </p>
          ) : null}
          <JsonBlock value={withoutMeta(reported)} label="Reported properties JSON" testId="reported-json" />
        </section>
      </div>
      {showMetadata ? <FullTwinView twin={twin} /> : null}
      <DeltaView entries={delta} />
      {diff ? (
        <DiffView
          diff={diff}
          onMarkSeen={() => {
            markSeen(twin);
            setSeenVersion((n) => n + 1);
          }}
        />
      ) : null}
    </div>
  );
}
