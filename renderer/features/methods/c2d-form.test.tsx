// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { createFakeApi } from '../../api/fake-client.js';
import { renderWithStudio } from '../../test-utils/render.js';
import { parseProperties, utf8Bytes } from './c2d-properties.js';
import { C2dForm } from './C2dForm.js';

afterEach(cleanup);

describe('the C2D form', () => {
  it('reports property lines that do not parse, with their line, and does not send', async () => {
    const { api } = renderWithStudio(<C2dForm deviceId="dev-1" />, createFakeApi());
    fireEvent.change(screen.getByLabelText('Properties (key=value per line)'), { target: { value: 'color=red\nnovalue\n\n=x' } });
    const errors = screen.getByTestId('c2d-property-errors');
    expect([...errors.querySelectorAll('li')].map((item) => item.textContent)).toEqual([
      'Line 2 novalue is not key=value (no "=").',
      'Line 4 =x has no key before "=".',
    ]);
    const send = screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    fireEvent.click(send);
    expect(api.calls.some((call) => call.channel === 'c2d.send')).toBe(false);
    fireEvent.change(screen.getByLabelText('Properties (key=value per line)'), { target: { value: 'color=red\nempty=' } });
    fireEvent.click(send);
    await screen.findByTestId('c2d-outcome');
    expect(api.calls.find((call) => call.channel === 'c2d.send')?.req).toMatchObject({ properties: { color: 'red', empty: '' } });
  });

  it('counts the body in UTF-8 bytes against the 64 KB limit', () => {
    expect(utf8Bytes('é€😀')).toBe(2 + 3 + 4);
    renderWithStudio(<C2dForm deviceId="dev-1" />, createFakeApi());
    // 22,000 characters of 3 bytes each: 66,000 bytes, over the limit although fewer than 65,536 characters.
    fireEvent.change(screen.getByLabelText('Body'), { target: { value: '€'.repeat(22_000) } });
    expect(screen.getByTestId('c2d-size').textContent).toContain('66,000 of 65,536 bytes (UTF-8): too big');
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('says when the device completed (or rejected) the message, not only that it was queued', async () => {
    const { api } = renderWithStudio(<C2dForm deviceId="dev-1" />, createFakeApi());
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect((await screen.findByTestId('c2d-outcome')).textContent).toMatch(/^Queued as message msg-1/);
    act(() => api.emit('c2d.settled', { deviceId: 'dev-1', messageId: 'other', outcome: 'Rejected' }));
    expect(screen.getByTestId('c2d-outcome').textContent).toMatch(/^Queued/);
    act(() => api.emit('c2d.settled', { deviceId: 'dev-1', messageId: 'msg-1', outcome: 'Success' }));
    expect(screen.getByTestId('c2d-outcome').textContent).toBe('Message msg-1 completed by the device.');
  });

  it('parses properties into a plain object', () => {
    expect(parseProperties(' a = 1 \nb=x=y')).toEqual({ ok: true, properties: { a: '1', b: 'x=y' } });
    expect(parseProperties('a=1\na=2')).toMatchObject({ ok: false, errors: [{ line: 2 }] });
  });

  it('shows the outcome when the device settled the message before the send answered', async () => {
    const api = createFakeApi();
    api.override('c2d.send', ({ deviceId }) => {
      api.emit('c2d.settled', { deviceId, messageId: 'fast-1', outcome: 'Success' });
      return { ok: true, value: { messageId: 'fast-1' } };
    });
    renderWithStudio(<C2dForm deviceId="dev-1" />, api);
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect((await screen.findByTestId('c2d-outcome')).textContent).toBe('Message fast-1 completed by the device.');
  });
});

