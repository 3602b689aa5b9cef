import { json } from '@codemirror/lang-json';
import { linter } from '@codemirror/lint';
import { useState } from 'react';

import type { MethodResultDto } from '../../../main/contract/index.js';
import { useApi } from '../../api/api-context.js';
import { describeError } from '../../api/async-state.js';
import { CodeEditor } from '../../components/CodeEditor.js';
import { jsonSyntaxLinter } from '../../components/json-syntax-lint.js';
import { EmptyState } from '../../components/EmptyState.js';
import { JsonBlock } from '../../components/JsonBlock.js';
import { useStore } from '../../state/store.js';
import { useStudio } from '../../state/studio-context.js';
import { C2dForm } from './C2dForm.js';

const payloadExtensions = [json(), linter(jsonSyntaxLinter())];

/** Invoke a direct method (payload, timeouts) and send cloud-to-device messages. */
export function MethodsPanel({ deviceId, connected }: { deviceId: string; connected: boolean }) {
  const status = useStore(useStudio().status);
  const features = status?.features;
  return (
    <div className="methods-panel">
      {features?.methods ? <MethodForm deviceId={deviceId} connected={connected} /> : (
        <EmptyState title="Direct methods">
          <p>A direct method is a request/response call from the back end to a connected device (like a reboot command).
            This version of the hub does not offer direct methods yet.</p>
        </EmptyState>
      )}
      {features?.c2d ? <C2dForm deviceId={deviceId} /> : (
        <EmptyState title="Cloud-to-device messages">
          <p>C2D messages are queued for the device and delivered when it is connected. This version of the hub does not offer them yet.</p>
        </EmptyState>
      )}
    </div>
  );
}

function MethodForm({ deviceId, connected }: { deviceId: string; connected: boolean }) {
  const api = useApi();
  const [methodName, setMethodName] = useState('reboot');
  const [payload, setPayload] = useState('{}');
  const [timeout, setTimeoutSeconds] = useState(30);
  const [result, setResult] = useState<{ ok: true; value: MethodResultDto } | { ok: false; message: string }>();
  const [busy, setBusy] = useState(false);
  let parsed: unknown;
  let payloadError: string | undefined;
  try {
    parsed = JSON.parse(payload);
  } catch (error) {
    payloadError = error instanceof Error ? error.message : 'invalid JSON';
  }
  const invoke = async () => {
    if (payloadError || !methodName) return;
    setBusy(true);
    const response = await api.methods.invoke({ deviceId, methodName, payload: parsed as MethodResultDto['payload'], responseTimeoutInSeconds: timeout });
    setBusy(false);
    setResult(response.ok ? { ok: true, value: response.value } : { ok: false, message: describeError(response.error) });
  };
  return (
    <section aria-label="Direct method">
      <h3>Direct method {connected ? null : <span className="muted small">(device offline: the call fails with 404 DeviceNotOnline)</span>}</h3>
      <div className="row">
        <label className="field"><span>Method name</span><input value={methodName} onChange={(event) => setMethodName(event.target.value)} /></label>
        <label className="field narrow"><span>Timeout (s)</span><input type="number" min={5} max={300} value={timeout} onChange={(event) => setTimeoutSeconds(Number(event.target.value))} /></label>
      </div>
      <h4>Payload (JSON)</h4>
      <CodeEditor className="compact" value={payload} onChange={setPayload} onSubmit={() => void invoke()} extensions={payloadExtensions} ariaLabel="Method payload JSON" testId="method-payload" />
      {payloadError ? <p className="field-error">{payloadError}</p> : null}
      <button type="button" className="button primary" disabled={busy || Boolean(payloadError) || !methodName} onClick={() => void invoke()}>{busy ? 'Waiting for the device…' : 'Invoke'}</button>
      {result?.ok ? <><p>Status <strong>{result.value.status}</strong></p><JsonBlock value={result.value.payload} label="Method response" /></> : null}
      {result && !result.ok ? <p className="field-error" role="alert">{result.message}</p> : null}
    </section>
  );
}
