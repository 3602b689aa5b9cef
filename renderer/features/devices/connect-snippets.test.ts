import { describe, expect, it } from 'vitest';

import { connectionStringFor, connectSnippet, TRANSPORTS, transportNotes } from './connect-snippets.js';

const input = { connectionString: 'HostName=localhost;DeviceId=d1;SharedAccessKey=a2V5;GatewayHostName=localhost:18883', caCertPath: '/data/certs/ca.pem' };

describe('connect snippets', () => {
  it('offers every transport of the Node device SDK: MQTT, AMQP (each also over WebSockets) and HTTPS', () => {
    expect(TRANSPORTS.map((t) => t.id)).toEqual(['mqtt', 'mqttWs', 'amqp', 'amqpWs', 'http']);
  });

  it('gives Amqp the AMQP port as GatewayHostName (never the MQTT one) and AmqpWs none', () => {
    expect(connectionStringFor('amqp', input.connectionString, { amqps: 15671 })).toBe('HostName=localhost;DeviceId=d1;SharedAccessKey=a2V5;GatewayHostName=localhost:15671');
    expect(connectionStringFor('amqp', input.connectionString, { amqps: 5671 })).toBe('HostName=localhost;DeviceId=d1;SharedAccessKey=a2V5');
    expect(connectionStringFor('amqpWs', input.connectionString, { amqps: 15671 })).toBe('HostName=localhost;DeviceId=d1;SharedAccessKey=a2V5');
    const amqp = connectSnippet('amqp', { ...input, amqps: 15671 });
    expect(amqp).toContain("import amqpTransport from 'azure-iot-device-amqp';");
    expect(amqp).toContain('Client.fromConnectionString(connectionString, amqpTransport.Amqp)');
    expect(connectSnippet('amqpWs', input)).toContain('amqpTransport.AmqpWs');
    expect(transportNotes('amqp', 'localhost', { mqtts: 8883, https: 443, amqps: 15671 })).toMatchObject({ endpoint: 'localhost:15671 (AMQP 1.0 over TLS)', notes: [expect.stringContaining('GatewayHostName=localhost:15671')] });
    expect(transportNotes('amqp', 'localhost', { mqtts: 8883, https: 443, amqps: null }).warning).toMatch(/no AMQP port/);
    expect(transportNotes('amqpWs', 'localhost', { mqtts: 8883, https: 8443, amqps: 5671 }).warning).toMatch(/AmqpWs dials port 443 only/);
  });

  it('fills in the real connection string and CA path, trusts the CA with setOptions({ ca }), sends once and closes', () => {
    const mqtt = connectSnippet('mqtt', input);
    expect(mqtt).toContain(`const connectionString = ${JSON.stringify(input.connectionString)};`);
    expect(mqtt).toContain(`fs.readFileSync("/data/certs/ca.pem", 'utf8')`);
    expect(mqtt).toContain("import mqttTransport from 'azure-iot-device-mqtt';");
    expect(mqtt).toContain('Client.fromConnectionString(connectionString, mqttTransport.Mqtt)');
    expect(mqtt).toContain('await client.setOptions({ ca });');
    expect(mqtt.indexOf('sendEvent')).toBeLessThan(mqtt.indexOf('await client.close();'));
    expect(connectSnippet('mqttWs', input)).toContain('mqttTransport.MqttWs');
  });

  it('gives Http the CA and its http options in one setOptions call', () => {
    const http = connectSnippet('http', input);
    expect(http).toContain("import httpTransport from 'azure-iot-device-http';");
    expect(http).toContain('httpTransport.Http');
    expect(http.match(/setOptions\(/g)).toHaveLength(1);
    expect(http).toContain('await client.setOptions({ ca, http: { receivePolicy: { interval: 1 } } });');
  });

  it('drops GatewayHostName for MqttWs and Http (they dial HostName:443) and keeps it for MQTT', () => {
    expect(connectionStringFor('mqtt', input.connectionString)).toBe(input.connectionString);
    expect(connectionStringFor('mqttWs', input.connectionString)).toBe('HostName=localhost;DeviceId=d1;SharedAccessKey=a2V5');
    expect(connectSnippet('http', input)).not.toContain('GatewayHostName');
    expect(connectionStringFor('http', 'HostName=h;DeviceId=d;SharedAccessKey=k')).toBe('HostName=h;DeviceId=d;SharedAccessKey=k');
  });

  it('notes that HTTPS has no twins or methods and that MqttWs/Http dial 443, with a warning when HTTPS is elsewhere', () => {
    const on443 = transportNotes('http', 'localhost', { mqtts: 8883, https: 443, amqps: 5671 });
    expect(on443.endpoint).toBe('localhost:443 (HTTPS)');
    expect(on443.notes.join(' ')).toMatch(/twins and direct methods/);
    expect(on443.notes.join(' ')).toContain('hub HTTPS port: 443');
    expect(on443.warning).toBeUndefined();
    const elsewhere = transportNotes('mqttWs', 'localhost', { mqtts: 8883, https: 8443, amqps: 5671 });
    expect(elsewhere.warning).toMatch(/HTTPS port is 8443, but MqttWs dials port 443 only/);
    expect(transportNotes('http', 'localhost', { mqtts: 8883, https: null, amqps: 5671 }).warning).toMatch(/no HTTPS port/);
    expect(transportNotes('mqtt', 'localhost', { mqtts: 18883, https: null, amqps: 5671 })).toMatchObject({ endpoint: 'localhost:18883 (MQTT 3.1.1 over TLS)', notes: [expect.stringContaining('GatewayHostName=localhost:18883')] });
  });
});
