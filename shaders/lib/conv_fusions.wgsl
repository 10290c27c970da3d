// The fusions both conv1d kernels (conv.wgsl, conv_subgroup.wgsl) apply: a leaky ReLU on each
// input value as it is loaded (HiFi-GAN's resblocks), and bias, activation and residual at the
// store. The includer declares the overrides PRE_LEAKY, PRE_SLOPE, BIAS, ACT, RESIDUAL and the
// bindings `bias`, `y`, `res`.
fn conv_input(v: f32) -> f32 {
  if (PRE_LEAKY) {
    return select(v, v * PRE_SLOPE, v < 0.0);
  }
  return v;
}

// The store of one output element: bias, activation, residual.
fn store(at: u32, co: u32, v: f32) {
  var o = v;
  if (BIAS) { o += bias[co]; }
  o = activation(ACT, o);
  if (RESIDUAL) { o += res[at]; }
  y[at] = o;
}
