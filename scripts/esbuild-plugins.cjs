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
 * stubs that throw if called, and kafkajs's own "not implemented" entry for the requests a producer never sends.
 *
 * kysely-without-schema-builders: no function builds schema (migrations run from scripts/migrate.ts), switches
 * schema (withSchema), merges, introspects or builds dynamic references; those Kysely modules, with the node
 * transformer they need (about 55 KB), become classes that throw if constructed.
 *
 * middy-lazy-streams: @middy/core imports node:stream, node:stream/promises and node:stream/web at load time for
 * its response streaming (streamifyResponse), which no function here uses; loading them is several milliseconds
 * of every cold start (a function without pg would not load node:stream at all). Its bundle gets stand-ins that
 * load the real modules on first use.
 *
 * Together they keep every function within its size budget (test/deploy/bundle-size.test.ts, issue 10) and its
 * cold start short. A stub that no longer matches (a new version moved the file) shows as a bigger bundle there.
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
const kafkajsSrc = /[\\/]node_modules[\\/]kafkajs[\\/]src[\\/]/;

const kafkajsProducerOnly = {
  name: 'kafkajs-producer-only',
  setup(build) {
    build.onResolve({ filter: /^\.\/(consumer|admin)$/ }, (args) =>
      kafkajsSrc.test(args.importer) && /[\\/]src[\\/]index\.js$/.test(args.importer)
        ? { path: args.path.slice(2), namespace: 'kafkajs-producer-only' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'kafkajs-producer-only' }, (args) => ({
      contents: `module.exports = () => { throw new Error('the kafkajs ${args.path} is not bundled: a function only produces (scripts/esbuild-plugins.cjs)'); };`,
      loader: 'js',
    }));
    // kafkajs reads its package.json for the bug-tracker link in its error messages; the rest stays out.
    build.onLoad({ filter: /[\\/]node_modules[\\/]kafkajs[\\/]package\.json$/ }, async (args) => {
      const { name, version, bugs } = JSON.parse(await readFile(args.path, 'utf8'));
      return { contents: JSON.stringify({ name, version, bugs }), loader: 'json' };
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
