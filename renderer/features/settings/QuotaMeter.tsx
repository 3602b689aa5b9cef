import { useCallback } from 'react';

import { useApi } from '../../api/api-context.js';
import { usePolled } from '../../hooks/use-polled.js';

/** How often the meter asks the hub for its counters. */
export const QUOTA_POLL_MS = 2000;

function windowText(seconds: number): string {
  if (seconds === 1) return '/s';
  if (seconds === 60) return '/min';
  return ` per ${seconds} s`;
}

function amount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/**
 * The quota meter (tier emulation): per operation family, the allowance used in the current window (above 100 %
 * while requests wait in the traffic-shaping queue), how many waited and how many were throttled (429); and the
 * daily message quota. Polls `emulator.tierUsage`.
 */
export function QuotaMeter() {
  const api = useApi();
  const read = useCallback(() => api.emulator.tierUsage({}), [api]);
  const { value: usage, error } = usePolled(read, QUOTA_POLL_MS);

  return (
    <section aria-label="Quota meter">
      <h3>Quotas and throttles</h3>
      {error ? <p className="muted">{error}</p> : null}
      {usage === null ? <p className="muted">Tier emulation is off: nothing is throttled. Choose a tier above to emulate IoT Hub&apos;s limits.</p> : null}
      {usage ? (
        <>
          <p className="muted small">
            Tier {usage.tier} × {usage.units}. Daily quota:{' '}
            <meter aria-label="daily quota" min={0} max={usage.dailyQuota.limit} value={Math.min(usage.dailyQuota.used, usage.dailyQuota.limit)} />{' '}
            <span data-testid="daily-quota">{usage.dailyQuota.used} / {usage.dailyQuota.limit} messages</span>
            {usage.dailyQuota.refused > 0 ? `, ${usage.dailyQuota.refused} refused (403002)` : ''}; resets {new Date(usage.dailyQuota.resetsAt).toLocaleString()}.
          </p>
          <table className="table compact">
            <thead>
              <tr><th>Operations</th><th>Used / limit</th><th>Waited</th><th>Throttled (429)</th></tr>
            </thead>
            <tbody>
              {usage.families.map((row) => (
                <tr key={row.family} data-testid={`quota-${row.family}`}>
                  <td>{row.family}</td>
                  <td>
                    <meter aria-label={`${row.family} used`} min={0} max={row.limit} high={row.limit * 0.8} value={Math.min(row.used, row.limit)} />{' '}
                    {amount(row.used)} / {amount(row.limit)}{row.unit === 'operations' ? '' : ` ${row.unit}`}{windowText(row.windowSeconds)}
                  </td>
                  <td>{row.delayed}</td>
                  <td>{row.throttled}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
