// WGSL sources are inlined as strings at build time (esbuild's text loader).
declare module '*.wgsl' {
  const source: string;
  export default source;
}
