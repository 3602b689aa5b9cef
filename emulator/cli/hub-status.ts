import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

import { AtomicJsonFile, type TierUsage } from '../index.js';
import { isProcessAlive } from '../simulation/file-lock.js';

/** `<dataDir>/hub.status.json`: written by a running `npm run hub`, read by `npm run hub -- status`. */
export const HUB_STATUS_FILE = 'hub.status.json';

/** How often the running hub rewrites its status. */
export const HUB_STATUS_INTERVAL_MS = 2000;

/** What `npm run hub -- status` shows: the hub process and what tier emulation has counted (null when off). */
export interface HubStatusDocument {
  readonly pid: number;
  readonly updatedAt: string;
  readonly hostName: string;
  readonly tierUsage: TierUsage | null;
}

/** The running hub's side: rewrites the status file (never fsynced: it is a convenience) and removes it at stop. */
export class HubStatusWriter {
  private readonly file: AtomicJsonFile<HubStatusDocument>;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly dataDir: string) {
    this.file = new AtomicJsonFile<HubStatusDocument>(join(dataDir, HUB_STATUS_FILE), { fsync: false });
  }

  write(document: HubStatusDocument): Promise<void> {
    this.writing = this.writing.then(() => this.file.write(document)).catch(() => undefined);
    return this.writing;
  }

  async remove(): Promise<void> {
    await this.writing;
    await unlink(join(this.dataDir, HUB_STATUS_FILE)).catch(() => undefined);
  }
}

/** The status of the hub running on `dataDir`, or undefined when none runs (no file, or its process is gone). */
export async function readHubStatus(dataDir: string): Promise<HubStatusDocument | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, HUB_STATUS_FILE), 'utf8');
  } catch {
    return undefined;
  }
  let document: HubStatusDocument;
  try {
    document = JSON.parse(text) as HubStatusDocument;
  } catch {
    return undefined;
  }
  return typeof document.pid === 'number' && isProcessAlive(document.pid) ? document : undefined;
}

/** The status as text: one row per operation family (used / limit per window, delayed, throttled) and the quota. */
export function formatHubStatus(document: HubStatusDocument): string {
  const usage = document.tierUsage;
  const head = `hub ${document.hostName} (pid ${document.pid}), status of ${document.updatedAt}`;
  if (usage === null) return `${head}\ntier emulation: off (start the hub with --tier S1 --units 1 to emulate one)\n`;
  const rows = usage.families.map((row) => [
    row.family,
    `${formatNumber(row.used)} / ${formatNumber(row.limit)} ${row.unit} per ${formatWindow(row.windowSeconds)}`,
    String(row.delayed),
    String(row.throttled),
  ]);
  const table = [['family', 'used / limit', 'delayed', 'throttled (429)'], ...rows];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  const lines = table.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}`.trimEnd());
  const quota = usage.dailyQuota;
  return [
    head,
    `tier ${usage.tier} × ${usage.units}`,
    ...lines,
    `daily quota: ${quota.used} / ${quota.limit} messages of ${quota.meterBytes} bytes, resets ${quota.resetsAt}, refused (403002): ${quota.refused}`,
    '',
  ].join('\n');
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function formatWindow(seconds: number): string {
  if (seconds === 1) return 's';
  if (seconds === 60) return 'min';
  return `${seconds} s`;
}
