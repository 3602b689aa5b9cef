import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// House-style H25: the import zones are code, and each zone is proven to bite with one allowed and one forbidden
// import, linted through the project's own eslint.config.js.
const eslint = new ESLint({ cwd: process.cwd() });

async function errorsFor(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('import zones (house-style H1-H4)', () => {
  it.each([
    ['emulator/services/x.ts', "import { Aedes } from 'aedes';\nexport const a = Aedes;", "import { app } from 'electron';\nexport const a = app;"],
    ['emulator/query/x.ts', "import { isJsonObject } from '../model/json.js';\nexport const a = isJsonObject;", "import { readFile } from 'node:fs/promises';\nexport const a = readFile;"],
    ['emulator/query/y.ts', "import { RingBuffer } from '../util/ring-buffer.js';\nexport const a = RingBuffer;", "import { TwinService } from '../services/twin-service.js';\nexport const a = TwinService;"],
    ['emulator/util/x.ts', "import { isJsonObject } from '../model/json.js';\nexport const a = isJsonObject;", "import { createHash } from 'crypto';\nexport const a = createHash;"],
    ['main/host/x.ts', "import { createEmulator } from '../../emulator/index.js';\nexport const a = createEmulator;", "import { TwinService } from '../../emulator/services/twin-service.js';\nexport const a = TwinService;"],
    ['renderer/features/x.ts', "import { checkQuery } from '../../emulator/query/index.js';\nexport const a = checkQuery;", "import { createEmulator } from '../../emulator/index.js';\nexport const a = createEmulator;"],
    ['renderer/features/y.ts', "import type { Invokes } from '../../main/contract/channels.js';\nexport type A = Invokes;", "import { readFileSync } from 'fs';\nexport const a = readFileSync;"],
  ])('%s: allows the first import and forbids the second', async (filePath, allowed, forbidden) => {
    expect(await errorsFor(filePath, allowed)).toEqual([]);
    expect(await errorsFor(filePath, forbidden)).toHaveLength(1);
  });
});
