// Architecture rules as code (house-style H1-H3, H22, H25). The zones below are the import table of H2.
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

/** A zone: files matching `files` may not import `paths`/`patterns`. */
function zone(name, files, groups, bannedNames = []) {
  const paths = bannedNames.map(([names, message]) => names.map((n) => ({ name: n, message }))).flat();
  return {
    name: `zone/${name}`,
    files,
    rules: {
      'no-restricted-imports': ['error', { paths, patterns: groups.map(([group, message]) => ({ group, message })) }],
    },
  };
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
  zone('std-islands', ['emulator/model/**/*.ts', 'emulator/query/**/*.ts', 'emulator/rules/**/*.ts', 'emulator/util/**/*.ts', 'main/contract/**/*.ts'], [
    [NODE_BUILTINS, 'Std islands run anywhere: no Node APIs (H2).'],
    [[...NODE_PACKAGES, ...DOM_PACKAGES, 'electron'], 'Std islands import std packages only (H2/H3).'],
    [['../*', '!../model', '!../model/*', '!../query', '!../query/*', '!../rules', '!../rules/*', '!../util', '!../util/*', '!../json.js'], 'Std islands import other std islands only (H2).'],
  ], [[NODE_BUILTIN_NAMES, 'Std islands run anywhere: no Node APIs (H2).']]),
  zone('main', ['main/**/*.ts'], [
    [everythingUnderExcept('emulator', ['model', 'query', 'rules', 'util'], ['index.js']), 'main/ reaches the emulator only through emulator/index.ts (H4).'],
    [['**/renderer/**'], 'main/ never imports the renderer (H2).'],
    [DOM_PACKAGES, 'DOM packages belong to renderer/ (H3).'],
  ]),
  zone('renderer', ['renderer/**/*.ts', 'renderer/**/*.tsx'], [
    [NODE_BUILTINS, 'The renderer is DOM-only (H1).'],
    [[...NODE_PACKAGES, 'electron', 'electron/*'], 'Node and Electron packages never reach the renderer (H3).'],
    [everythingUnderExcept('emulator', ['query', 'rules', 'model']), 'The renderer may import emulator/query and emulator/rules (values) and emulator/model (types) only (H2).'],
    [everythingUnderExcept('main', ['contract']), 'The renderer sees main/contract only (H2).'],
  ], [[NODE_BUILTIN_NAMES, 'The renderer is DOM-only (H1).']]),
);
