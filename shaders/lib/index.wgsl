// Flat invocation index of a 1-D launch split over x and y by `grid()` (src/ops): the including
// shader declares `override WG` (its workgroup size).
fn flat(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// A tensor viewed as [outer, len, inner] and walked along len (norm.wgsl, reduce.wgsl): for the
// column idx = o·inner + i, returns (o, the flat offset of element [o, 0, i]).
fn axis_column(idx: u32, len: u32, inner: u32) -> vec2u {
  let o = idx / inner;
  return vec2u(o, o * len * inner + (idx - o * inner));
}
