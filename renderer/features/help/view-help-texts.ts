// "What am I looking at": one short explanation per studio view, device tab and teaching panel, written for someone
// who has never seen a device twin. Shown by `components/ViewHelp.tsx`; `view-help.test.tsx` proves each view has one.

/** The studio's top-level views (the navigation, Alt+1…0). Teach has a line per panel instead. */
export const VIEW_HELP = {
  devices:
    'Every device registered with this hub. Pick one to see its twin: the JSON copy of the device that the hub keeps, with tags (labels only the back end sees), desired properties (what the back end wants) and reported properties (what the device says). Grid shows the whole fleet as one table.',
  traffic:
    'Every message on the wire, oldest first: devices talking MQTT, AMQP or HTTPS, and back ends calling the REST API. A request and its answer share a row; open a row to read the topic and the payload.',
  endpoint:
    'Where device-to-cloud messages end up: the built-in Event Hub-compatible endpoint that a back end reads with an Event Hubs client. Routes decide which messages and hub events go to which endpoint; the newest events are shown decoded.',
  query:
    'Ask the hub which twins match, in IoT Hub’s SQL dialect, e.g. SELECT * FROM devices WHERE tags.location.plant = \'Redmond43\'. It is the same query a back end runs with the service SDK.',
  jobs:
    'A job does one thing to many devices: writes their twins or calls a direct method on every device a query selects, now or at a set time. Watch each device’s result here.',
  configurations:
    'Automatic device management: a configuration writes the same desired properties to every twin its target condition selects, by priority, and counts how many devices it targets and how many applied it.',
  provisioning:
    'The Device Provisioning Service: a device that knows only an enrollment’s credentials asks it which hub to use, and it creates the device’s identity here. Enrollments, groups and past registrations are listed.',
  settings:
    'How this emulated hub runs: the ports it listens on, where it keeps its data, the IoT Hub tier it behaves like, and how the studio looks.',
  faults:
    'Make things go wrong on purpose: drop a device, refuse or slow requests, time methods out, take the whole hub down, and see how devices and back ends cope. Each fault shows in Traffic.',
} as const;

/** The tabs of one device in the Devices view. */
export const DEVICE_TAB_HELP = {
  twin:
    'This device’s twin as JSON. You edit tags and desired properties here, as a back end would; reported properties come only from the device. Every write gives the twin a new $version.',
  modules:
    'Module identities are independent parts of one device (a sensor app, a gateway module), each with its own key, connection and twin. The module twin works like the device twin, with its own $version and etag.',
  connect: 'What a device needs to connect as this identity: its connection string, the hub’s CA certificate and a ready-to-run sample.',
  methods:
    'Call a direct method (the device must be connected and answer in time) or queue a cloud-to-device message, which waits in the hub until the device takes it and completes, rejects or abandons it.',
  pnp: 'IoT Plug and Play: the model the device announced, its properties with whether the device acknowledged them, and its commands.',
  traffic: 'Only this device’s messages from the traffic log.',
  telemetry: 'What the device sends to the cloud: the latest value of each numeric field, and a live chart of the fields you pick.',
} as const;

/** The panels of the Teach view. */
export const TEACH_HELP = {
  lessons: 'Guided lessons: each step explains one idea, does one thing on the hub, and turns green when the hub is in the state the step teaches.',
  timeline:
    'Every version of one twin: who wrote it (device, back end, studio, job), which part, and the patch — slide back in time, compare two versions, or click a property to see who changed it and when.',
  sequence: 'The conversation between the back end, the hub and a device, one arrow per message, oldest at the top: click an arrow to see what it carried.',
  step: 'The hub can hold what it sends to a device, so you can show a change waiting in the hub, then arriving when you release it.',
  snapshots: 'Save the whole hub — devices, twins with their exact versions and etags — and put it back in one click.',
} as const;

export type ViewHelpTopic = keyof typeof VIEW_HELP;
export type DeviceTabHelpTopic = keyof typeof DEVICE_TAB_HELP;
export type TeachHelpTopic = keyof typeof TEACH_HELP;
