/* global module -- CommonJS: serverless-esbuild requires this file */
/**
 * esbuild plugins for the functions' bundles (serverless.yml custom.esbuild.plugins).
 *
 * pg-without-native: pg loads its libpq binding (`pg/lib/native`, about 8 KB) only when asked for `pg.native`,
 * which nothing here does; the bundle gets a stub that fails the way a missing module does, which pg expects.
 * Keeps every function within its size budget (test/deploy/bundle-size.test.ts, issue 10).
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

module.exports = [pgWithoutNative];
