import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { isJsonObject, type JsonObject, type JsonValue } from '../model/json.js';
import type { InitialTwin } from '../model/provisioning.js';
import { enrollmentGroupJson, enrollmentJson } from './enrollment-documents.js';
import type { RegistrationPrincipal } from './registration-service.js';

/** What the webhook decided: the twin to start from (when it sent one) and the payload for the device. */
export interface CustomAllocation {
  readonly initialTwin?: InitialTwin;
  readonly payload?: JsonValue;
}

/** A webhook answer DPS turns into a `failed` registration, with DPS's codes (docs how-to-use-custom-allocation-policies). */
export class CustomAllocationError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** How long the webhook may take, and how much it may answer. */
const TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Custom allocation (iothub-protocol-2.md §2.8): POSTs `{individualEnrollment|enrollmentGroup, deviceRuntimeContext,
 * linkedHubs}` to the enrollment's webhook and reads `{iotHubHostName, initialTwin?, payload?}`. The one hub is the
 * only linked hub, so the answer must name it. A missing host name is 400208, a 401 from the webhook 400209, any
 * other failure (status, timeout, unreachable, not JSON) 400207.
 */
export async function allocateWithWebhook(principal: RegistrationPrincipal, devicePayload: JsonValue | undefined, hubHostName: string): Promise<CustomAllocation> {
  const { match } = principal;
  const definition = match.enrollment.customAllocationDefinition;
  const url = typeof definition?.webhookUrl === 'string' ? definition.webhookUrl : '';
  if (!/^https?:\/\//i.test(url)) throw new CustomAllocationError(400207, 'Custom allocation failed: the enrollment has no http(s) webhookUrl.');
  const body: JsonObject = {
    ...(match.kind === 'individual' ? { individualEnrollment: enrollmentJson(match.record, undefined) } : { enrollmentGroup: enrollmentGroupJson(match.record) }),
    deviceRuntimeContext: {
      registrationId: principal.registrationId,
      symmetricKey: {},
      ...(devicePayload === undefined ? {} : { payload: devicePayload }),
    },
    linkedHubs: [hubHostName],
  };
  const { status, text } = await post(url, JSON.stringify(body)).catch((error: unknown) => {
    throw new CustomAllocationError(400207, `Custom allocation failed: the webhook could not be reached (${error instanceof Error ? error.message : String(error)}).`);
  });
  if (status === 401) throw new CustomAllocationError(400209, 'Custom allocation failed: the webhook answered 401 Unauthorized.');
  if (status < 200 || status >= 300) throw new CustomAllocationError(400207, `Custom allocation failed: the webhook answered ${status}.`);
  let answer: unknown;
  try {
    answer = JSON.parse(text) as unknown;
  } catch {
    throw new CustomAllocationError(400207, 'Custom allocation failed: the webhook did not answer JSON.');
  }
  if (!isJsonObject(answer) || typeof answer.iotHubHostName !== 'string' || answer.iotHubHostName === '') {
    throw new CustomAllocationError(400208, 'Custom allocation failed: the webhook answered no iotHubHostName.');
  }
  if (answer.iotHubHostName.toLowerCase() !== hubHostName.toLowerCase()) {
    throw new CustomAllocationError(400207, `Custom allocation failed: '${answer.iotHubHostName}' is not a linked hub (this emulator links only '${hubHostName}').`);
  }
  return { ...initialTwinOf(answer.initialTwin), ...(answer.payload === undefined ? {} : { payload: answer.payload }) };
}

function initialTwinOf(value: JsonValue | undefined): { initialTwin?: InitialTwin } {
  if (!isJsonObject(value)) return {};
  const tags = isJsonObject(value.tags) ? value.tags : {};
  const properties = isJsonObject(value.properties) ? value.properties : {};
  return { initialTwin: { tags, desired: isJsonObject(properties.desired) ? properties.desired : {} } };
}

function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const request = url.toLowerCase().startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', timeout: TIMEOUT_MS, headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          req.destroy(new Error(`the answer exceeds ${MAX_RESPONSE_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
