// Layering rules for a2gen, from the design notes (DESIGN.md, "Layout, and where it is heading"; docs/architecture.md
// is to keep the same picture).
//
//   common/          shared leaf: imported by generator/ and runtime/, imports nothing of the project
//   introspection/   leaf: reads a live table, diffs it against a schema file
//   generator/       imports common/ and introspection/, never runtime/
//   generated/       imports only small runtime contracts
//   runtime/         db/ (contract + mysql/, sqlite/) <- store/ (no Fastify) <- http/, api/, admin/
//   bin/             the CLI: wires generator, generated and runtime together, so it may import anything
//
// Run with `npm run check:deps`. Every rule is an error: the script fails on any violation.
// Paths are relative to the repository root, and point at the .ts sources (imports are written `./x.js`,
// the TypeScript ESM way; dependency-cruiser retries an unresolved `./x.js` as `./x.ts`, as tsc does, and the
// not-to-unresolvable rule below fails the check if that ever stops working).

// api/ and admin/ may end up under runtime/http/ (the design sketch indents them there): accept both.
const API = '^runtime/(?:http/)?api/';
const ADMIN = '^runtime/(?:http/)?admin/';

// Fastify itself, its official plugins and anything published as fastify-* (fastify-plugin).
// `(^|/)node_modules/` rather than `^node_modules/` in case a package ever resolves to a nested copy.
const FASTIFY = '(?:^|/)node_modules/(?:fastify|fastify-[^/]+|@fastify/[^/]+)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'No import cycles anywhere. Type-only imports count too (tsPreCompilationDeps): a cycle through ' +
        'types is still two modules that cannot be understood, or moved, one without the other.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'An import that does not resolve to a file on disk. Besides catching a typo, this guards the rules ' +
        'themselves: a `./x.js` import that failed to map back to `./x.ts` would escape every path rule below.',
      from: {},
      to: { couldNotResolve: true },
    },

    // generator <-> runtime
    {
      name: 'generator-not-to-runtime',
      severity: 'error',
      comment: 'The generator never imports the runtime: what both need lives in common/.',
      from: { path: '^generator/' },
      to: { path: '^runtime/' },
    },
    {
      name: 'runtime-not-to-generator',
      severity: 'error',
      comment: 'The runtime never imports the generator: what both need lives in common/.',
      from: { path: '^runtime/' },
      to: { path: '^generator/' },
    },
    {
      name: 'runtime-not-to-generated',
      severity: 'error',
      comment:
        "The runtime's core takes the generated registry as an argument and never imports generated/, " +
        'except in the one entry point that wires them (runtime/main.ts). The CLI commands that need the ' +
        'registry (build, first start) get it from bin/a2gen.ts, which is outside runtime/; runtime/commands/ ' +
        'does not import generated/ today, so it gets no exception.',
      from: { path: '^runtime/', pathNot: '^runtime/main\\.ts$' },
      to: { path: '^generated/' },
    },
    {
      name: 'generated-only-to-runtime-contracts',
      severity: 'error',
      comment:
        'generated/ imports only small runtime contracts: files named contract.ts (runtime/contract.ts, ' +
        'runtime/admin/contract.ts today) or anything under a contracts/ folder of the runtime. If the re-cut ' +
        'names its contracts differently, list them here rather than widening the rule to all of runtime/.',
      from: { path: '^generated/' },
      to: {
        path: '^runtime/',
        pathNot: ['/contract\\.ts$', '/contracts/'],
      },
    },
    {
      name: 'generated-not-to-generator-or-introspection',
      severity: 'error',
      comment: 'Generated code is output of the generator, not a client of it (nor of introspection/, nor of bin/).',
      from: { path: '^generated/' },
      to: { path: '^(?:generator|introspection|bin)/' },
    },

    // leaves
    {
      name: 'common-is-a-leaf',
      severity: 'error',
      comment:
        'common/ is the shared leaf: it imports nothing of the project (node built-ins and npm packages are ' +
        'fine).',
      from: { path: '^common/' },
      to: { pathNot: ['^common/', '(?:^|/)node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'introspection-is-a-leaf',
      severity: 'error',
      comment:
        'introspection/ is a leaf: it never imports the runtime or the generator (nor generated/ or bin/). ' +
        'It may use common/.',
      from: { path: '^introspection/' },
      to: { path: '^(?:runtime|generator|generated|bin)/' },
    },

    // inside the runtime
    {
      name: 'store-not-to-fastify',
      severity: 'error',
      comment: 'The store knows nothing of HTTP: no fastify, @fastify/* or fastify-* import at all.',
      from: { path: '^runtime/store/' },
      to: { path: FASTIFY },
    },
    {
      name: 'store-not-to-fastify-indirectly',
      severity: 'error',
      comment:
        'Nor through another module of the project: a store module must not reach fastify, @fastify/* or ' +
        'fastify-* by any chain of imports (e.g. an error class shared with the HTTP layer).',
      from: { path: '^runtime/store/' },
      to: { path: FASTIFY, reachable: true },
    },
    {
      name: 'store-not-to-http',
      severity: 'error',
      comment: 'api/ and admin/ sit on the store, not the other way round; http/ holds HTTP-only pieces.',
      from: { path: '^runtime/store/' },
      to: { path: ['^runtime/http/', API, ADMIN] },
    },
    {
      name: 'store-not-to-access',
      severity: 'error',
      comment:
        'Permissions sit on the store: runtime/access/ compiles roles into scopes the store is handed as plain ' +
        'conditions; the store never asks who the caller is.',
      from: { path: '^runtime/store/' },
      to: { path: '^runtime/access/' },
    },
    {
      name: 'access-not-to-http',
      severity: 'error',
      comment: 'Permissions know nothing of HTTP: api/ and admin/ ask an Access, which answers with store errors.',
      from: { path: '^runtime/access/' },
      to: { path: ['^runtime/http/', API, ADMIN, FASTIFY] },
    },
    {
      name: 'api-not-to-admin',
      severity: 'error',
      comment: 'api/ and admin/ never import each other: what both need belongs in store/ or http/.',
      from: { path: API },
      to: { path: ADMIN },
    },
    {
      name: 'admin-not-to-api',
      severity: 'error',
      comment: 'api/ and admin/ never import each other: what both need belongs in store/ or http/.',
      from: { path: ADMIN },
      to: { path: API },
    },
    {
      name: 'operations-not-to-http',
      severity: 'error',
      comment:
        'Business operations (runtime/operations/) work on the store and the database like the store does: ' +
        'no HTTP, so a CLI or a job can run them too; the API and admin call them.',
      from: { path: '^runtime/operations/' },
      to: { path: ['^runtime/http/', API, ADMIN, FASTIFY] },
    },
    {
      name: 'db-not-to-store-or-http',
      severity: 'error',
      comment:
        'db/ (the contract and its adapters) is below the store: it never imports store/, http/, api/ or admin/.',
      from: { path: '^runtime/db/' },
      to: { path: ['^runtime/(?:store|http)/', API, ADMIN] },
    },
  ],
  options: {
    // What the rules are about: the layered folders (common/ does not exist yet, hence a filter rather than a
    // list of folders on the command line, where a missing one is an error); the npm packages they import
    // (kept in the graph for the fastify rules); and relative imports that did not resolve (their module is the
    // specifier as written, e.g. `./missing.js`: without this pattern the filter would drop them and
    // not-to-unresolvable could never fire). `npm run check:deps` cruises `.` through this filter;
    // test/ and bench/ are out of scope.
    includeOnly: {
      path: ['^(?:common|introspection|generator|generated|runtime|bin)/', '(?:^|/)node_modules/', '^[.]{1,2}/'],
    },
    // npm packages are nodes of the graph (the fastify rules need them), but their own imports are not read.
    doNotFollow: { path: ['node_modules'] },
    // Count `import type` too: the layering is about what a module needs to be understood, not what survives tsc.
    tsPreCompilationDeps: true,
    // tsconfig.json has no `paths` today; reading it keeps the resolution right if it ever gets some.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
