import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import type { StudioSettings } from '../contract/dto.js';
import { defaultSettings, parseSettings } from './settings-schema.js';

/** Where the studio's settings live: a JSON file, or memory only (options given on the command line). */
export class SettingsStore {
  private constructor(
    private current: StudioSettings,
    readonly file: string | null,
  ) {}

  /** Loads `file` (missing or broken files give the defaults). */
  static async fromFile(file: string): Promise<SettingsStore> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      raw = undefined;
    }
    return new SettingsStore(parseSettings(raw), file);
  }

  /** Settings that are never written anywhere. */
  static inMemory(settings: StudioSettings = defaultSettings()): SettingsStore {
    return new SettingsStore(settings, null);
  }

  get settings(): StudioSettings {
    return this.current;
  }

  /** Replaces the settings and, for a file store, writes them atomically (temp file + rename). */
  async save(settings: StudioSettings): Promise<void> {
    this.current = settings;
    if (this.file === null) return;
    await mkdir(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(settings, null, 2)}\n`, 'utf8');
    await rename(temp, this.file);
  }
}
