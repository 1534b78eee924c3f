// esbuild bundles .html files as text (serverless.yml custom.esbuild.loader).
declare module '*.html' {
  const content: string;
  export default content;
}
