import { useCallback, useEffect, useState } from 'react';

import type { JsonObject } from '../../../emulator/model/json.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { EmptyState } from '../../components/EmptyState.js';
import { usePoll } from '../jobs/use-poll.js';

/**
 * Automatic device management: configurations in priority order with their targeted and applied counts, and a form
 * whose targeting preview is the live count of twins the condition selects.
 */
export function ConfigurationsView() {
  const api = useApi();
  const load = useCallback(() => api.configurations.list({}), [api]);
  const { data, error, refresh } = usePoll(load, 2000);
  const remove = async (id: string) => {
    await api.configurations.delete({ id });
    refresh();
  };
  const sorted = [...(data ?? [])].sort((a, b) => b.priority - a.priority || b.createdTimeUtc.localeCompare(a.createdTimeUtc));
  return (
    <div className="configurations-view">
      <ConfigurationForm onCreated={refresh} />
      <section aria-label="Configurations">
        <h3>Configurations (highest priority first)</h3>
        {error ? <p className="field-error" role="alert">{describeError(error)}</p> : null}
        {data && data.length === 0 ? <EmptyState title="No configurations yet"><p>A configuration keeps desired properties set on every twin its target condition selects.</p></EmptyState> : null}
        {sorted.length > 0 ? (
          <table className="table" data-testid="configurations-table">
            <thead><tr><th>Id</th><th>Priority</th><th>Target condition</th><th>Targeted</th><th>Applied</th><th>Content</th><th /></tr></thead>
            <tbody>
              {sorted.map((configuration) => (
                <tr key={configuration.id}>
                  <td>{configuration.id}</td>
                  <td>{configuration.priority}</td>
                  <td><code>{configuration.targetCondition}</code></td>
                  <td data-testid={`targeted-${configuration.id}`}>{configuration.systemMetrics.results.targetedCount ?? 0}</td>
                  <td data-testid={`applied-${configuration.id}`}>{configuration.systemMetrics.results.appliedCount ?? 0}</td>
                  <td><code className="small">{JSON.stringify(configuration.content)}</code></td>
                  <td><button type="button" className="button small" onClick={() => void remove(configuration.id)}>Delete {configuration.id}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </div>
  );
}

const CONTENT_EXAMPLE = '{\n  "properties.desired.firmware": { "version": "2.0" }\n}';

function ConfigurationForm({ onCreated }: { onCreated: () => void }) {
  const api = useApi();
  const [id, setId] = useState('');
  const [priority, setPriority] = useState(10);
  const [targetCondition, setTargetCondition] = useState('');
  const [content, setContent] = useState(CONTENT_EXAMPLE);
  const [message, setMessage] = useState<string>();
  const preview = useTargetPreview(targetCondition);
  const create = async () => {
    let deviceContent: JsonObject;
    try {
      deviceContent = JSON.parse(content) as JsonObject;
    } catch (error) {
      setMessage(`The content is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const response = await api.configurations.put({ id, configuration: { id, priority, targetCondition, content: { deviceContent } } });
    if (!response.ok) {
      setMessage(describeError(response.error));
      return;
    }
    setMessage(undefined);
    setId('');
    onCreated();
  };
  return (
    <section aria-label="New configuration">
      <h3>New configuration</h3>
      <div className="row">
        <label className="field"><span>Id (lower case)</span><input value={id} onChange={(event) => setId(event.target.value)} /></label>
        <label className="field narrow"><span>Priority</span><input type="number" min={0} value={priority} onChange={(event) => setPriority(Number(event.target.value))} /></label>
      </div>
      <label className="field"><span>Target condition</span><input value={targetCondition} placeholder="tags.site = 'a' (or * for every device)" onChange={(event) => setTargetCondition(event.target.value)} /></label>
      <p className="muted small" data-testid="target-preview">{preview}</p>
      <label className="field"><span>Device content (JSON: properties.desired paths)</span>
        <textarea rows={4} value={content} onChange={(event) => setContent(event.target.value)} />
      </label>
      <button type="button" className="button primary" disabled={id === ''} onClick={() => void create()}>Create configuration</button>
      {message ? <p className="field-error" role="alert">{message}</p> : null}
    </section>
  );
}

/** How many twins the condition selects right now (the query console's engine), as a sentence. */
function useTargetPreview(condition: string): string {
  const api = useApi();
  const [text, setText] = useState('');
  useEffect(() => {
    const trimmed = condition.trim();
    if (trimmed === '') {
      setText('An empty condition targets no device.');
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      const query = trimmed === '*' ? 'SELECT COUNT() AS n FROM devices' : `SELECT COUNT() AS n FROM devices WHERE ${trimmed}`;
      void api.query.run({ query }).then((response) => {
        if (!current) return;
        if (!response.ok) setText(`The condition does not run: ${response.error.message}`);
        else setText(`Targets ${String(response.value.items[0]?.n ?? 0)} device(s) now.`);
      });
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, condition]);
  return text;
}
