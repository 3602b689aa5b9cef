import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

import { AtomicJsonFile } from '../client-kit.js';
import { isProcessAlive } from './file-lock.js';
import type { SimulationStatus } from './simulated-device.js';

/** The process that hosts (runs) the simulations of a data dir. */
export interface SimulationHost {
  readonly pid: number;
  readonly startedAt: string;
  /** Where its hub listens for devices. */
  readonly hostName: string;
  readonly mqttsPort: number;
}

/** `<dataDir>/simulations.status.json`: written by the host only, read by the CLI. */
export interface StatusDocument {
  readonly host: SimulationHost;
  /** The `simulations.json` revision the host has applied. */
  readonly appliedRevision: number;
  readonly updatedAt: string;
  readonly devices: Readonly<Record<string, SimulationStatus & { readonly profileName: string; readonly profileError?: string }>>;
}

/** File name of the live status. */
export const STATUS_FILE = 'simulations.status.json';

/**
 * The live status of the simulations, so `npm run sim -- list` can show what the studio's devices are doing and
 * wait until a change it made has been applied. Never fsynced: it is rewritten constantly and rebuilt on start.
 */
export class StatusFile {
  readonly filePath: string;
  private readonly file: AtomicJsonFile<StatusDocument>;
  private writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.filePath = join(dataDir, STATUS_FILE);
    this.file = new AtomicJsonFile<StatusDocument>(this.filePath, { fsync: false });
  }

  /** Writes in order; a failure is reported, not thrown (status is a convenience). */
  write(document: StatusDocument): Promise<void> {
    this.writing = this.writing.then(() => this.file.write(document)).catch(() => undefined);
    return this.writing;
  }

  /** Removes the file (the host is going away). */
  async remove(): Promise<void> {
    await this.writing;
    await unlink(this.filePath).catch(() => undefined);
  }
}

/** The host rewrites its status at least this often, so a file left by a crash is recognised even if its pid is reused. */
export const STATUS_HEARTBEAT_MS = 5000;

/**
 * The status written by a live host, or undefined when no host runs: no file, its process is gone, or it has not
 * written for three heartbeats.
 */
export async function readLiveStatus(dataDir: string, now = Date.now()): Promise<StatusDocument | undefined> {
  let document: StatusDocument;
  try {
    document = JSON.parse(await readFile(join(dataDir, STATUS_FILE), 'utf8')) as StatusDocument;
  } catch {
    return undefined;
  }
  if (!document.host || !isProcessAlive(document.host.pid)) return undefined;
  return now - Date.parse(document.updatedAt) <= 3 * STATUS_HEARTBEAT_MS ? document : undefined;
}
