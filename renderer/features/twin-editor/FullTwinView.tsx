import type { JsonObject, JsonValue } from '../../../emulator/model/json.js';
import type { TwinDocument } from '../../../main/contract/index.js';
import { isObject } from './json-ops.js';

/** `$lastUpdated` / `$lastUpdatedVersion` of a `$metadata` node, as one short line. */
function metaText(meta: JsonValue | undefined): string | undefined {
  if (!isObject(meta)) return undefined;
  const parts: string[] = [];
  if (typeof meta.$lastUpdated === 'string') parts.push(`updated ${meta.$lastUpdated}`);
  if (typeof meta.$lastUpdatedVersion === 'number') parts.push(`desired v${meta.$lastUpdatedVersion}`);
  if (typeof meta.$lastUpdatedBy === 'string') parts.push(`by ${meta.$lastUpdatedBy}`);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

function Node({ name, value, meta, depth }: { name: string; value: JsonValue; meta?: JsonValue; depth: number }) {
  const note = metaText(meta);
  if (isObject(value) && Object.keys(value).length > 0) {
    const children = Object.entries(value).filter(([key]) => key !== '$metadata');
    const childMeta = isObject(meta) ? meta : isObject(value.$metadata) ? value.$metadata : undefined;
    return (
      <li>
        <span className="json-key">{JSON.stringify(name)}</span>: {'{'}
        {note ? <span className="meta-note" title="From $metadata">{note}</span> : null}
        <ul className="json-tree">
          {children.map(([key, child]) => (
            <Node key={key} name={key} value={child} {...(childMeta && Object.hasOwn(childMeta, key) ? { meta: childMeta[key] } : {})} depth={depth + 1} />
          ))}
        </ul>
        {'}'}
      </li>
    );
  }
  return (
    <li>
      <span className="json-key">{JSON.stringify(name)}</span>: <span className="json-value">{JSON.stringify(value)}</span>
      {note ? <span className="meta-note" title="From $metadata">{note}</span> : null}
    </li>
  );
}

/**
 * The whole twin as the service sees it (identity, model id, versions, tags, properties), with each property's
 * `$metadata` (last updated, desired version) written next to the value it describes instead of in a separate tree.
 */
export function FullTwinView({ twin }: { twin: TwinDocument }) {
  const root: JsonObject = twin;
  return (
    <section className="full-twin" aria-label="Full twin">
      <h3>Full twin <span className="muted small">as a service app reads it; $metadata beside each value</span></h3>
      <ul className="json-tree root" data-testid="full-twin">
        {Object.entries(root).map(([key, value]) => <Node key={key} name={key} value={value} depth={0} />)}
      </ul>
    </section>
  );
}
