import { describe, expect, it } from 'vitest';

import { IotHubError } from '../../../../emulator/index.js';
import { QuerySyntaxError } from '../../../../emulator/query/index.js';
import type { EmulatorHost } from '../../../../main/emulator-host.js';
import { dispatch } from '../../../../main/host/dispatch.js';
import type { HandlerTable } from '../../../../main/host/handler-types.js';
import { handlers } from '../../../../main/host/handlers/index.js';
import { StudioError } from '../../../../main/host/studio-error.js';

const context = { host: {} as EmulatorHost };

function tableWith(overrides: Partial<Record<keyof HandlerTable, (req: unknown) => Promise<unknown>>>): HandlerTable {
  return { ...handlers, ...overrides } as HandlerTable;
}

describe('dispatch (the one path from an untrusted request to a handler)', () => {
  it('refuses unknown channels and prototype names', async () => {
    expect(await dispatch(handlers, context, 'devices.drop', {})).toMatchObject({ ok: false, error: { code: 'UnknownChannel' } });
    expect(await dispatch(handlers, context, '__proto__', {})).toMatchObject({ ok: false, error: { code: 'UnknownChannel' } });
    expect(await dispatch(handlers, context, 42, {})).toMatchObject({ ok: false, error: { code: 'UnknownChannel' } });
  });

  it('refuses payloads the schema rejects, naming the field, before any handler runs', async () => {
    let ran = false;
    const table = tableWith({ 'twin.update': async () => (ran = true) });
    const result = await dispatch(table, context, 'twin.update', { deviceId: 'd', patch: {} });
    expect(result).toMatchObject({ ok: false, error: { code: 'InvalidPayload', message: expect.stringContaining('etag') } });
    expect(ran).toBe(false);
  });

  it('keeps the hub error code and status (a stale etag is PreconditionFailed 412)', async () => {
    const table = tableWith({
      'twin.update': async () => {
        throw new IotHubError({ code: 'PreconditionFailed', httpStatus: 412, errorCode: 412002, message: 'Precondition failed' });
      },
    });
    const result = await dispatch(table, context, 'twin.update', { deviceId: 'd', patch: { desired: { a: 1 } }, etag: 'old' });
    expect(result).toEqual({ ok: false, error: { code: 'PreconditionFailed', httpStatus: 412, errorCode: 412002, message: 'Precondition failed' } });
  });

  it('maps query errors with their span, studio errors with their code, anything else to InternalError', async () => {
    const table = tableWith({
      'query.run': async () => {
        throw new QuerySyntaxError('Expected a collection', 14, 3, ['devices']);
      },
      'devices.list': async () => {
        throw new StudioError('HubNotRunning', 'The hub is not running.');
      },
      'traffic.snapshot': async () => {
        throw new RangeError('boom');
      },
    });
    expect(await dispatch(table, context, 'query.run', { query: 'SELECT * FROM x' })).toMatchObject({
      ok: false,
      error: { code: 'QueryError', httpStatus: 400, details: { position: 14, length: 3 } },
    });
    expect(await dispatch(table, context, 'devices.list', {})).toEqual({ ok: false, error: { code: 'HubNotRunning', message: 'The hub is not running.' } });
    expect(await dispatch(table, context, 'traffic.snapshot', {})).toEqual({ ok: false, error: { code: 'InternalError', message: 'boom' } });
  });
});
