import { readFile } from 'node:fs/promises';

import { profileSchema, type Profile } from './profile-schema.js';
import { fromZodIssue, type SpecIssue } from './value-schema.js';

/** A profile that failed validation; `issues` lists every problem with the field it concerns. */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';

  constructor(
    /** Where the profile came from (file name, built-in name or "profile"). */
    readonly source: string,
    readonly issues: readonly SpecIssue[],
  ) {
    super(`invalid simulation profile ${source}:\n${issues.map((issue) => `  - ${formatIssue(issue)}`).join('\n')}`);
  }
}

/** `desired.properties.targetTemperature.reject[0].status: must be a 4xx or 5xx code` */
export function formatIssue(issue: SpecIssue): string {
  return `${formatPath(issue.path)}: ${issue.message}`;
}

/** Dotted path with array indexes in brackets; `(profile)` for the root. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(profile)';
  return path
    .map((key, i) => {
      if (typeof key === 'number') return `[${key}]`;
      // Keys that would read ambiguously in a dotted path (e.g. the invalid twin name "a.b") are quoted.
      if (!/^[A-Za-z0-9_$-]+$/.test(key)) return `[${JSON.stringify(key)}]`;
      return i === 0 ? key : `.${key}`;
    })
    .join('');
}

/** Validates a profile object; returns the typed profile or every issue found. Never throws. */
export function checkProfile(value: unknown): { ok: true; profile: Profile } | { ok: false; issues: SpecIssue[] } {
  const result = profileSchema.safeParse(value, { reportInput: true });
  if (result.success) return { ok: true, profile: result.data };
  return { ok: false, issues: result.error.issues.flatMap(fromZodIssue) };
}

/** Validates a profile object; throws {@link ProfileError} naming each bad field. */
export function parseProfile(value: unknown, source = 'profile'): Profile {
  const result = checkProfile(value);
  if (!result.ok) throw new ProfileError(source, result.issues);
  return result.profile;
}

/** Parses profile JSON text; a syntax error is reported as a ProfileError too. */
export function parseProfileText(text: string, source = 'profile'): Profile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ProfileError(source, [{ path: [], message: `is not valid JSON (${(error as Error).message})` }]);
  }
  return parseProfile(value, source);
}

/** Reads and validates a profile file. */
export async function loadProfileFile(filePath: string): Promise<Profile> {
  return parseProfileText(await readFile(filePath, 'utf8'), filePath);
}
