// Values read from a file, rendered for error messages: short, and never recursive (a header or
// pickle may nest a value 100 000 deep, where JSON.stringify or String would overflow the stack).

export function brief(v: unknown, max = 60): string {
  if (typeof v === 'string') return JSON.stringify(v.length > max ? `${v.slice(0, max)}…` : v);
  if (Array.isArray(v)) {
    const flat = v.length <= 8 && v.every((x) => x === null || typeof x !== 'object');
    return flat ? `[${v.map((x) => brief(x, 16)).join(', ')}]` : `an array of ${v.length}`;
  }
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v).slice(0, max);
}
