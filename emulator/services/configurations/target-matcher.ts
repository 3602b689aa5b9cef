import { compileQuery, type CompiledQuery } from '../../query/index.js';
import type { ConfigurationRecord } from '../../model/configuration.js';
import type { JsonObject } from '../../model/json.js';

/** The query a target condition stands for (`*`: every twin; empty: none, iothub-protocol-2.md §8.2). */
export function targetQuery(condition: string, kind: 'devices' | 'modules', select = '*'): string | undefined {
  const trimmed = condition.trim();
  if (trimmed === '') return undefined;
  const from = kind === 'devices' ? 'devices' : 'devices.modules';
  return trimmed === '*' ? `SELECT ${select} FROM ${from}` : `SELECT ${select} FROM ${from} WHERE ${trimmed}`;
}

/** Evaluates configurations' target conditions against one twin, compiling each condition once. */
export class TargetMatcher {
  private readonly compiled = new Map<string, CompiledQuery | null>();

  matches(record: ConfigurationRecord, kind: 'devices' | 'modules', twin: JsonObject): boolean {
    const text = targetQuery(record.targetCondition, kind);
    if (text === undefined) return false;
    let query = this.compiled.get(text);
    if (query === undefined) {
      try {
        query = compileQuery(text);
      } catch {
        // Conditions are checked when written; a condition the engine no longer accepts targets nothing.
        query = null;
      }
      if (this.compiled.size > 512) this.compiled.clear();
      this.compiled.set(text, query);
    }
    return query !== null && query.run([twin], { pageSize: 1 }).items.length > 0;
  }
}
