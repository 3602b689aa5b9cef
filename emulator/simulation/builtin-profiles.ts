import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseProfileText } from './parse-profile.js';
import type { Profile } from './profile-schema.js';

/** A built-in profile as listed for a picker. */
export interface ProfileSummary {
  readonly name: string;
  readonly description: string;
  readonly file: string;
}

/**
 * `assets/profiles/` found by walking up from this module, so it works from the sources (tsx), from `dist/` and
 * from tests alike. A packaged app passes its resources folder explicitly instead.
 */
export function defaultProfilesDir(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'assets', 'profiles');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** The built-in profiles (every valid `*.json` in the folder), sorted by name. */
export async function listBuiltinProfiles(dir = defaultProfilesDir()): Promise<ProfileSummary[]> {
  if (!dir) return [];
  const files = (await readdir(dir)).filter((file) => file.endsWith('.json')).sort();
  const summaries: ProfileSummary[] = [];
  for (const file of files) {
    const path = join(dir, file);
    const profile = parseProfileText(await readFile(path, 'utf8'), path);
    summaries.push({ name: profile.name, description: profile.description ?? '', file: path });
  }
  return summaries;
}

/**
 * A profile by reference: a built-in name (`thermostat`) or a path to a JSON file (anything with a `/`, `\` or a
 * `.json` ending). Throws ProfileError for an invalid profile, and an Error naming the choices for an unknown name.
 */
export async function resolveProfile(reference: string, dir = defaultProfilesDir()): Promise<{ profile: Profile; source: unknown }> {
  const isPath = /[\\/]/.test(reference) || reference.endsWith('.json');
  const path = isPath ? resolve(reference) : dir && join(dir, `${reference}.json`);
  if (!path || !existsSync(path)) {
    if (isPath) throw new Error(`profile file ${reference} does not exist`);
    const names = (await listBuiltinProfiles(dir)).map((summary) => summary.name);
    throw new Error(`unknown profile "${reference}"; built-in profiles: ${names.join(', ') || '(none found)'}`);
  }
  const text = await readFile(path, 'utf8');
  return { profile: parseProfileText(text, path), source: JSON.parse(text) as unknown };
}
