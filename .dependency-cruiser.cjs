// The import rules of docs/architecture.md ("Folder map"), checked by `npm run lint` (depcruise) so they stay true:
// no cycles anywhere, and every import between the folders the page names points down its layer order.
/** @type {import('dependency-cruiser').IConfiguration} */

// Top-level folders, bottom first: each may import only folders listed before it (tests and test-support/ may also
// import a higher one, e.g. client tests start a mock). Nothing but a harness imports a harness.
const PRODUCT = ['protocol', 'cli', 'client', 'mock-server', 'testkit', 'conformance'];
const HARNESSES = ['bench', 'reliability'];

// mock-server/ folders in layers, bottom first: a folder may import the folders of lower layers, never one of its own
// layer or above. The files at mock-server/'s root (index.ts, cli*.ts) compose them all.
const MOCK_LAYERS = [
  ['rates', 'storage', 'exchange'],
  ['control'],
  ['auth', 'ingest', 'egress'],
  ['operations'],
  ['console'],
  ['http'],
];

// conformance/ folders, bottom first; conformance/'s root files are the suite's model (scenario.ts, summary.ts,
// run-scenario.ts) and its entry points (runner.ts, cli.ts, index.ts).
const CONFORMANCE_LAYERS = [['drivers'], ['targets'], ['scenarios', 'reporters']];

const NOT_TESTS = '(\\.test\\.ts$|/test-support/)';

function layerRules(root, layers) {
  const rules = [];
  layers.forEach((layer, i) => {
    const above = layers.slice(i).flat();
    for (const folder of layer) {
      const forbidden = above.filter((f) => f !== folder);
      if (forbidden.length === 0) continue;
      rules.push({
        name: `${root}/${folder} imports only lower layers`,
        comment: `${root}/${folder}/ may not import ${forbidden.map((f) => `${root}/${f}/`).join(', ')} (docs/architecture.md)`,
        severity: 'error',
        from: { path: `^${root}/${folder}/`, pathNot: NOT_TESTS },
        to: { path: `^${root}/(${forbidden.join('|')})/` },
      });
    }
  });
  rules.push({
    name: `${root} folders do not import ${root}'s entry points`,
    severity: 'error',
    from: { path: `^${root}/(${layers.flat().join('|')})/`, pathNot: NOT_TESTS },
    to: { path: `^${root}/(index|cli|cli-main|cli-args|runner)\\.ts$` },
  });
  return rules;
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle makes the layers meaningless (docs/architecture.md).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...PRODUCT.map((folder, i) => ({
      name: `${folder} imports only lower top-level folders`,
      comment: `${folder}/ may import only ${PRODUCT.slice(0, i).join(', ') || 'nothing of ours'} (docs/architecture.md)`,
      severity: 'error',
      from: { path: `^${folder}/`, pathNot: NOT_TESTS },
      to: { path: `^(${[...PRODUCT.slice(i + 1), ...HARNESSES].join('|')})/` },
    })),
    {
      name: 'nothing of the product imports a harness',
      comment: 'bench/ and reliability/ are not published: no product file, test or test kit may depend on them.',
      severity: 'error',
      from: { path: `^(${PRODUCT.join('|')})/` },
      to: { path: `^(${HARNESSES.join('|')})/` },
    },
    {
      name: 'console-ui imports only mock-server types',
      comment: 'The browser bundle shares the wire types of mock-server/, never its code (docs/architecture.md).',
      severity: 'error',
      from: { path: '^console-ui/' },
      to: { path: `^(${PRODUCT.filter((f) => f !== 'mock-server').join('|')}|${HARNESSES.join('|')})/` },
    },
    {
      name: 'console-ui imports mock-server for types only',
      severity: 'error',
      from: { path: '^console-ui/' },
      to: { path: '^mock-server/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'nothing imports console-ui',
      comment: 'console-ui/ is bundled for the browser by scripts/bundle.mjs; the server serves the bundle.',
      severity: 'error',
      from: { pathNot: '^console-ui/' },
      to: { path: '^console-ui/' },
    },
    ...layerRules('mock-server', MOCK_LAYERS),
    ...layerRules('conformance', CONFORMANCE_LAYERS),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|build)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
