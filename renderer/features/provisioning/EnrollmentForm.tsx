import { useState } from 'react';

import type { JsonObject } from '../../../emulator/model/json.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';

/** Parses an optional JSON object field; undefined when empty, an error text when it is not an object. */
function objectField(text: string, name: string): { value?: JsonObject; error?: string } {
  if (text.trim() === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { value: value as JsonObject };
  } catch {
    // Reported below.
  }
  return { error: `${name} must be a JSON object.` };
}

/** Creates (or updates) a symmetric-key individual enrollment or enrollment group; keys are generated. */
export function EnrollmentForm({ kind, onSaved }: { kind: 'individual' | 'group'; onSaved: () => void }) {
  const api = useApi();
  const [id, setId] = useState('');
  const [disabled, setDisabled] = useState(false);
  const [tags, setTags] = useState('');
  const [desired, setDesired] = useState('');
  const [outcome, setOutcome] = useState<string>();
  const label = kind === 'individual' ? 'Registration id' : 'Enrollment group id';

  const save = async () => {
    const parsedTags = objectField(tags, 'Tags');
    const parsedDesired = objectField(desired, 'Desired');
    const problem = parsedTags.error ?? parsedDesired.error;
    if (problem) {
      setOutcome(problem);
      return;
    }
    const common = {
      provisioningStatus: disabled ? ('disabled' as const) : ('enabled' as const),
      ...(parsedTags.value ? { tags: parsedTags.value } : {}),
      ...(parsedDesired.value ? { desired: parsedDesired.value } : {}),
    };
    const result = kind === 'individual' ? await api.provisioning.putEnrollment({ registrationId: id, ...common }) : await api.provisioning.putGroup({ enrollmentGroupId: id, ...common });
    if (!result.ok) {
      setOutcome(describeError(result.error));
      return;
    }
    setOutcome(`Saved ${result.value.id}.`);
    setId('');
    onSaved();
  };

  return (
    <form className="register-form" aria-label={kind === 'individual' ? 'Add individual enrollment' : 'Add enrollment group'} onSubmit={(event) => { event.preventDefault(); void save(); }}>
      <div className="row wrap">
        <label className="field"><span>{label}</span><input value={id} onChange={(event) => setId(event.target.value)} required maxLength={128} /></label>
        <label className="field"><span>Initial tags (JSON)</span><input value={tags} onChange={(event) => setTags(event.target.value)} placeholder='{"site":"lab"}' /></label>
        <label className="field"><span>Initial desired (JSON)</span><input value={desired} onChange={(event) => setDesired(event.target.value)} placeholder='{"interval":30}' /></label>
        <label className="checkbox"><input type="checkbox" checked={disabled} onChange={(event) => setDisabled(event.target.checked)} />Disabled</label>
        <button type="submit" className="button primary" disabled={id.trim() === ''}>{kind === 'individual' ? 'Add enrollment' : 'Add group'}</button>
      </div>
      {outcome ? <p role="status">{outcome}</p> : null}
    </form>
  );
}
