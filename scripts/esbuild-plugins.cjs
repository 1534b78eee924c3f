/* global module, require -- CommonJS: serverless-esbuild requires this file */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS */
/**
 * esbuild plugins for the functions' bundles (serverless.yml custom.esbuild.plugins).
 *
 * pg-without-native: pg loads its libpq binding (`pg/lib/native`, about 8 KB) only when asked for `pg.native`,
 * which nothing here does; the bundle gets a stub that fails the way a missing module does, which pg expects.
 *
 * pg-without-pgpass: pg reads ~/.pgpass (the `pgpass` package, with split2 about 4 KB) only when the server asks
 * for a password the connection string lacks. A function has no ~/.pgpass: its database URL carries the password
 * (SSM, or RDS Proxy). The stub answers "no password file", as pgpass does when there is none.
 *
 * pg-node-stream: pg picks its socket at load time, asking whether it runs on Cloudflare Workers; where Node has
 * no `navigator` (Node 20) it asks by constructing a fetch Response, which loads Node's bundled undici (about
 * 20 ms of every cold start, issue 10). The bundle gets pg's Node.js branch only, the one a function takes.
 *
 * kafkajs-producer-only: kafkajs's client requires its consumer and admin (about 60 KB) and every request of the
 * protocol (about 60 KB more) up front, though the one function that bundles it, the outbox relay, only produces
 * (functions/shared/kafka.ts; the local Kafka event source and the tests run kafkajs unbundled). The bundle gets
 * stubs that throw KafkaJSNotImplemented if called, and kafkajs's own "not implemented" entry for the requests a
 * producer never sends; then (about 20 KB more) the versions of Produce and Metadata that only brokers older than
 * Kafka 1.0 speak, the SASL mechanisms nothing configures, and the methods of the broker, cluster, client and
 * producer that could only end in something left out (consumer groups, the admin, transactions).
 *
 * kysely-without-schema-builders: no function builds schema (migrations run from scripts/migrate.ts), switches
 * schema (withSchema), merges, introspects or builds dynamic references; those Kysely modules, with the node
 * transformer they need (about 55 KB), become classes that throw if constructed, and the query compiler loses the
 * code for the statements only they build (about 9 KB). No function starts a controlled transaction either
 * (db.startTransaction; transactions here run in db.transaction().execute()): it throws, and its classes (about
 * 2 KB) stay out.
 *
 * middy-lazy-streams: @middy/core imports node:stream, node:stream/promises and node:stream/web at load time for
 * its response streaming (streamifyResponse), which no function here uses; loading them is several milliseconds
 * of every cold start (a function without pg would not load node:stream at all). Its bundle gets stand-ins that
 * load the real modules on first use.
 *
 * Together they keep every function within its size budget (test/deploy/bundle-size.test.ts, issue 10) and its
 * cold start short. A stub that no longer matches (a new version moved the file) shows as a bigger bundle there;
 * a method that a stub replaces and a new version renamed stops the build, naming it.
 */
const { readFile } = require('node:fs/promises');
const path = require('node:path');

const pgWithoutNative = {
  name: 'pg-without-native',
  setup(build) {
    build.onResolve({ filter: /^\.\/native$/ }, (args) =>
      /[\\/]node_modules[\\/]pg[\\/]lib[\\/]/.test(args.importer) ? { path: 'pg-native-left-out', namespace: 'pg-without-native' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'pg-without-native' }, () => ({
      contents: "const error = new Error('pg native bindings are not bundled'); error.code = 'MODULE_NOT_FOUND'; throw error;",
      loader: 'js',
    }));
  },
};

const pgWithoutPgpass = {
  name: 'pg-without-pgpass',
  setup(build) {
    build.onResolve({ filter: /^pgpass$/ }, () => ({ path: 'pgpass-left-out', namespace: 'pg-without-pgpass' }));
    build.onLoad({ filter: /.*/, namespace: 'pg-without-pgpass' }, () => ({
      contents: 'module.exports = function noPasswordFile(connectionInfo, callback) { callback(undefined); };',
      loader: 'js',
    }));
  },
};

