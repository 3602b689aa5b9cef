import { useState } from 'react';

import type { EnrollmentDto } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { CopyButton } from '../../components/CopyButton.js';

/** A group member's device key: HMAC-SHA256(group primary key, registration id), as the device must sign with. */
export function DeriveKeyHelper({ groups }: { groups: readonly EnrollmentDto[] }) {
  const api = useApi();
  const [groupId, setGroupId] = useState('');
  const [registrationId, setRegistrationId] = useState('');
  const [key, setKey] = useState<string>();
  const [error, setError] = useState<string>();
  const group = groups.find((candidate) => candidate.id === groupId) ?? groups[0];

  const derive = async () => {
    if (!group) return;
    const result = await api.provisioning.deriveKey({ groupKey: group.primaryKey, registrationId });
    if (result.ok) {
      setKey(result.value.key);
      setError(undefined);
    } else setError(describeError(result.error));
  };

  return (
    <section aria-label="Derive device key">
      <h3>Derive a device key</h3>
      {groups.length === 0 ? (
        <p className="muted">Add an enrollment group first.</p>
      ) : (
        <form className="row wrap" onSubmit={(event) => { event.preventDefault(); void derive(); }}>
          <label className="field"><span>Group</span>
            <select value={group?.id ?? ''} onChange={(event) => setGroupId(event.target.value)}>
              {groups.map((candidate) => <option key={candidate.id} value={candidate.id}>{candidate.id}</option>)}
            </select>
          </label>
          <label className="field"><span>Registration id</span><input value={registrationId} onChange={(event) => setRegistrationId(event.target.value)} maxLength={128} /></label>
          <button type="submit" className="button" disabled={registrationId.trim() === ''}>Derive</button>
        </form>
      )}
      {key ? <p><code className="secret" data-testid="derived-key">{key}</code> <CopyButton text={key} what="derived device key" /></p> : null}
      {error ? <p className="field-error" role="alert">{error}</p> : null}
    </section>
  );
}
