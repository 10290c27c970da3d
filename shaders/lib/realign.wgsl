// Four consecutive elements of an array read as vec4s when they need not start on a vec4: the
// two vec4s that hold them, realigned in registers (matmul_subgroup.wgsl, matmul.wgsl's tiled).
// Elements at … at + 3 from the vec4s v0 = [4i, 4i + 4) and v1 = [4i + 4, 4i + 8), r = at − 4i.
fn realign(v0: vec4f, v1: vec4f, r: u32) -> vec4f {
  let s1 = vec4f(v0.yzw, v1.x);
  let s2 = vec4f(v0.zw, v1.xy);
  let s3 = vec4f(v0.w, v1.xyz);
  return select(select(select(v0, s1, r == 1u), s2, r == 2u), s3, r == 3u);
}