const pgNodeStream = {
  name: 'pg-node-stream',
  setup(build) {
    build.onResolve({ filter: /^\.\/stream$/ }, (args) =>
      /[\\/]node_modules[\\/]pg[\\/]lib[\\/]/.test(args.importer) ? { path: 'pg-node-stream', namespace: 'pg-node-stream' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'pg-node-stream' }, () => ({
      contents: [
        // Required when first used, as pg does: TLS only for connections that ask for it.
        "module.exports = { getStream: () => new (require('net').Socket)(), getSecureStream: (options) => require('tls').connect(options) };",
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/** The requests a producer sends: metadata, API versions, produce, the idempotent producer's id, SASL. */
const PRODUCER_REQUESTS = new Set(['apiVersions', 'metadata', 'produce', 'initProducerId', 'saslHandshake', 'saslAuthenticate']);
/**
 * The oldest version of each request the bundle can send: Kafka 1.0 and newer (MSK; the local Kafka 4, which accepts
 * neither Produce v0–v2 nor Metadata v0–v3, KIP-896) speak Produce v3+ and Metadata v4+, and an idempotent producer
 * already needs Kafka 0.11 (InitProducerId). Produce v0–v2 take with them the old message set and its CRC32.
 */
const OLDEST_REQUEST_VERSIONS = { produce: 3, metadata: 4 };
/** kafkajs modules a producer never loads, by the module that requires them. */
const KAFKAJS_LEFT_OUT_MODULES = {
  // The consumer and admin clients, and the consumer's partition assigners with their protocol (package exports).
  'src/index.js': ['./consumer', './admin'],
  'index.js': ['./src/consumer/assigners', './src/consumer/assignerProtocol'],
  // functions/shared/kafka.ts gives the producer the default partitioner (which shares all but the legacy hash).
  'src/producer/partitioners/index.js': ['./legacy'],
  // SASL mechanisms other than SCRAM, the one the deployed Kafka asks for (serverless.yml, README), which stays.
  'src/broker/saslAuthenticator/index.js': ['./plain', './oauthBearer', './awsIam'],
};
/**
 * kafkajs methods a producer that is not transactional never calls: those of consumer groups, the admin and
 * transactions. Each led to a module or request left out above (and threw there) or serves only such a method; each
 * now throws KafkaJSNotImplemented at once.
 */
const KAFKAJS_LEFT_OUT_METHODS = {
  'src/index.js': ['consumer', 'admin'],
  'src/broker/index.js': [
    'fetch', 'heartbeat', 'findGroupCoordinator', 'joinGroup', 'leaveGroup', 'syncGroup', 'listOffsets', 'offsetCommit',
    'offsetFetch', 'describeGroups', 'createTopics', 'createPartitions', 'deleteTopics', 'describeConfigs', 'alterConfigs',
    'addPartitionsToTxn', 'addOffsetsToTxn', 'txnOffsetCommit', 'endTxn', 'listGroups', 'deleteGroups', 'deleteRecords',
    'createAcls', 'describeAcls', 'deleteAcls', 'alterPartitionReassignments', 'listPartitionReassignments',
  ],
  'src/cluster/index.js': [
    'findGroupCoordinator', 'findGroupCoordinatorMetadata', 'fetchTopicsOffset', 'defaultOffset', 'committedOffsets',
    'markOffsetAsCommitted',
  ],
  'src/producer/index.js': ['transaction'],
  'src/producer/eosManager/index.js': ['beginTransaction', 'addPartitionsToTransaction', 'commit', 'abort', 'sendOffsets'],
};
const kafkajsPackage = /^(.*[\\/]node_modules[\\/]kafkajs)[\\/](.*)$/;
/** The file's path inside kafkajs ('src/index.js'), or undefined outside kafkajs. */
const kafkajsFile = (file) => kafkajsPackage.exec(file)?.[2].split(path.sep).join('/');

const kafkajsProducerOnly = {
  name: 'kafkajs-producer-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const importer = kafkajsFile(args.importer);
      if (!KAFKAJS_LEFT_OUT_MODULES[importer]?.includes(args.path)) return undefined;
      const stub = path.posix.join(path.posix.dirname(importer), args.path);
      return { path: stub, namespace: 'kafkajs-producer-only', pluginData: { resolveDir: path.dirname(args.importer) } };
    });
    build.onLoad({ filter: /.*/, namespace: 'kafkajs-producer-only' }, (args) => ({
      contents: `module.exports = () => { throw require('kafkajs-not-bundled')('${args.path}'); };`,
      resolveDir: args.pluginData.resolveDir,
      loader: 'js',
    }));
    // The one error of every stub: KafkaJSNotImplemented, which kafkajs never retries.
    build.onResolve({ filter: /^kafkajs-not-bundled$/ }, (args) => ({
      path: 'not-bundled.js',
      namespace: 'kafkajs-not-bundled',
      pluginData: { resolveDir: path.join(kafkajsPackage.exec(args.resolveDir + path.sep)[1], 'src') },
    }));
    build.onLoad({ filter: /.*/, namespace: 'kafkajs-not-bundled' }, (args) => ({
      contents: [
        "const { KafkaJSNotImplemented } = require('./errors');",
        'module.exports = (what) => new KafkaJSNotImplemented(`kafkajs ${what} is not bundled (scripts/esbuild-plugins.cjs says why)`);',
      ].join('\n'),
      resolveDir: args.pluginData.resolveDir,
      loader: 'js',
    }));
    build.onLoad({ filter: /[\\/]node_modules[\\/]kafkajs[\\/]src[\\/].*\.js$/ }, async (args) => {
      const file = kafkajsFile(args.path);
      const methods = KAFKAJS_LEFT_OUT_METHODS[file];
      if (!methods) return undefined;
      const source = await readFile(args.path, 'utf8');
      return {
        contents: [
          `const notBundled = (method) => require('kafkajs-not-bundled')('${file} ' + method);`,
          replaceFunctions(source, `kafkajs ${file}`, methods, (method) => `throw notBundled('${method}');`),
        ].join('\n'),
        loader: 'js',
      };
    });
    build.onLoad({ filter: /[\\/]kafkajs[\\/]src[\\/]protocol[\\/]requests[\\/]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      return {
        contents: source.replace(/require\('\.\/(\w+)'\)/g, (call, name) =>
          name === 'apiKeys' || PRODUCER_REQUESTS.has(name) ? call : 'noImplementedRequestDefinitions',
        ),
        loader: 'js',
      };
    });
    // Every version stays listed, so kafkajs negotiates as before (the highest both sides speak); an older one,
    // chosen only by a broker older than Kafka 1.0, throws instead of loading its encoder.
    build.onLoad({ filter: /[\\/]kafkajs[\\/]src[\\/]protocol[\\/]requests[\\/](produce|metadata)[\\/]index\.js$/ }, async (args) => {
      const request = path.basename(path.dirname(args.path));
      const source = (await readFile(args.path, 'utf8')).replace(/require\('\.\/v(\d+)\/(?:request|response)'\)/g, (call, version) =>
        Number(version) < OLDEST_REQUEST_VERSIONS[request] ? `notBundled(${version})` : call,
      );
      return {
        contents: [`const notBundled = (version) => { throw require('kafkajs-not-bundled')('${request} v' + version); };`, source].join('\n'),
        loader: 'js',
      };
    });
    // kafkajs reads its package.json for the bug-tracker link in its error messages; the rest stays out.
    build.onLoad({ filter: /[\\/]node_modules[\\/]kafkajs[\\/]package\.json$/ }, async (args) => {
      const { name, version, bugs } = JSON.parse(await readFile(args.path, 'utf8'));
      return { contents: JSON.stringify({ name, version, bugs }), loader: 'json' };
    });
  },
};

/**
 * Kysely modules no function uses: schema building (migrations run from scripts/), withSchema (one schema),
 * MERGE, db.introspection and db.dynamic.
 */
const KYSELY_LEFT_OUT = {
  'schema/schema.js': 'SchemaModule',
  'with-schema/with-schema-plugin.js': 'WithSchemaPlugin',
  'query-builder/merge-query-builder.js': 'MergeQueryBuilder',
  'postgres/postgres-introspector.js': 'PostgresIntrospector',
  'dynamic/dynamic.js': 'DynamicModule',
};
const kyselyLeftOut = (importer, importPath) => {
  const target = path.join(path.dirname(importer), importPath).split(path.sep).join('/');
  return Object.keys(KYSELY_LEFT_OUT).find((file) => target.endsWith(`/${file}`));
};
const kyselyEsm = /[\\/]node_modules[\\/]kysely[\\/]dist[\\/]esm[\\/]/;
/**
 * The operation nodes only those left-out builders create (CREATE, ALTER and DROP of tables, indexes, schemas, views
 * and types, with their columns and constraints; MERGE): the query compiler loses their visit methods (about 9 KB),
 * and compiling one throws, naming it.
 */
const KYSELY_UNCOMPILED_NODES = [
  'CreateTable', 'AddColumn', 'ColumnDefinition', 'DropTable', 'CreateIndex', 'DropIndex', 'CreateSchema', 'DropSchema',
  'PrimaryKeyConstraint', 'UniqueConstraint', 'CheckConstraint', 'ForeignKeyConstraint', 'References', 'AlterTable',
  'RenameColumn', 'DropColumn', 'AlterColumn', 'ModifyColumn', 'AddConstraint', 'DropConstraint', 'RenameConstraint',
  'CreateView', 'RefreshMaterializedView', 'DropView', 'Generated', 'DefaultValue', 'CreateType', 'DropType', 'AddIndex',
  'MergeQuery', 'Matched',
];
/** The compiler's helpers that only those visit methods call. */
const KYSELY_UNCOMPILED_HELPERS = ['getAutoIncrement', 'buildDeferrable', 'compileColumnAlterations', 'announcesNewColumnDataType'];

/**
 * Replaces functions in a dependency's source, each defined there once as a method (of a class or an object literal)
 * or as `const name = () => {…}`: from its first line to the first closing brace as deep as that line. `stub(name)`
 * gives the statements of its new body, or undefined to remove it. A function not found stops the build, naming it.
 */
function replaceFunctions(source, file, names, stub) {
  return names.reduce((rest, name) => {
    const head = `(?:(const ${name} = )(async )?\\([^]*?\\) =>|(async )?${name}\\([^]*?\\))`;
    const definition = new RegExp(`\\n( +)${head} \\{\\n[^]*?\\n\\1\\}(?=,?\\n)`, 'g');
    const found = [...rest.matchAll(definition)].length;
    if (found !== 1) throw new Error(`esbuild-plugins: ${file} defines ${name} ${found} times, expected once`);
    return rest.replace(definition, (text, indent, constant, asyncArrow = '', asyncMethod = '') => {
      const body = stub(name);
      if (body === undefined) return '';
      return constant ? `\n${indent}${constant}${asyncArrow}() => { ${body} }` : `\n${indent}${asyncMethod}${name}() { ${body} }`;
    });
  }, source);
}

const kyselyWithoutSchemaBuilders = {
  name: 'kysely-without-schema-builders',
  setup(build) {
    build.onResolve({ filter: /\.js$/ }, (args) => {
      const file = kyselyEsm.test(args.importer) && kyselyLeftOut(args.importer, args.path);
      return file ? { path: file, namespace: 'kysely-left-out' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'kysely-left-out' }, (args) => ({
      contents: `export class ${KYSELY_LEFT_OUT[args.path]} { constructor() { throw new Error('Kysely ${KYSELY_LEFT_OUT[args.path]} is not bundled into the functions (scripts/esbuild-plugins.cjs)'); } }`,
      loader: 'js',
    }));
    build.onLoad({ filter: /[\\/]kysely[\\/]dist[\\/]esm[\\/]query-compiler[\\/]default-query-compiler\.js$/ }, async (args) => ({
      contents: replaceFunctions(
        await readFile(args.path, 'utf8'),
        'kysely default-query-compiler.js',
        [...KYSELY_UNCOMPILED_NODES.map((node) => `visit${node}`), ...KYSELY_UNCOMPILED_HELPERS],
        () => undefined,
      ),
      loader: 'js',
    }));
    build.onLoad({ filter: /[\\/]kysely[\\/]dist[\\/]esm[\\/]kysely\.js$/ }, async (args) => ({
      contents: replaceFunctions(await readFile(args.path, 'utf8'), 'kysely kysely.js', ['startTransaction'], () =>
        "throw new Error('Kysely startTransaction is not bundled into the functions (scripts/esbuild-plugins.cjs)');",
      ),
      loader: 'js',
    }));
    // The visitor looks its methods up by node kind when constructed: those kinds get one that throws instead.
    build.onLoad({ filter: /[\\/]kysely[\\/]dist[\\/]esm[\\/]operation-node[\\/]operation-node-visitor\.js$/ }, async (args) => {
      let source = await readFile(args.path, 'utf8');
      for (const node of KYSELY_UNCOMPILED_NODES) {
        const entry = `${node}Node: this.visit${node}.bind(this),`;
        if (!source.includes(entry)) throw new Error(`kysely-without-schema-builders: operation-node-visitor.js lacks "${entry}"`);
        source = source.replace(entry, `${node}Node: notCompiled,`);
      }
      return {
        contents: [
          'const notCompiled = (node) => {',
          '  throw new Error(`Kysely cannot compile a ${node.kind}: its compiler is not bundled into the functions (scripts/esbuild-plugins.cjs)`);',
          '};',
          source,
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

const middyLazyStreams = {
  name: 'middy-lazy-streams',
  setup(build) {
    build.onResolve({ filter: /^node:stream(\/promises|\/web)?$/ }, (args) =>
      /[\\/]node_modules[\\/]@middy[\\/]core[\\/]/.test(args.importer) ? { path: args.path, namespace: 'middy-lazy-streams' } : undefined,
    );
    // The names @middy/core imports: Readable.from, pipeline, and ReadableStream (only with instanceof).
    build.onLoad({ filter: /.*/, namespace: 'middy-lazy-streams' }, (args) => ({
      contents: [
        "import { createRequire } from 'node:module';",
        `const load = () => createRequire(import.meta.url)(${JSON.stringify(args.path)});`,
        'export const Readable = { from: (...values) => load().Readable.from(...values) };',
        'export const pipeline = (...streams) => load().pipeline(...streams);',
        'export const ReadableStream = { [Symbol.hasInstance]: (value) => value instanceof load().ReadableStream };',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

module.exports = [pgWithoutNative, pgWithoutPgpass, pgNodeStream, kafkajsProducerOnly, kyselyWithoutSchemaBuilders, middyLazyStreams];
