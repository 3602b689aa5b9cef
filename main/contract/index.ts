/** The IPC contract's public surface (std: runs in main, preload and — type-only — in the renderer). */
export * from './api.js';
export * from './channels.js';
export * from './dto.js';
export * from './errors.js';
export * from './json-schema.js';
export * from './teaching-dto.js';
export * from './module-dto.js';
