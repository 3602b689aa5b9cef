import { json } from '@codemirror/lang-json';
import { useEffect, useMemo, useState } from 'react';

import type { IpcError, TwinDocument } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { CodeEditor } from '../../components/CodeEditor.js';
import { analyseDraft, draftOf, rebaseDraft, type TwinDraft } from './draft.js';
import { twinLinter } from './twin-lint.js';

const tagsExtensions = [json(), twinLinter('tags')];
const desiredExtensions = [json(), twinLinter('desired')];

/** Props of the tags + desired editor. */
export interface TwinEditorProps {
  /** The latest twin from the hub. */
  readonly twin: TwinDocument;
  /** A save succeeded with this twin. */
  readonly onSaved: (twin: TwinDocument) => void;
  /** Fetches the latest twin (for reload / merge after a conflict). */
  readonly reload: () => Promise<TwinDocument | undefined>;
}

/**
 * Edits tags and desired properties in CodeMirror with the hub's rules checked as you type; saves a JSON merge
 * patch with the etag of the version the edit started from, so a concurrent change surfaces as the hub's 412
 * PreconditionFailed — with the choice to reload (drop my edits) or merge (re-apply them on the latest version).
 */
export function TwinEditor({ twin, onSaved, reload }: TwinEditorProps) {
  const api = useApi();
  const [draft, setDraft] = useState<TwinDraft>(() => draftOf(twin));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<IpcError>();
  const analysis = useMemo(() => analyseDraft(draft), [draft]);

  // A clean editor follows the hub; a dirty one keeps the user's text (and its base etag).
  useEffect(() => {
    if (!analysis.dirty && twin.etag !== draft.base.etag) setDraft(draftOf(twin));
  }, [twin, analysis.dirty, draft.base.etag]);

  const conflict = error && (error.code === 'PreconditionFailed' || error.httpStatus === 412);
  const stale = analysis.dirty && twin.etag !== draft.base.etag;
  // Not while a save or a merge is in flight: a save racing a merge would still carry the old base etag.
  const canSave = analysis.dirty && analysis.problems.length === 0 && analysis.patch !== undefined && !saving;

  const save = async () => {
    if (!canSave || !analysis.patch) return;
    setSaving(true);
    setError(undefined);
    const result = await api.twin.update({ deviceId: twin.deviceId, patch: analysis.patch, etag: draft.base.etag });
    setSaving(false);
    if (!result.ok) return setError(result.error);
    setDraft(draftOf(result.value));
    onSaved(result.value);
  };
  const discard = async () => {
    setError(undefined);
    setDraft(draftOf((await reload()) ?? twin));
  };
  const merge = async () => {
    setSaving(true);
    const latest = (await reload()) ?? twin;
    setSaving(false);
    setError(undefined);
    setDraft((current) => rebaseDraft(current, latest));
  };

  return (
    <div className="twin-editor">
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
          The hub has a newer version of this twin (version {twin.version}); you are editing version {draft.base.version}. Saving will
          be refused with 412 unless you merge first.
          <button type="button" className="button small" onClick={() => void merge()}>Merge now</button>
        </p>
      ) : null}
      {conflict && error ? (
        <div className="conflict" role="alert" data-testid="twin-conflict">
          <strong>{describeError(error)}</strong>
          <p>
            Someone (a service app, the device, another window) changed this twin after you started editing version
            {` ${draft.base.version}`} (etag <code>{draft.base.etag}</code>). The hub refused the save, as it would for any service SDK.
          </p>
          <button type="button" className="button" onClick={() => void discard()}>Reload (discard my changes)</button>
          <button type="button" className="button primary" onClick={() => void merge()}>Merge my changes onto the latest</button>
        </div>
      ) : null}
      {error && !conflict ? <p className="field-error" role="alert">{describeError(error)}</p> : null}
      <div className="row">
        <button type="button" className="button primary" disabled={!canSave} onClick={() => void save()} title="Ctrl+S">
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="button" disabled={!analysis.dirty} onClick={() => void discard()}>
          Discard changes
        </button>
        <span className="muted small">
          etag <code data-testid="base-etag">{draft.base.etag}</code> · twin version {draft.base.version}
          {analysis.dirty ? ' · unsaved changes' : ''}
        </span>
      </div>
    </div>
  );
}
