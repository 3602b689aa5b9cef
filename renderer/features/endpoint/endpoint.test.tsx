// @vitest-environment jsdom
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import { renderWithStudio } from '../../test-utils/render.js';
import { EndpointView } from './EndpointView.js';

afterEach(cleanup);

describe('the Event Hub view', () => {
  it('shows the connection string, per-partition counts, route hits and the newest events with their details', async () => {
    const { api } = renderWithStudio(<EndpointView />);
    expect((await screen.findByText(/Endpoint=sb:\/\/localhost\//)).textContent).toContain('EntityPath=localhost');
    expect(within(screen.getByTestId('partition-2')).getAllByRole('cell').map((cell) => cell.textContent)).toEqual(['2', '2', '0 … 1', '2026-01-01T00:00:01.000Z']);
    expect(within(screen.getByTestId('partition-0')).getAllByRole('cell')[2]?.textContent).toBe('—');
    expect(within(screen.getByTestId('route-twins')).getAllByRole('cell').map((cell) => cell.textContent)).toEqual(['twins', 'TwinChangeEvents', 'true', 'events', '1']);
    expect(within(screen.getByTestId('route-$fallback')).getAllByRole('cell')[4]?.textContent).toBe('1');
    expect(within(screen.getByTestId('endpoint-archive')).getAllByRole('cell').slice(2).map((cell) => cell.textContent)).toEqual(['hot-archive', 'written 3, failed 0']);
    const events = screen.getAllByTestId('endpoint-event');
    expect(events.map((event) => event.textContent)).toEqual([
      expect.stringContaining('twinChangeEvents') as string,
      expect.stringContaining('{"t":21.5}') as string,
    ]);
    fireEvent.click(within(events[1] as HTMLElement).getByRole('button'));
    expect(JSON.parse(screen.getByTestId('endpoint-event-details').textContent ?? '{}')).toMatchObject({ properties: { alert: 'high' }, annotations: { 'iothub-message-source': 'Telemetry' }, offset: '0' });
    expect(api.calls.some((call) => call.channel === 'traffic.endpoint')).toBe(true);
  });

  it('edits the routing as Resource Manager\'s object: a refused change shows the hub\'s error, an accepted one shows the new routes', async () => {
    const { api } = renderWithStudio(<EndpointView />);
    fireEvent.click(await screen.findByRole('button', { name: 'Edit routing' }));
    const editor = screen.getByRole('textbox') as HTMLTextAreaElement;
    expect(JSON.parse(editor.value)).toMatchObject({ routes: [{ name: 'twins' }] });
    fireEvent.change(editor, { target: { value: '{"routes": [' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply routing' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/not valid JSON/);
    const elsewhere = { routes: [{ name: 'lost', source: 'DeviceMessages', condition: 'true', endpointNames: ['nowhere'], isEnabled: true }] };
    fireEvent.change(editor, { target: { value: JSON.stringify(elsewhere) } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply routing' }));
    expect((await screen.findByText(/endpoint 'nowhere' does not exist/)).textContent).toBeTruthy();
    const hot = { routes: [{ name: 'hot', source: 'DeviceMessages', condition: '$body.t > 30', endpointNames: ['events'], isEnabled: true }] };
    fireEvent.change(editor, { target: { value: JSON.stringify(hot) } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply routing' }));
    expect(within(await screen.findByTestId('route-hot')).getAllByRole('cell').map((cell) => cell.textContent)).toEqual(['hot', 'DeviceMessages', '$body.t > 30', 'events', '0']);
    expect(api.calls.filter((call) => call.channel === 'traffic.setRouting')).toHaveLength(2);
  });
});
