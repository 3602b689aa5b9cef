export * from './json.js';
export * from './twin.js';
export * from './device.js';
export * from './message.js';
