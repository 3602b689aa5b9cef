/** IoT Hub's "never" timestamp (iothub-protocol.md §7.1). */
export const NEVER = '0001-01-01T00:00:00Z';

/** "12 s ago", "3 min ago", "never". */
export function relativeTime(iso: string, now: number = Date.now()): string {
  if (!iso || iso.startsWith('0001-')) return 'never';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return new Date(then).toLocaleDateString();
}
