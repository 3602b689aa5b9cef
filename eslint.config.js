// Architecture rules as code (house-style H1-H5, H22, H25). The zones below are the import table of H2 and the layers of H4/H5.
// !!! Do not relax a zone without saying why in the commit. test/unit/lint/zones.test.ts proves each one bites.
import tseslint from 'typescript-eslint';

// Bare built-in names are matched exactly (`paths`): as gitignore patterns, `util` would also match `../util/x.js`.
const NODE_BUILTIN_NAMES = ['fs', 'fs/promises', 'path', 'os', 'crypto', 'net', 'tls', 'http', 'https', 'child_process', 'stream', 'events', 'util', 'url', 'buffer', 'process'];
const NODE_BUILTINS = ['node:*'];
const NODE_PACKAGES = ['aedes', 'aedes-*', 'rhea', 'ws', 'mqtt', 'mqtt-packet', 'lowdb', 'lowdb/*', 'selfsigned'];
const DOM_PACKAGES = ['react', 'react-dom', 'react-dom/*', 'react/*', '@codemirror/*', 'codemirror'];

/**
 * Everything under `<dir>/` except the listed subfolders and files. Gitignore rules cannot re-include a file whose
 * parent folder is excluded, so each level is excluded and re-included separately.
 */
function everythingUnderExcept(dir, folders, files = []) {
  return [
    `**/${dir}/*`,
    ...folders.map((folder) => `!**/${dir}/${folder}`),
    ...files.map((file) => `!**/${dir}/${file}`),
    `**/${dir}/*/**`,
    ...folders.map((folder) => `!**/${dir}/${folder}/**`),
  ];
}

/** A zone: files matching `files` may not import `paths`/`patterns` (`[group, message]` pairs or `{ regex, message }`). */
function zone(name, files, groups, bannedNames = []) {
  const paths = bannedNames.map(([names, message]) => names.map((n) => ({ name: n, message }))).flat();
  return {
    name: `zone/${name}`,
    files,
    rules: {
      'no-restricted-imports': ['error', { paths, patterns: groups.map((entry) => (Array.isArray(entry) ? { group: entry[0], message: entry[1] } : entry)) }],
    },
  };
}

/**
 * A layer zone (H4/H5, H14): files matching `files` may not import `patterns`. Layer zones stack on the root zones
 * above because they use typescript-eslint's copy of the rule (ESLint keeps one options set per rule and file: a
 * second `no-restricted-imports` zone would replace the first), which can also allow type-only imports. Layer zones
 * must not overlap each other for the same reason.
 */
function layer(name, files, patterns) {
  return { name: `layer/${name}`, files, rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] } };
}

