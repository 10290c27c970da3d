// The convolutions' input load with an optional leaky ReLU fused in (HiFi-GAN's resblocks):
// the includer declares `override PRE_LEAKY: bool` and `override PRE_SLOPE: f32`.
fn conv_input(v: f32) -> f32 {
  if (PRE_LEAKY) {
    return select(v, v * PRE_SLOPE, v < 0.0);
  }
  return v;
}
