import { useMemo, useState } from 'react';

import { checkQuery } from '../../../emulator/query/index.js';
import type { IpcError, QueryPageDto } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { CodeEditor } from '../../components/CodeEditor.js';
import { JsonBlock } from '../../components/JsonBlock.js';
import { Tabs } from '../../components/Tabs.js';
import { EXAMPLE_QUERIES } from './examples.js';
import { describeQueryProblem, resultColumns } from './query-columns.js';
import { queryExtensions } from './query-language.js';
import { ResultTable } from './ResultTable.js';
import { useQueryHistory } from './use-query-history.js';

interface Results {
  readonly query: string;
  readonly pageSize: number;
  /** Continuation token of every page shown so far; page 0 has none. */
  readonly tokens: readonly (string | undefined)[];
  readonly index: number;
  readonly page: QueryPageDto;
}

/** The hub's answer to a query that failed; a position in its details is worded as line and column. */
function describeRunError(error: IpcError, query: string): string {
  const position = (error.details as { position?: unknown } | undefined)?.position;
  if (typeof position !== 'number') return describeError(error);
  return describeError({ ...error, message: describeQueryProblem(query, position, error.message) });
}

/** Query console: highlighted editor with the engine's errors as you type, table/JSON results, paging, history. */
export function QueryConsole() {
  const api = useApi();
  const [text, setText] = useState('SELECT * FROM devices');
  const [pageSize, setPageSize] = useState(50);
  const [results, setResults] = useState<Results>();
  const [error, setError] = useState<IpcError>();
  const [failedQuery, setFailedQuery] = useState('');
  const [busy, setBusy] = useState(false);
  const [view, setView] = useState<'table' | 'json'>('table');
  const [history, remember] = useQueryHistory();
  const diagnostics = useMemo(() => (text.trim() ? checkQuery(text) : []), [text]);
  const runnable = text.trim().length > 0 && diagnostics.length === 0 && !busy;

  const load = async (query: string, size: number, tokens: readonly (string | undefined)[], index: number) => {
    setBusy(true);
    const continuation = tokens[index];
    const result = await api.query.run({ query, pageSize: size, ...(continuation ? { continuation } : {}) });
    setBusy(false);
    if (!result.ok) {
      setFailedQuery(query);
      return setError(result.error);
    }
    setError(undefined);
    const known = tokens.slice(0, index + 1);
    setResults({ query, pageSize: size, tokens: result.value.continuation ? [...known, result.value.continuation] : known, index, page: result.value });
  };
  const run = () => {
    if (!runnable) return;
    remember(text);
    void load(text, pageSize, [undefined], 0);
  };

  return (
    <div className="query-console">
      <div className="query-main">
        <CodeEditor value={text} onChange={setText} onSubmit={run} extensions={queryExtensions} ariaLabel="Query" testId="query-editor" placeholder="SELECT * FROM devices WHERE …" />
        {diagnostics.length > 0 ? (
          <ul className="problems" aria-label="Query problems" data-testid="query-problems">
            {diagnostics.map((d) => <li key={`${d.position}:${d.message}`}>{describeQueryProblem(text, d.position, d.message)}</li>)}
          </ul>
        ) : null}
        <div className="row">
          <button type="button" className="button primary" onClick={run} disabled={!runnable} title="Ctrl+Enter">{busy ? 'Running…' : 'Run query'}</button>
          <label className="inline">
            page size{' '}
            <select aria-label="Page size" value={pageSize} onChange={(event) => setPageSize(Number(event.target.value))}>
              {[10, 50, 100, 1000].map((size) => <option key={size} value={size}>{size}</option>)}
            </select>
          </label>
          {results ? (
            <>
              <button type="button" className="button" disabled={results.index === 0 || busy} onClick={() => void load(results.query, results.pageSize, results.tokens, results.index - 1)}>◀ Previous</button>
              <span className="muted small" data-testid="query-page">page {results.index + 1} · {results.page.items.length} items · {results.page.itemType}</span>
              <button type="button" className="button" disabled={results.tokens.length <= results.index + 1 || busy} onClick={() => void load(results.query, results.pageSize, results.tokens, results.index + 1)}>Next ▶</button>
            </>
          ) : null}
        </div>
        {error ? <p className="field-error" role="alert">{describeRunError(error, failedQuery)}</p> : null}
        {results ? (
          <div className="results">
            <Tabs items={[{ id: 'table', label: 'Table' }, { id: 'json', label: 'JSON' }] as const} value={view} onChange={setView} label="Result views" />
            {results.page.items.length === 0 ? <p className="muted">No rows.</p> : view === 'table' ? <ResultTable items={results.page.items} columns={resultColumns(results.query, results.page.items)} /> : <JsonBlock value={results.page.items} label="Results JSON" />}
          </div>
        ) : (
          <p className="muted">
            The IoT Hub query language reads like SQL over device twins: filter on <code>tags</code>, <code>properties.desired</code>,
            <code> properties.reported</code> and identity fields, project columns, and aggregate with <code>COUNT()</code> and
            <code> GROUP BY</code>. Errors are underlined as you type; Ctrl+Enter runs the query.
          </p>
        )}
      </div>
      <aside className="query-side" aria-label="Examples and history">
        <h3>Examples</h3>
        <ul className="link-list">
          {EXAMPLE_QUERIES.map((example) => (
            <li key={example.title}><button type="button" className="link" onClick={() => setText(example.query)} title={example.query}>{example.title}</button></li>
          ))}
        </ul>
        <h3>History</h3>
        {history.length === 0 ? <p className="muted small">Queries you run appear here.</p> : (
          <ul className="link-list">
            {history.map((query) => <li key={query}><button type="button" className="link mono" onClick={() => setText(query)} title={query}>{query}</button></li>)}
          </ul>
        )}
      </aside>
    </div>
  );
}
