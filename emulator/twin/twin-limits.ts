// The limits are std rules now (emulator/rules/twin-rules.ts), shared with the studio's twin editor.
export { TWIN_LIMITS } from '../rules/twin-rules.js';
