/* global module -- CommonJS: serverless-esbuild requires this file */
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
 * Both keep every function within its size budget (test/deploy/bundle-size.test.ts, issue 10).
 */
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

module.exports = [pgWithoutNative, pgWithoutPgpass];
