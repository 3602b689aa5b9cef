// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { renderWithStudio } from '../../test-utils/render.js';
import { jobRequestOf, type JobFormValues } from './job-form.js';
import { JobsView } from './JobsView.js';

afterEach(cleanup);

const FORM: JobFormValues = {
  jobId: 'j1', type: 'scheduleUpdateTwin', queryCondition: "tags.site = 'a'", body: '{"properties":{"desired":{"x":1}}}', methodName: 'reboot',
  startInSeconds: 0, maxExecutionTimeInSeconds: 60,
};

describe('the job form', () => {
  it('builds the JobRequest the hub takes, with a start time from now', () => {
    const now = new Date('2026-01-01T00:00:00.000Z');
    expect(jobRequestOf(FORM, now)).toEqual({ ok: true, job: {
      jobId: 'j1', type: 'scheduleUpdateTwin', queryCondition: "tags.site = 'a'", startTime: null, maxExecutionTimeInSeconds: 60, updateTwin: { properties: { desired: { x: 1 } } },
    } });
    const method = jobRequestOf({ ...FORM, type: 'scheduleDeviceMethod', body: 'null', startInSeconds: 30 }, now);
    expect(method).toMatchObject({ ok: true, job: { startTime: '2026-01-01T00:00:30.000Z', cloudToDeviceMethod: { methodName: 'reboot', payload: null, responseTimeoutInSeconds: 30 } } });
    expect(jobRequestOf({ ...FORM, body: '{' }, now)).toMatchObject({ ok: false });
    expect(jobRequestOf({ ...FORM, queryCondition: ' ' }, now)).toMatchObject({ ok: false });
  });
});

describe('the jobs view', () => {
  it('schedules a job, lists it with its status, and cancels it', async () => {
    const { api } = renderWithStudio(<JobsView />);
    fireEvent.change(screen.getByLabelText('Job id'), { target: { value: 'wave-1' } });
    fireEvent.change(screen.getByLabelText('Query condition (WHERE clause)'), { target: { value: "tags.site = 'a'" } });
    fireEvent.click(screen.getByRole('button', { name: 'Schedule job' }));
    await waitFor(() => expect(screen.getByTestId('job-status-wave-1').textContent).toBe('queued'));
    expect(api.calls.find((call) => call.channel === 'jobs.schedule')?.req).toMatchObject({ jobId: 'wave-1', job: { type: 'scheduleUpdateTwin', queryCondition: "tags.site = 'a'" } });
    fireEvent.click(screen.getByRole('button', { name: 'Cancel wave-1' }));
    await waitFor(() => expect(screen.getByTestId('job-status-wave-1').textContent).toBe('cancelled'));
  });

  it('shows the hub error for a reused id', async () => {
    const { api } = renderWithStudio(<JobsView />);
    await api.jobs.schedule({ jobId: 'taken', job: { type: 'scheduleUpdateTwin', queryCondition: 'x = 1' } });
    fireEvent.change(screen.getByLabelText('Job id'), { target: { value: 'taken' } });
    fireEvent.change(screen.getByLabelText('Query condition (WHERE clause)'), { target: { value: 'x = 1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Schedule job' }));
    expect((await screen.findByRole('alert')).textContent).toContain('JobAlreadyExists (409)');
  });
});
