// Std island (house-style H2): the hub's pure rules, shared by the hub, its clients and the studio's renderer.
export * from './twin-rules.js';
export * from './hub-wording.js';
export * from './json-integers.js';
