//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Reads a float32 or int16 `.npy` file as (shape, values as f32).
pub fn load_npy_f32(path: &std::path::Path) -> (Vec<usize>, Vec<f32>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let npy = npyz::NpyFile::new(&bytes[..]).expect("npy");
    let shape: Vec<usize> = npy
        .shape()
        .iter()
        .map(|&d| usize::try_from(d).unwrap())
        .collect();
    let v = match npy.dtype() {
        npyz::DType::Plain(t) if t.type_char() == npyz::TypeChar::Int => npy
            .into_vec::<i16>()
            .expect("int16")
            .into_iter()
            .map(f32::from)
            .collect(),
        _ => npy.into_vec::<f32>().expect("float32"),
    };
    (shape, v)
}

/// Reads the repository's `tests/data/<name>` (float32, or int16 widened to f32) as
/// (shape, values); shared by the tests, the benchmark and the examples.
pub fn test_data_f32(name: &str) -> (Vec<usize>, Vec<f32>) {
    load_npy_f32(&repo().join("tests/data").join(name))
}

/// Reads an int16 `.npy` file.
pub fn load_npy_i16(path: &std::path::Path) -> (Vec<usize>, Vec<i16>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let npy = npyz::NpyFile::new(&bytes[..]).expect("npy");
    let shape: Vec<usize> = npy
        .shape()
        .iter()
        .map(|&d| usize::try_from(d).unwrap())
        .collect();
    (shape, npy.into_vec::<i16>().expect("int16"))
}

/// Largest |x - y| in f64.
pub fn max_err<T: Copy + Into<f64>>(x: &[T], y: &[f32]) -> f64 {
    x.iter()
        .zip(y)
        .map(|(&a, &b)| (a.into() - f64::from(b)).abs())
        .fold(0.0, f64::max)
}

/// Shape of the whole-2-d-field cases: the extent of a 1° × 2° tile of a 3-arc-second digital
/// elevation model (SRTM-like), coded as one chunk.
pub const DEM_SHAPE: [usize; 2] = [1201, 2401];

/// Index `i` of a sequence of `n` values extended by mirroring (0, 1, …, n-1, n-1, …, 0, 0, 1, …).
fn mirror(i: usize, n: usize) -> usize {
    let m = i % (2 * n);
    m.min(2 * n - 1 - m)
}

/// `terrain2d`: a [`DEM_SHAPE`] float32 field of real pixels, the repository's
/// `tests/data/terrain_regional_surface_height.npy` (438 × 450 surface heights in m, 0.11°
/// grid) tiled by mirroring along both axes (no jumps at the tile edges). Rough at the pixel
/// scale: neighbours differ by 20 m on average.
pub fn terrain_mirrored_f32() -> (Vec<usize>, Vec<f32>) {
    let (shape, data) = test_data_f32("terrain_regional_surface_height.npy");
    let [rows, cols] = DEM_SHAPE;
    let field = (0..rows)
        .flat_map(|i| {
            let (r, width) = (mirror(i, shape[0]), shape[1]);
            let data = &data;
            (0..cols).map(move |j| data[r * width + mirror(j, width)])
        })
        .collect();
    (DEM_SHAPE.to_vec(), field)
}

/// `dem2d`: a smooth [`DEM_SHAPE`] float32 field, as a DEM with pixels much finer than its
/// features is: the terrain array linearly interpolated to 4 times its resolution along both
/// axes (`a + (b - a) * s / 4` for `s` in 0..4, in float64, rounded to float32 at the end; 1749 ×
/// 1797), its first 1201 rows, columns mirror-tiled to 2401. Neighbours differ by 7 m (along a
/// row) and 8 m (across rows) on average; heights −195 to 3138 m.
/// `benches/stock_lilcom.py` builds the same arrays with numpy (and `vs_stock.py` checks that
/// the two agree bit for bit, with [`field_digest`]).
pub fn terrain_smooth_f32() -> (Vec<usize>, Vec<f32>) {
    let (shape, data) = test_data_f32("terrain_regional_surface_height.npy");
    // Linear interpolation by 4 of one sequence (float64 throughout).
    let up4 = |v: &[f64]| -> Vec<f64> {
        let mut out: Vec<f64> = v
            .windows(2)
            .flat_map(|w| (0..4).map(move |s| w[0] + (w[1] - w[0]) * (f64::from(s) / 4.0)))
            .collect();
        out.push(v[v.len() - 1]);
        out
    };
    let (h, w) = (shape[0], shape[1]);
    // Along axis 0 (each column), then along axis 1 (each row).
    let cols: Vec<Vec<f64>> = (0..w)
        .map(|j| {
            up4(&(0..h)
                .map(|i| f64::from(data[i * w + j]))
                .collect::<Vec<_>>())
        })
        .collect();
    let uh = 4 * (h - 1) + 1;
    let rows: Vec<Vec<f64>> = (0..uh)
        .map(|i| up4(&cols.iter().map(|c| c[i]).collect::<Vec<_>>()))
        .collect();
    let uw = 4 * (w - 1) + 1;
    let [out_rows, out_cols] = DEM_SHAPE;
    #[allow(clippy::cast_possible_truncation)]
    let field = (0..out_rows)
        .flat_map(|i| (0..out_cols).map(move |j| (i, mirror(j, uw))))
        .map(|(i, j)| rows[i][j] as f32)
        .collect();
    (DEM_SHAPE.to_vec(), field)
}

/// A digest of a float32 array's bits: `sum over i of bits(v[i]) * (i + 1)`, wrapping at
/// 2^64 (numpy computes the same with uint64 arithmetic).
pub fn field_digest(v: &[f32]) -> u64 {
    v.iter().enumerate().fold(0u64, |acc, (i, x)| {
        acc.wrapping_add(u64::from(x.to_bits()).wrapping_mul(i as u64 + 1))
    })
}
