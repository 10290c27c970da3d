// Data files inlined at build time: gzip as bytes (esbuild's binary loader), diffs as text.
declare module '*.gz' {
  const bytes: Uint8Array;
  export default bytes;
}
declare module '*.diff' {
  const text: string;
  export default text;
}
