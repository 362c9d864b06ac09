//! The reversible colour transform applied to the first three channels of 3- and 4-channel
//! chunks: YCoCg-R (Malvar & Sullivan, JVT-I014; the `ycocg_r` codec of this project), on `i32`
//! samples of any of the codec's dtypes.

/// `(R, G, B)` → `(Y, Co, Cg)`: `Co = R − B`, `t = B + (Co >> 1)`, `Cg = G − t`,
/// `Y = t + (Cg >> 1)` (`>>` arithmetic, exact for 16-bit samples in `i32`).
#[inline]
#[must_use]
pub const fn forward(r: i32, g: i32, b: i32) -> (i32, i32, i32) {
    let co = r - b;
    let t = b + (co >> 1);
    let cg = g - t;
    (t + (cg >> 1), co, cg)
}

/// `(Y, Co, Cg)` → `(R, G, B)`, in `i64` so that any decoded triple is safe to check against
/// the dtype's range.
#[inline]
#[must_use]
pub fn inverse(y: i32, co: i32, cg: i32) -> (i64, i64, i64) {
    let (y, co, cg) = (i64::from(y), i64::from(co), i64::from(cg));
    let t = y - (cg >> 1);
    let g = cg + t;
    let b = t - (co >> 1);
    (b + co, g, b)
}
