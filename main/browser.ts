#!/usr/bin/env node
// Entry of browser mode: `node dist/main/browser.js [options]` (see --help).
import { main } from './host/browser-mode.js';

void main(process.argv.slice(2));
