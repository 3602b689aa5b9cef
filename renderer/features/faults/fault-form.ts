import type { Invokes } from '../../../main/contract/index.js';

/** A fault as the Faults panel's form holds it (text fields, as typed). */
export interface FaultFormValues {
  readonly fault: FaultChoice;
  /** Empty: every device (hub-wide). */
  readonly device: string;
  readonly durationSeconds: string;
  readonly latencyMs: string;
  readonly jitterMs: string;
  readonly percent: string;
  readonly sdkType: string;
}

export type FaultChoice = 'drop' | 'refuseConnections' | 'latency' | 'lossQos0' | 'expireToken' | 'methodTimeout' | 'sdk';

/** The faults the form offers, with what the tester reads. */
export const FAULT_CHOICES: readonly { readonly id: FaultChoice; readonly label: string; readonly help: string }[] = [
  { id: 'drop', label: 'Drop the connection now', help: 'Destroys the socket; the device SDK sees a network error and reconnects.' },
  { id: 'refuseConnections', label: 'Refuse connections', help: 'New MQTT and AMQP connections are refused (CONNACK 3; CBS put-token rejected) for the duration; the SDKs retry.' },
  { id: 'latency', label: 'Add latency / jitter', help: 'Every answer, and every push to the device (desired patch, method, C2D), is held back by the latency plus up to the jitter (seeded).' },
  { id: 'lossQos0', label: 'Lose QoS 0 messages', help: 'This share of MQTT QoS 0 device-to-cloud messages is lost (seeded); QoS 1, AMQP and HTTPS never are.' },
  { id: 'expireToken', label: 'Expire the SAS token now', help: 'The connection ends as an expired token ends it; the SDK authenticates again.' },
  { id: 'methodTimeout', label: 'Direct methods time out', help: 'Method requests are not delivered; the caller gets 504 after its timeout.' },
  { id: 'sdk', label: 'SDK fault operation', help: 'One of the AzIoTHub_FaultOperationType faults, as if the device had asked for it.' },
];

export const SDK_TYPES = [
  'KillTcp', 'ShutDownMqtt', 'ShutDownAmqp', 'KillAmqpConnection', 'KillAmqpSession', 'KillAmqpCBSLinkReq', 'KillAmqpCBSLinkResp', 'KillAmqpD2CLink', 'KillAmqpC2DLink',
  'KillAmqpTwinLinkReq', 'KillAmqpTwinLinkResp', 'KillAmqpMethodReqLink', 'KillAmqpMethodRespLink', 'InvokeThrottling', 'InvokeMaxMessageQuota', 'InvokeAuthError',
] as const;

export const EMPTY_FAULT_FORM: FaultFormValues = { fault: 'drop', device: '', durationSeconds: '10', latencyMs: '200', jitterMs: '50', percent: '30', sdkType: 'KillTcp' };

type Spec = Invokes['faults.inject']['req']['spec'];

/** The form as the `faults.inject` request, or what is wrong with it. */
export function faultSpecOf(form: FaultFormValues): { ok: true; spec: Spec } | { ok: false; message: string } {
  const device = form.device.trim();
  const duration = form.durationSeconds.trim() === '' ? undefined : Number(form.durationSeconds);
  if (duration !== undefined && !(Number.isFinite(duration) && duration >= 0 && duration <= 86_400)) return { ok: false, message: 'The duration is a number of seconds (0 to 86400), or empty for "until cleared".' };
  const durationMs = duration === undefined ? {} : { durationMs: Math.round(duration * 1000) };
  const on = device === '' ? {} : { device };
  switch (form.fault) {
    case 'drop':
    case 'expireToken':
      return { ok: true, spec: { fault: form.fault, ...on } };
    case 'refuseConnections':
      if (duration === undefined) return { ok: false, message: 'Refusing connections needs a duration.' };
      return { ok: true, spec: { fault: 'refuseConnections', ...on, ...durationMs } };
    case 'methodTimeout':
      return { ok: true, spec: { fault: 'methodTimeout', ...on, ...durationMs } };
    case 'latency': {
      const latencyMs = Number(form.latencyMs);
      const jitterMs = form.jitterMs.trim() === '' ? 0 : Number(form.jitterMs);
      if (!Number.isInteger(latencyMs) || latencyMs < 0 || !Number.isInteger(jitterMs) || jitterMs < 0) return { ok: false, message: 'Latency and jitter are whole numbers of milliseconds.' };
      return { ok: true, spec: { fault: 'latency', ...on, latencyMs, jitterMs, ...durationMs } };
    }
    case 'lossQos0': {
      const percent = Number(form.percent);
      if (!Number.isFinite(percent) || percent < 0 || percent > 100) return { ok: false, message: 'The share lost is a percentage from 0 to 100.' };
      return { ok: true, spec: { fault: 'lossQos0', ...on, fraction: percent / 100, ...durationMs } };
    }
    case 'sdk':
      if (device === '') return { ok: false, message: 'An SDK fault acts on one device: enter its id.' };
      return { ok: true, spec: { fault: 'sdk', device, type: form.sdkType, delayMs: 0, ...durationMs } };
  }
}
