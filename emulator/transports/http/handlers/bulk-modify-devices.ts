import { argumentInvalid, deviceDefinedMultipleTimes } from '../../../errors/catalogue.js';
import { isIotHubError } from '../../../errors/iothub-error.js';
import { isJsonObject } from '../../../model/json.js';
import { checkDeviceId } from '../../../services/identity-rules.js';
import { parseServiceTwinBody } from '../../../twin/service-twin-body.js';
import type { RestOperation, RestRequest, RestServices } from '../rest-types.js';
import { checkIntegerLiteralsIn, deviceInputOf } from '../request-input.js';

/** Import modes of the bulk registry call (iothub-protocol.md §8.2), matched case-insensitively. */
const MODES = ['create', 'update', 'updateifmatchetag', 'delete', 'deleteifmatchetag', 'updatetwin', 'updatetwinifmatchetag'] as const;
type Mode = (typeof MODES)[number];

/** Largest bulk call (Node and Python docstrings). */
export const MAX_BULK_DEVICES = 100;

interface BulkItem {
  readonly id: string;
  readonly mode: Mode;
  readonly raw: Record<string, unknown>;
}

interface BulkError {
  readonly deviceId: string;
  readonly errorCode: string;
  readonly errorStatus: string;
}

/**
 * `POST /devices`: create/update/delete up to 100 identities (and their twins) in one call. Items use `id` and an
 * `importMode` in any letter case (Node sends `Update`, IoT Explorer `deleteIfMatchEtag`). The whole call is
 * refused when it is malformed (not an array, > 100 items, unknown mode, an id twice); otherwise each item is
 * applied on its own and failures are listed: 200 `{isSuccessful, errors, warnings}`, or 400 with the same shape
 * when any item failed, in item order. Per-item application (not all-or-nothing) is this emulator's choice [U];
 * the items are applied concurrently (see below).
 */
export const bulkModifyDevices: RestOperation = async (request, services) => {
  // Integer literals are a property of the text: one check for every twin in the batch (§7.3).
  checkIntegerLiteralsIn(request);
  const items = bulkItemsOf(request);
  // The items name distinct devices, so they are applied concurrently: their changes share the store's group commits
  // (a few fdatasyncs per call instead of one per item). Outcomes are read back in item order, so `errors` lists
  // failures in the order of the request, as before. An unexpected (non-IotHubError) failure is rethrown once all
  // items have settled.
  const outcomes = await Promise.allSettled(items.map((item) => apply(item, request, services)));
  const errors: BulkError[] = [];
  for (const [index, outcome] of outcomes.entries()) {
    if (outcome.status === 'fulfilled') continue;
    const error: unknown = outcome.reason;
    if (!isIotHubError(error)) throw error;
    errors.push({ deviceId: items[index]?.id ?? '', errorCode: error.code, errorStatus: error.message });
  }
  return { status: errors.length === 0 ? 200 : 400, body: { isSuccessful: errors.length === 0, errors, warnings: [] } };
};

function bulkItemsOf(request: RestRequest): BulkItem[] {
  const body = request.body;
  if (!Array.isArray(body)) throw argumentInvalid('The bulk registry body must be a JSON array of devices.');
  if (body.length === 0 || body.length > MAX_BULK_DEVICES) {
    throw argumentInvalid(`A bulk registry call takes 1 to ${MAX_BULK_DEVICES} devices, got ${body.length}.`);
  }
  const seen = new Set<string>();
  return body.map((raw: unknown) => {
    if (!isJsonObject(raw)) throw argumentInvalid('Every bulk item must be a JSON object.');
    const id = raw.id;
    if (typeof id !== 'string') throw argumentInvalid("Every bulk item needs an 'id'.");
    const idError = checkDeviceId(id);
    if (idError) throw idError;
    const mode = String(raw.importMode ?? '').toLowerCase() as Mode;
    if (!MODES.includes(mode)) throw argumentInvalid(`Unknown importMode '${String(raw.importMode)}' for device '${id}'.`);
    if (seen.has(id)) throw deviceDefinedMultipleTimes(id);
    seen.add(id);
    return { id, mode, raw };
  });
}

async function apply(item: BulkItem, request: RestRequest, { registry, twins }: RestServices): Promise<void> {
  const etag = typeof item.raw.eTag === 'string' ? item.raw.eTag : undefined;
  const twinEtag = typeof item.raw.twinETag === 'string' ? item.raw.twinETag : undefined;
  const { id: _id, importMode: _mode, eTag: _etag, twinETag: _twinEtag, twin, ...identity } = item.raw;
  const input = () => deviceInputOf({ ...request, body: { ...identity, deviceId: item.id } }, item.id);
  switch (item.mode) {
    case 'create':
      await registry.create(input(), request.context);
      if (isJsonObject(twin)) await twins.writeTwin(request.context, { deviceId: item.id }, parseServiceTwinBody(twin, 'literal'), 'merge');
      return;
    case 'update':
    case 'updateifmatchetag':
      if (registry.find(item.id)) await registry.update(input(), item.mode === 'update' ? undefined : (etag ?? ''), request.context);
      else await registry.create(input(), request.context);
      return;
    case 'delete':
    case 'deleteifmatchetag':
      await registry.delete(item.id, item.mode === 'delete' ? undefined : (etag ?? ''));
      return;
    case 'updatetwin':
    case 'updatetwinifmatchetag':
      await twins.writeTwin(
        request.context,
        { deviceId: item.id },
        parseServiceTwinBody(isJsonObject(twin) ? twin : {}, 'literal'),
        'merge',
        item.mode === 'updatetwin' ? undefined : (twinEtag ?? ''),
      );
      return;
  }
}
