import { readFile } from 'node:fs/promises';

/**
 * The soft limit on open files of this process, read from /proc on Linux; undefined elsewhere or when unreadable.
 * Each device is one socket, and with an in-process hub a second one on the hub side.
 */
export async function openFileLimit(): Promise<number | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const limits = await readFile('/proc/self/limits', 'utf8');
    const line = limits.split('\n').find((text) => text.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/** A warning when `devices` cannot all connect under `limit` (2 sockets per device in-process, plus headroom). */
export function fdLimitWarning(devices: number, inProcess: boolean, limit: number | undefined): string | undefined {
  if (limit === undefined) return undefined;
  const needed = devices * (inProcess ? 2 : 1) + 256;
  if (needed <= limit) return undefined;
  return (
    `warning: ${devices} devices need about ${needed} open files${inProcess ? ' (a client and a hub socket each, in one process)' : ''}, ` +
    `but this process may open ${limit}; raise it (ulimit -n) ${inProcess ? 'or run the hub in its own process (npm run hub) and use --connection' : ''}`.trimEnd()
  );
}
