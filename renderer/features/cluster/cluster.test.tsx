// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';

import type { ClusterNodeDto } from '../../../main/contract/index.js';
import { createFakeApi } from '../../api/fake-client.js';
import { renderWithStudio } from '../../test-utils/render.js';
import { ClusterPanel } from './ClusterPanel.js';

afterEach(cleanup);

const node = (nodeId: string, fields: Partial<ClusterNodeDto>): ClusterNodeDto => ({
  nodeId, hostName: 'localhost', addresses: ['localhost', '127.0.0.1'], ports: { mqtts: 8883, https: 8443, amqps: null }, devices: 0, position: 40,
  startedAt: '2026-12-01T20:00:00.000Z', heartbeatAt: '2026-12-01T21:00:00.000Z', silentMs: 500, live: true, leader: false, self: false, ...fields,
});

describe('the cluster panel', () => {
  it('lists every node with its liveness, device count, ports and role, and counts the live ones', async () => {
    const api = createFakeApi();
    api.override('emulator.cluster', () => ({
      ok: true,
      value: {
        nodeId: 'b',
        nodes: [
          node('a', { devices: 3, leader: true, ports: { mqtts: 18883, https: 18443, amqps: 15671 } }),
          node('b', { devices: 1, self: true }),
          node('c', { devices: 7, live: false, silentMs: 9400 }),
        ],
      },
    }));
    renderWithStudio(<ClusterPanel />, api);
    expect((await screen.findByTestId('cluster-summary')).textContent).toBe('This hub is node b: 2 live nodes, 4 connected devices.');
    expect(screen.getByTestId('cluster-devices-a').textContent).toBe('3');
    expect(screen.getByTestId('cluster-devices-b').textContent).toBe('1');
    expect(screen.getByTestId('cluster-devices-c').textContent).toBe('7');
    const rowA = screen.getByTestId('cluster-node-a').textContent ?? '';
    expect(rowA).toContain('leader');
    expect(rowA).toContain('live');
    expect(rowA).toContain('MQTT/TLS 18883 · HTTPS 18443 · AMQP/TLS 15671');
    expect(screen.getByTestId('cluster-node-b').textContent).toContain('(this hub)');
    expect(screen.getByTestId('cluster-node-b').textContent).toContain('AMQP/TLS off');
    expect(screen.getByTestId('cluster-node-c').textContent).toContain('silent 9 s');
    expect(api.calls.some((call) => call.channel === 'emulator.cluster')).toBe(true);
  });

  it('says when the hub runs on its own, and shows an error from the host', async () => {
    renderWithStudio(<ClusterPanel />);
    expect(await screen.findByText(/This hub runs on its own/)).toBeTruthy();
    expect(screen.queryByTestId('cluster-nodes')).toBeNull();
    cleanup();
    const api = createFakeApi();
    api.override('emulator.cluster', () => ({ ok: false, error: { code: 'HubNotRunning', message: 'The hub is not running.' } }));
    renderWithStudio(<ClusterPanel />, api);
    expect(await screen.findByText(/The hub is not running/)).toBeTruthy();
  });
});
