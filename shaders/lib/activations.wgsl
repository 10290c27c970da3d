// Activations shared by kernel families (included with #include "lib/activations.wgsl").

// Split by sign so exp never overflows to inf/inf.
fn sigmoid(x: f32) -> f32 {
  if (x >= 0.0) {
    return 1.0 / (1.0 + exp(-x));
  }
  let e = exp(x);
  return e / (1.0 + e);
}

// tanh saturates to ±1 in f32 beyond |x| = 10; clamping keeps drivers that compute it from
// exp(2x) from returning inf/inf = NaN.
fn safe_tanh(x: f32) -> f32 {
  return tanh(clamp(x, -10.0, 10.0));
}

// The activation an op selects by number (the ops' ACT override): 0 none, 1 relu, 2 tanh, 3 sigmoid.
fn activation(kind: u32, x: f32) -> f32 {
  switch kind {
    case 1u: { return max(x, 0.0); }
    case 2u: { return safe_tanh(x); }
    case 3u: { return sigmoid(x); }
    default: { return x; }
  }
}
