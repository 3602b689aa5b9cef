/** Example queries (iothub-protocol.md §9.4), shown in the console to teach the language. */
export const EXAMPLE_QUERIES: readonly { readonly title: string; readonly query: string }[] = [
  { title: 'All twins', query: 'SELECT * FROM devices' },
  { title: 'Connected devices', query: "SELECT deviceId, lastActivityTime FROM devices WHERE connectionState = 'Connected'" },
  { title: 'By tag', query: "SELECT * FROM devices WHERE tags.location.region = 'US'" },
  { title: 'Count devices', query: 'SELECT COUNT() AS totalNumberOfDevices FROM devices' },
  {
    title: 'Group by connection state',
    query: 'SELECT connectionState, COUNT() AS devices FROM devices GROUP BY connectionState',
  },
  {
    title: 'Group by a reported value',
    query:
      'SELECT properties.reported.telemetryConfig.status AS status, COUNT() AS numberOfDevices FROM devices GROUP BY properties.reported.telemetryConfig.status',
  },
  { title: 'Property is defined', query: 'SELECT * FROM devices WHERE IS_DEFINED(properties.reported.firmware)' },
  { title: 'IN a list', query: "SELECT * FROM devices WHERE properties.reported.connectivity IN ['wired', 'wifi']" },
  { title: 'Reserved word as name', query: "SELECT * FROM devices WHERE tags.[[group]].name = 'some_value'" },
  { title: 'First ten', query: 'SELECT TOP 10 * FROM devices' },
];