/** Clients of the hub (simulation, load, CLI) see the front door, the client kit, the std islands and `clientTiers`. */
function clientZone(folder, clientTiers) {
  const allowed = ['model', 'query', 'rules', 'util', ...clientTiers].flatMap((dir) => [`!../${dir}`, `!../${dir}/*`]);
  return layer(`clients/${folder}`, [`emulator/${folder}/**/*.ts`], [
    {
      group: ['../*', '!../index.js', '!../client-kit.js', ...allowed],
      message: `emulator/${folder}/ is a client of the hub: it imports emulator/index.ts (or emulator/client-kit.ts), the std islands${clientTiers.length ? ` and emulator/${clientTiers.join('/, emulator/')}/` : ''} only (H4).`,
    },
  ]);
}

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench-results/**'] },
  ...tseslint.configs.recommended,
  {
    name: 'typescript-strictness',
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    name: 'commonjs-fixtures',
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  zone('emulator', ['emulator/**/*.ts'], [
    [['electron', 'electron/*'], 'emulator/ is a headless Node library: no Electron (H1).'],
    [['**/main/**', '**/renderer/**'], 'emulator/ never imports main/ or renderer/ (H1).'],
    [DOM_PACKAGES, 'DOM packages belong to renderer/ (H3).'],
  ]),
  zone('std-islands', ['emulator/model/**/*.ts', 'emulator/query/**/*.ts', 'emulator/rules/**/*.ts', 'emulator/util/**/*.ts'], [
    [NODE_BUILTINS, 'Std islands run anywhere: no Node APIs (H2).'],
    [[...NODE_PACKAGES, ...DOM_PACKAGES, 'electron'], 'Std islands import std packages only (H2/H3).'],
    [['../*', '!../model', '!../model/*', '!../query', '!../query/*', '!../rules', '!../rules/*', '!../util', '!../util/*', '!../json.js'], 'Std islands import other std islands only (H2).'],
  ], [[NODE_BUILTIN_NAMES, 'Std islands run anywhere: no Node APIs (H2).']]),
  zone('contract', ['main/contract/**/*.ts'], [
    [NODE_BUILTINS, 'main/contract is a std island: no Node APIs (H2).'],
    [[...NODE_PACKAGES, ...DOM_PACKAGES, 'electron', 'electron/*'], 'Std islands import std packages only (H2/H3).'],
    { regex: '^\\.\\./(?!\\.\\./emulator/(model|query|rules|util)/)', message: 'main/contract imports the emulator std islands only (H2).' },
  ], [[NODE_BUILTIN_NAMES, 'main/contract is a std island: no Node APIs (H2).']]),
  { ...zone('main', ['main/**/*.ts'], [
    [everythingUnderExcept('emulator', ['model', 'query', 'rules', 'util'], ['index.js']), 'main/ reaches the emulator only through emulator/index.ts (H4).'],
    [['**/renderer/**'], 'main/ never imports the renderer (H2).'],
    [DOM_PACKAGES, 'DOM packages belong to renderer/ (H3).'],
  ]), ignores: ['main/contract/**'] }, // main/contract is a std island: its zone above must not be replaced by this one.
  zone('renderer', ['renderer/**/*.ts', 'renderer/**/*.tsx'], [
    [NODE_BUILTINS, 'The renderer is DOM-only (H1).'],
    [[...NODE_PACKAGES, 'electron', 'electron/*'], 'Node and Electron packages never reach the renderer (H3).'],
    [everythingUnderExcept('emulator', ['query', 'rules', 'model']), 'The renderer may import emulator/query and emulator/rules (values) and emulator/model (types) only (H2).'],
    [everythingUnderExcept('main', ['contract']), 'The renderer sees main/contract only (H2).'],
  ], [[NODE_BUILTIN_NAMES, 'The renderer is DOM-only (H1).']]),

  // Layers inside the emulator (H5): transports → services → twin rules / state (the reducer) → store.
  layer('transports', ['emulator/transports/**/*.ts'], [
    { group: ['**/store/**', '**/state/**'], message: 'Transports translate wire to service calls: no store, no state (H5). Store types live in emulator/model/hub-state.ts.' },
  ]),
  layer('services', ['emulator/services/**/*.ts'], [
    { group: ['**/transports/**'], message: 'Services never call back into transports (H5).' },
    { group: ['**/store/*', '!**/store/store.js'], message: 'Services see the store through its interface emulator/store/store.ts only (H5/H10).' },
    { group: ['**/store/store.js'], allowTypeImports: true, message: 'Services import the store interface as types only; the store is injected (H5/H10).' },
  ]),
  // The provisioning service (DPS) is a service layer of its own: the same rules as services/.
  layer('provisioning', ['emulator/provisioning/**/*.ts'], [
    { group: ['**/transports/**'], message: 'The provisioning service never calls back into transports (H5).' },
    { group: ['**/store/*', '!**/store/store.js'], message: 'The provisioning service sees the store through its interface emulator/store/store.ts only (H5/H10).' },
    { group: ['**/store/store.js'], allowTypeImports: true, message: 'The provisioning service imports the store interface as types only; the store is injected (H5/H10).' },
  ]),
  layer('twin-and-state', ['emulator/twin/**/*.ts', 'emulator/state/**/*.ts'], [
    { group: ['**/services/**', '**/provisioning/**', '**/transports/**'], message: 'Twin rules and the reducer are below services and transports (H5).' },
  ]),
  // Injected faults (emulator/faults/README.md): the transports and the request gate consult the engine, which acts on
  // connections only through the FaultTarget ports the composition root binds; it never reaches into a transport.
  layer('faults', ['emulator/faults/**/*.ts'], [
    { group: ['**/transports/**', '**/store/**', '**/state/**', '**/provisioning/**'], message: 'The fault engine acts through the FaultTarget ports, never on transports, the store or state directly (H5).' },
    { group: ['**/services/**'], allowTypeImports: true, message: 'The fault engine imports service types only (the device port, the request gate); it is wired by emulator.ts (H4/H5).' },
  ]),
  layer('store', ['emulator/store/**/*.ts'], [
    { group: ['**/services/**', '**/provisioning/**', '**/transports/**', '**/twin/**', '**/state/**'], message: 'The store persists and replays through an injected reducer: no services, transports, twin rules or state (H5/H10).' },
  ]),
  // A cluster node (docs/cluster.md) reaches devices through the DevicePort and shares state through the injected
  // Redis store: no transports, reducer or twin rules, and the store as types only.
  layer('cluster', ['emulator/cluster/**/*.ts'], [
    { group: ['**/transports/**', '**/state/**', '**/twin/**', '**/provisioning/**'], message: 'A cluster node reaches devices through the DevicePort (services/device-port.ts) only: no transports, state, twin rules (H5).' },
    { group: ['**/store/**'], allowTypeImports: true, message: 'A cluster node gets the store injected: type imports only (H5/H10).' },
  ]),
  // Clients of the hub (H4), in tiers: the CLI drives load runs and simulations, a load run drives simulated devices.
  clientZone('simulation', []),
  clientZone('load', ['simulation']),
  clientZone('cli', ['load', 'simulation']),

  layer('preload', ['main/preload/**/*.ts'], [
    { regex: '^(?!electron$|\\.\\./contract/[^/]+$)', message: 'The preload imports electron and main/contract only (H2/H14).' },
  ]),
  layer('renderer-model-types', ['renderer/**/*.ts', 'renderer/**/*.tsx'], [
    { group: ['**/emulator/model/**'], allowTypeImports: true, message: 'The renderer imports emulator/model for types only (H2).' },
  ]),
);
