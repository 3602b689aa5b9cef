import { json } from '@codemirror/lang-json';
import { useEffect, useMemo, useState } from 'react';

import type { IpcError, TwinDocument } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { CodeEditor } from '../../components/CodeEditor.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { ConflictTable } from './ConflictTable.js';
import { analyseDraft, draftConflicts, draftOf, editedSectionsUnchanged, persistDraft, rebaseDraft, restoreDraft, takeTheirs, type DraftConflict, type TwinDraft } from './draft.js';
import { addressFields, refOf, twinLabel } from './twin-key.js';
import { twinLinter } from './twin-lint.js';

const tagsExtensions = [json(), twinLinter('tags')];
const desiredExtensions = [json(), twinLinter('desired')];
/** How often a save is sent again with a fresh etag when only sections the user did not edit moved on. */
const MAX_RETRIES = 5;

/** Props of the tags + desired editor. */
export interface TwinEditorProps {
  /** The latest twin from the hub. */
  readonly twin: TwinDocument;
  /** A save succeeded with this twin. */
  readonly onSaved: (twin: TwinDocument) => void;
  /** Fetches the latest twin (for reload / merge after a conflict). */
  readonly reload: () => Promise<TwinDocument | undefined>;
}

function isConflict(error: IpcError | undefined): boolean {
  return !!error && (error.code === 'PreconditionFailed' || error.httpStatus === 412);
}

/**
 * Edits tags and desired properties in CodeMirror with the hub's rules checked as you type. Unsaved text is kept per
 * device and section (draft-store.ts) and comes back when the user returns. A save sends a JSON merge patch with an
 * etag; IoT Hub has only the whole-twin etag, so when the hub answers 412 and the sections the user edited did not
 * change (a device reported, say), the save is sent again with the fresh etag. A real conflict offers reload or
 * merge, and a merge lists the keys both sides changed, side by side.
 */
export function TwinEditor({ twin, onSaved, reload }: TwinEditorProps) {
  const api = useApi();
  const [draft, setDraft] = useState<TwinDraft>(() => restoreDraft(twin));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<IpcError>();
  const [conflicts, setConflicts] = useState<readonly DraftConflict[]>([]);
  const [confirmDiscard, setConfirmDiscard] = useState(false);
  const analysis = useMemo(() => analyseDraft(draft), [draft]);

  useEffect(() => persistDraft(draft), [draft]);
  // A clean editor follows the hub; a dirty one keeps the user's text (and its base etag).
  useEffect(() => {
    if (!analysis.dirty && twin.etag !== draft.base.etag) setDraft(draftOf(twin));
  }, [twin, analysis.dirty, draft.base.etag]);

  const conflict = isConflict(error);
  const stale = analysis.dirty && twin.etag !== draft.base.etag;
  // Not while a save or a merge is in flight: a save racing a merge would still carry the old base etag.
  const canSave = analysis.dirty && analysis.problems.length === 0 && analysis.patch !== undefined && !saving;

  const save = async () => {
    const patch = analysis.patch;
    if (!canSave || !patch) return;
    setSaving(true);
    setError(undefined);
    // Start from the newest twin the editor knows when the edited sections are the same there.
    let base = editedSectionsUnchanged(draft.base, twin, patch) ? twin : draft.base;
    let result = await api.twin.update({ ...addressFields(refOf(twin)), patch, etag: base.etag });
    for (let retry = 0; !result.ok && isConflict(result.error) && retry < MAX_RETRIES; retry += 1) {
      const latest = await reload();
      if (!latest || !editedSectionsUnchanged(draft.base, latest, patch)) break;
      base = latest;
      result = await api.twin.update({ ...addressFields(refOf(twin)), patch, etag: base.etag });
    }
    setSaving(false);
    if (!result.ok) return setError(result.error);
    setConflicts([]);
    setDraft(draftOf(result.value));
    onSaved(result.value);
  };
  const discard = async () => {
    setConfirmDiscard(false);
    setError(undefined);
    setConflicts([]);
    setDraft(draftOf((await reload()) ?? twin));
  };
  const merge = async () => {
    setSaving(true);
    const latest = (await reload()) ?? twin;
    setSaving(false);
    setError(undefined);
    setConflicts(draftConflicts(draft, latest));
    setDraft((current) => rebaseDraft(current, latest));
  };
  const useTheirs = (item: DraftConflict) => {
    setDraft((current) => takeTheirs(current, item));
    setConflicts((list) => list.filter((other) => other !== item));
  };

  return (
    <div className="twin-editor" data-testid="twin-editor" data-base-etag={draft.base.etag}>
      <div className="editor-columns">
        <section className="twin-column" aria-label="Tags editor">
          <h3>Tags <span className="muted small">back end only; devices never see them</span></h3>
          <CodeEditor value={draft.tags} onChange={(tags) => setDraft((d) => ({ ...d, tags }))} onSave={() => void save()} extensions={tagsExtensions} ariaLabel="Tags JSON" testId="tags-editor" />
        </section>
        <section className="twin-column" aria-label="Desired properties editor">
          <h3>Desired <span className="muted small">v{String(twin.properties.desired.$version ?? '?')} · sent to the device</span></h3>
          <CodeEditor value={draft.desired} onChange={(desired) => setDraft((d) => ({ ...d, desired }))} onSave={() => void save()} extensions={desiredExtensions} ariaLabel="Desired properties JSON" testId="desired-editor" />
        </section>
      </div>
      {analysis.problems.length > 0 ? (
        <ul className="problems" aria-label="Problems" data-testid="twin-problems">
          {analysis.problems.map((problem) => <li key={problem}>{problem}</li>)}
        </ul>
      ) : null}
      {stale && !conflict ? (
        <p className="notice" role="status">
          The hub has a newer version of this twin (version {twin.version}); you are editing version {draft.base.version} (etag{' '}
          <code data-testid="base-etag">{draft.base.etag}</code>). Saving sends your changes again on the newest version when nobody
          else changed the sections you edited; otherwise merge first.
          <button type="button" className="button small" onClick={() => void merge()}>Merge now</button>
        </p>
      ) : null}
      {conflict && error ? (
        <div className="conflict" role="alert" data-testid="twin-conflict">
          <strong>{describeError(error)}</strong>
          <p>
            Someone (a service app, a job, another window) changed the section you edited after you started from version
            {` ${draft.base.version}`}. The hub refused the save, as it would for any service SDK.
          </p>
          <button type="button" className="button" onClick={() => void discard()}>Reload (discard my changes)</button>
          <button type="button" className="button primary" onClick={() => void merge()}>Merge my changes onto the latest</button>
        </div>
      ) : null}
      {conflicts.length > 0 ? <ConflictTable conflicts={conflicts} onTakeTheirs={useTheirs} onKeepAll={() => setConflicts([])} /> : null}
      {error && !conflict ? <p className="field-error" role="alert">{describeError(error)}</p> : null}
      <div className="row">
        <button type="button" className="button primary" disabled={!canSave} onClick={() => void save()} title="Ctrl+S">
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="button" disabled={!analysis.dirty} onClick={() => setConfirmDiscard(true)}>
          Discard changes
        </button>
        {analysis.dirty ? <span className="muted small" data-testid="unsaved">unsaved changes (kept if you leave this device)</span> : null}
      </div>
      {confirmDiscard ? (
        <ConfirmDialog title="Discard your changes?" confirmLabel="Discard changes" danger onConfirm={() => void discard()} onCancel={() => setConfirmDiscard(false)}>
          <p>Your unsaved edits to the tags and desired properties of {twinLabel(refOf(twin))} are lost; the editor shows the hub&apos;s version.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
