import { useCallback, useState } from 'react';

import { quoteString } from '../../../emulator/query/index.js';
import type { JsonObject } from '../../../emulator/model/json.js';
import type { JobDto } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { EmptyState } from '../../components/EmptyState.js';
import { jobRequestOf, type JobFormValues } from './job-form.js';
import { usePoll } from './use-poll.js';

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

/** Scheduled jobs: create a twin-update or method job over a query condition, watch it per device, cancel it. */
export function JobsView() {
  const api = useApi();
  const load = useCallback(() => api.jobs.list({}), [api]);
  const { data: jobs, error, refresh } = usePoll(load, 1000);
  const [selected, setSelected] = useState<string>();
  const cancel = async (jobId: string) => {
    await api.jobs.cancel({ jobId });
    refresh();
  };
  return (
    <div className="jobs-view">
      <JobForm onScheduled={(jobId) => { setSelected(jobId); refresh(); }} />
      <section aria-label="Jobs">
        <h3>Jobs</h3>
        {error ? <p className="field-error" role="alert">{describeError(error)}</p> : null}
        {jobs && jobs.length === 0 ? <EmptyState title="No jobs yet"><p>A job applies a twin patch or calls a direct method on every device a query condition selects.</p></EmptyState> : null}
        {jobs && jobs.length > 0 ? (
          <table className="table" data-testid="jobs-table">
            <thead><tr><th>Job</th><th>Type</th><th>Status</th><th>Devices</th><th>Succeeded</th><th>Failed</th><th>Running</th><th>Pending</th><th /></tr></thead>
            <tbody>
              {[...jobs].reverse().map((job) => (
                <tr key={job.jobId} className={selected === job.jobId ? 'selected' : undefined} onClick={() => setSelected(job.jobId)}>
                  <td>{job.jobId}</td>
                  <td>{job.type === 'scheduleUpdateTwin' ? 'twin update' : 'method'}</td>
                  <td data-testid={`job-status-${job.jobId}`}>{job.status}{job.failureReason ? ` (${job.failureReason})` : ''}</td>
                  <td>{job.deviceJobStatistics.deviceCount}</td>
                  <td>{job.deviceJobStatistics.succeededCount}</td>
                  <td>{job.deviceJobStatistics.failedCount}</td>
                  <td>{job.deviceJobStatistics.runningCount}</td>
                  <td>{job.deviceJobStatistics.pendingCount}</td>
                  <td>{FINISHED.has(job.status) ? null : <button type="button" className="button small" onClick={(event) => { event.stopPropagation(); void cancel(job.jobId); }}>Cancel {job.jobId}</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      {selected && jobs?.some((job) => job.jobId === selected) ? <JobDevices job={jobs.find((job) => job.jobId === selected) as JobDto} /> : null}
    </div>
  );
}

function JobDevices({ job }: { job: JobDto }) {
  const api = useApi();
  const load = useCallback(() => api.query.run({ query: `SELECT * FROM devices.jobs WHERE devices.jobs.jobId = ${quoteString(job.jobId)}`, pageSize: 1000 }), [api, job.jobId]);
  const { data } = usePoll(load, 1000);
  const rows = (data?.items ?? []) as (JsonObject & { deviceId: string; status: string; error: { code: string } | null; outcome: JsonObject | null })[];
  return (
    <section aria-label={`Devices of ${job.jobId}`}>
      <h3>Devices of {job.jobId}</h3>
      <p className="muted small">Condition: <code>{job.queryCondition}</code> · start {job.startTime}{job.endTime ? ` · end ${job.endTime}` : ''}</p>
      {rows.length === 0 ? <p className="muted">No devices yet: the hub selects them when the job starts.</p> : (
        <table className="table" data-testid="job-devices">
          <thead><tr><th>Device</th><th>Status</th><th>Result</th></tr></thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.deviceId}>
                <td>{row.deviceId}</td>
                <td>{row.status}</td>
                <td>{row.error ? row.error.code : row.outcome ? JSON.stringify(row.outcome) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const TWIN_EXAMPLE = '{\n  "properties": { "desired": { "interval": 30 } }\n}';

function JobForm({ onScheduled }: { onScheduled: (jobId: string) => void }) {
  const api = useApi();
  const [values, setValues] = useState<JobFormValues>({
    jobId: `job-${Date.now().toString(36)}`, type: 'scheduleUpdateTwin', queryCondition: '', body: TWIN_EXAMPLE, methodName: 'reboot',
    startInSeconds: 0, maxExecutionTimeInSeconds: 3600,
  });
  const [message, setMessage] = useState<string>();
  const set = <K extends keyof JobFormValues>(key: K, value: JobFormValues[K]) => setValues((previous) => ({ ...previous, [key]: value }));
  const schedule = async () => {
    const request = jobRequestOf(values, new Date());
    if (!request.ok) {
      setMessage(request.message);
      return;
    }
    const response = await api.jobs.schedule({ jobId: values.jobId, job: request.job });
    if (!response.ok) {
      setMessage(describeError(response.error));
      return;
    }
    setMessage(undefined);
    onScheduled(values.jobId);
    set('jobId', `job-${Date.now().toString(36)}`);
  };
  return (
    <section aria-label="New job">
      <h3>New job</h3>
      <div className="row">
        <label className="field"><span>Job id</span><input value={values.jobId} onChange={(event) => set('jobId', event.target.value)} /></label>
        <label className="field"><span>Type</span>
          <select value={values.type} onChange={(event) => set('type', event.target.value as JobFormValues['type'])}>
            <option value="scheduleUpdateTwin">Twin update</option>
            <option value="scheduleDeviceMethod">Direct method</option>
          </select>
        </label>
        {values.type === 'scheduleDeviceMethod' ? <label className="field"><span>Method name</span><input value={values.methodName} onChange={(event) => set('methodName', event.target.value)} /></label> : null}
      </div>
      <label className="field"><span>Query condition (WHERE clause)</span><input value={values.queryCondition} placeholder="tags.site = 'a'" onChange={(event) => set('queryCondition', event.target.value)} /></label>
      <label className="field"><span>{values.type === 'scheduleUpdateTwin' ? 'Twin patch (JSON)' : 'Payload (JSON)'}</span>
        <textarea rows={4} value={values.body} onChange={(event) => set('body', event.target.value)} />
      </label>
      <div className="row">
        <label className="field narrow"><span>Start in (s)</span><input type="number" min={0} value={values.startInSeconds} onChange={(event) => set('startInSeconds', Number(event.target.value))} /></label>
        <label className="field narrow"><span>Max run (s)</span><input type="number" min={1} value={values.maxExecutionTimeInSeconds} onChange={(event) => set('maxExecutionTimeInSeconds', Number(event.target.value))} /></label>
      </div>
      <button type="button" className="button primary" onClick={() => void schedule()}>Schedule job</button>
      {message ? <p className="field-error" role="alert">{message}</p> : null}
    </section>
  );
}
