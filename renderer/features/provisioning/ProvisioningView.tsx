import { useCallback, useEffect, useState } from 'react';

import type { EnrollmentDto, ProvisioningOverviewDto } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { CopyButton } from '../../components/CopyButton.js';
import { DeriveKeyHelper } from './DeriveKeyHelper.js';
import { EnrollmentForm } from './EnrollmentForm.js';

/**
 * The hub's Device Provisioning Service: the ID scope and service connection string, individual enrollments and
 * groups (with their keys), the registration history, and a helper that derives a group member's key.
 */
export function ProvisioningView() {
  const api = useApi();
  const [overview, setOverview] = useState<ProvisioningOverviewDto>();
  const [error, setError] = useState<string>();
  const refresh = useCallback(async () => {
    const result = await api.provisioning.overview({});
    if (result.ok) {
      setOverview(result.value);
      setError(undefined);
    } else setError(describeError(result.error));
  }, [api]);

  useEffect(() => {
    void refresh();
    const disposers = [api.on('emulator.status', () => void refresh()), api.on('provisioning.changed', () => void refresh())];
    return () => disposers.forEach((dispose) => dispose());
  }, [api, refresh]);

  const remove = async (kind: 'individual' | 'group' | 'registration', id: string) => {
    const result = await api.provisioning.remove({ kind, id });
    if (!result.ok) setError(describeError(result.error));
    await refresh();
  };

  return (
    <div className="pad" aria-label="Provisioning">
      <h2>Device Provisioning Service</h2>
      {error ? <p className="field-error" role="alert">{error}</p> : null}
      {overview ? (
        <>
          <dl className="facts">
            <dt>ID scope</dt>
            <dd><code data-testid="id-scope">{overview.idScope}</code> <CopyButton text={overview.idScope} what="ID scope" /></dd>
            <dt>Provisioning host</dt>
            <dd><code>{overview.hostName}</code> <span className="muted small">(the hub's MQTT/TLS, AMQP/TLS and HTTPS ports; trust its CA with NODE_EXTRA_CA_CERTS)</span></dd>
            <dt>Service connection string</dt>
            <dd><code className="secret">{overview.serviceConnectionString}</code> <CopyButton text={overview.serviceConnectionString} what="DPS service connection string" /></dd>
          </dl>
          <div className="row">
            <button type="button" className="button small" onClick={() => void refresh()}>Refresh</button>
          </div>
          <EnrollmentTable title="Individual enrollments" rows={overview.enrollments} onRemove={(id) => void remove('individual', id)} />
          <EnrollmentForm kind="individual" onSaved={() => void refresh()} />
          <EnrollmentTable title="Enrollment groups" rows={overview.groups} onRemove={(id) => void remove('group', id)} />
          <EnrollmentForm kind="group" onSaved={() => void refresh()} />
          <DeriveKeyHelper groups={overview.groups.filter((group) => group.attestationType === 'symmetricKey')} />
          <h3>Registration history</h3>
          {overview.registrations.length === 0 ? (
            <p className="muted">No device has registered yet.</p>
          ) : (
            <div className="table-scroll">
              <table className="grid" data-testid="registrations">
                <thead><tr><th>Registration id</th><th>Status</th><th>Device</th><th>Group</th><th>Last update</th><th /></tr></thead>
                <tbody>
                  {overview.registrations.map((row) => (
                    <tr key={row.registrationId}>
                      <td>{row.registrationId}</td>
                      <td>{row.status}{row.substatus ? ` (${row.substatus})` : ''}{row.errorMessage ? `: ${row.errorMessage}` : ''}</td>
                      <td>{row.deviceId ?? '—'}</td>
                      <td>{row.enrollmentGroupId ?? '—'}</td>
                      <td>{row.lastUpdatedDateTimeUtc}</td>
                      <td><button type="button" className="button small" aria-label={`Forget registration ${row.registrationId}`} onClick={() => void remove('registration', row.registrationId)}>Forget</button></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      ) : null}
    </div>
  );
}

function EnrollmentTable({ title, rows, onRemove }: { title: string; rows: readonly EnrollmentDto[]; onRemove: (id: string) => void }) {
  return (
    <section aria-label={title}>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <div className="table-scroll">
          <table className="grid">
            <thead><tr><th>Id</th><th>Status</th><th>Primary key / attestation</th><th>Initial twin</th><th /></tr></thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id}>
                  <td>{row.id}{row.deviceId ? <span className="muted small"> → {row.deviceId}</span> : null}</td>
                  <td>{row.provisioningStatus}</td>
                  <td>
                    {row.attestationType === 'symmetricKey' ? (
                      <><code className="secret">{row.primaryKey}</code> <CopyButton text={row.primaryKey} what={`primary key of ${row.id}`} /></>
                    ) : (
                      <span className="muted">{row.attestationType === 'x509' ? 'X.509 certificate' : row.attestationType}</span>
                    )}
                  </td>
                  <td><code>{JSON.stringify({ tags: row.tags, desired: row.desired })}</code></td>
                  <td><button type="button" className="button small" aria-label={`Delete ${row.id}`} onClick={() => onRemove(row.id)}>Delete</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
