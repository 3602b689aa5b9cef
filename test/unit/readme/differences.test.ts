import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { HUB_USAGE } from '../../../emulator/cli/hub-args.js';
import { resolveConfig } from '../../../emulator/config.js';
import { LENIENCIES } from '../../../emulator/services/leniency.js';

// Keeps the README's "Differences from IoT Hub" true where a machine can tell: every error code it names is one the
// emulator sends (or, in a sentence saying "never sent", one it does not); every CLI flag is in `npm run hub --help`;
// every repository path exists; every "the `x` config" is a config field; lenient mode lists exactly the leniencies
// of emulator/services/leniency.ts.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

function section(title: string): string {
  const start = README.indexOf(`### ${title}\n`);
  if (start < 0) throw new Error(`README has no section "${title}"`);
  const rest = README.slice(start + title.length + 5);
  const end = rest.search(/^#{2,3} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Every source file of the emulator, concatenated (the error catalogues and everything that sends codes). */
function emulatorSources(): string {
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) texts.push(readFileSync(path, 'utf8'));
    }
  };
  walk(join(ROOT, 'emulator'));
  return texts.join('\n');
}

const differences = section('Differences from IoT Hub');
const entries = differences.split(/\n- /).map((entry) => entry.replace(/\s+/g, ' ').trim()).filter((entry) => entry !== '');
const sources = emulatorSources();

describe('README "Differences from IoT Hub"', () => {
  it('has entries', () => {
    expect(entries.length).toBeGreaterThan(10);
  });

  it('names only error codes the emulator sends, and never sends the ones it says it never sends', () => {
    let checked = 0;
    for (const entry of entries) {
      for (const sentence of entry.split(/(?<=[.;:])\s/)) {
        const codes = [...sentence.matchAll(/\b([1-5]\d{2}[0-9]{3})\b/g)].map((match) => match[1] ?? '');
        const neverSent = /never sent/.test(sentence);
        for (const code of codes) {
          checked += 1;
          expect(sources.includes(code), `${code} in "${sentence}"`).toBe(!neverSent);
        }
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('names only CLI flags that `npm run hub` has', () => {
    const flags = [...differences.matchAll(/`(--[a-z][a-z0-9-]*)/g)].map((match) => match[1] ?? '');
    expect(flags.length).toBeGreaterThan(0);
    for (const flag of flags) expect(HUB_USAGE, flag).toContain(flag);
  });

  it('names only repository paths that exist', () => {
    const paths = [...differences.matchAll(/`((?:emulator|test|main|renderer)\/[^`\s]+)`/g)].map((match) => match[1] ?? '');
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(existsSync(join(ROOT, path)), path).toBe(true);
  });

  it('names only config fields the emulator has', () => {
    const resolved = resolveConfig({}) as unknown as Record<string, unknown>;
    const fields = [...README.matchAll(/the `([a-zA-Z.]+)` config/g)].map((match) => match[1] ?? '');
    expect(fields).toEqual(expect.arrayContaining(['tier', 'lenient']));
    for (const field of fields) {
      let value: unknown = resolved;
      for (const key of field.split('.')) value = typeof value === 'object' && value !== null && key in value ? (value as Record<string, unknown>)[key] : Symbol.for('missing');
      expect(value, field).not.toBe(Symbol.for('missing'));
    }
    // Dotted config paths named in the differences, such as `fleet.configurationIntervalMs`.
    for (const [, path] of differences.matchAll(/`((?:fleet|eventHub|routing|limits)\.[a-zA-Z]+)`/g)) {
      const [head = '', key = ''] = (path ?? '').split('.');
      expect(key in ((resolved[head] ?? {}) as object), path).toBe(true);
    }
  });

  it('lists exactly the leniencies of lenient mode', () => {
    const lenient = entries.find((entry) => entry.startsWith('Lenient mode'));
    expect(lenient).toBeDefined();
    const named = [...(lenient ?? '').matchAll(/\(`([a-z][a-z0-9-]*)`/g)].map((match) => match[1]);
    expect(named.sort()).toEqual(LENIENCIES.map((entry) => entry.id).sort());
  });

  it('no longer says the endpoint has only the $Default consumer group (they are served through Resource Manager)', () => {
    expect(differences).not.toMatch(/only the `\$Default` consumer group/);
    expect(sources).toContain('ConsumerGroups');
  });
});
