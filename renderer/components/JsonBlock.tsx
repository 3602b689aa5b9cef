import type { JsonValue } from '../../emulator/model/json.js';

/** Read-only, pretty-printed JSON. */
export function JsonBlock({ value, label, testId }: { value: JsonValue | undefined; label: string; testId?: string }) {
  return (
    <pre className="json-block" aria-label={label} data-testid={testId} tabIndex={0}>
      {value === undefined ? '—' : JSON.stringify(value, null, 2)}
    </pre>
  );
}
