// What the WaveNet layer kernels (wavenet.wgsl, wavenet_subgroup.wgsl) share: their parameters
// and res_skip's store. The includer declares `p: Params`, `y`, `skip` and `override FIRST: bool`.
struct Params {
  hidden: u32,    // H
  cond_rows: u32, // Cc
  frames: u32,    // T
  ksz: u32,
  dil: u32,
  pad: u32,
  res_rows: u32,  // R (0 or H)
  skip_rows: u32, // S
}

// res_skip's output row r at time t: rows r < R add to h in place (the residual), rows R + s go to
// skip row s, assigned (FIRST) or added.
fn store_res_skip(r: u32, t: u32, v: f32) {
  if (r < p.res_rows) {
    let at = r * p.frames + t;
    y[at] = y[at] + v;
  } else {
    let at = (r - p.res_rows) * p.frames + t;
    if (FIRST) {
      skip[at] = v; // the skip sum starts here: its old contents are never read
    } else {
      skip[at] += v;
    }
  }
}
