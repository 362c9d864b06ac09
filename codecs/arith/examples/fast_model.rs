//! Both context models of `arith` side by side with zstd(5) and zstd(19), single thread, best
//! of `REPEAT` (default 5) by the thread's CPU time, on the int32 codes of float32 arrays at an
//! error bound of 1e-3 × value range (`BOUND` overrides the factor):
//!
//! - `lq_sd`: `linear_quantize → spatial_delta` (codes `round((x − min) / step)` with the step
//!   just under twice the bound, as `benches/arith.rs`, Lorenzo-differenced along every axis);
//! - `iq`: `interp_quantize` with `max_rel_error` (its 1-d int32 words).
//!
//! Speeds are MB/s of int32 codes (4 bytes a value). Arguments: `.npy` files of float32, each
//! optionally followed by `@V` for a fill value (kept out of the range; `interp_quantize` keeps
//! it exactly):
//! `cargo run --release -p ndcodecs-arith --example fast_model -- a.npy ocean.npy@9.96921e36`
#![allow(missing_docs)]

mod timing;
use timing::best;

use ndcodecs_arith::{ArithModel, decode_into, encode_with_model};
use ndcodecs_interp_quantize::{InterpQuantizeCodec, InterpQuantizeConfig};
use ndcodecs_spatial_delta::{AxisSelection, SpatialDeltaCodec};

fn lq_sd(x: &[f32], shape: &[usize], factor: f64, fill: Option<f32>) -> Vec<i32> {
    let valid = |v: f32| v.is_finite() && Some(v) != fill;
    let (lo, hi) = x
        .iter()
        .filter(|v| valid(**v))
        .fold((f64::MAX, f64::MIN), |(a, b), &v| {
            (a.min(f64::from(v)), b.max(f64::from(v)))
        });
    let step = 2.0 * factor * (hi - lo) * (1.0 - 1e-6);
    #[allow(clippy::cast_possible_truncation)]
    let q: Vec<i32> = x
        .iter()
        .map(|&v| {
            if valid(v) {
                ((f64::from(v) - lo) / step).round() as i32
            } else {
                0
            }
        })
        .collect();
    let axes: Vec<i64> = (0..shape.len() as i64).collect();
    SpatialDeltaCodec::new(AxisSelection::Many(axes))
        .encode_slice(&q, shape)
        .unwrap()
}

fn measure(label: &str, codes: &[i32], shape: &[usize], repeat: usize) {
    // DUMP=dir writes the codes as raw little-endian int32 (`<label>.<shape>.i32`) for study
    if let Some(dir) = std::env::var_os("DUMP") {
        let dims: Vec<String> = shape.iter().map(ToString::to_string).collect();
        let file = format!("{}.{}.i32", label.replace(' ', "_"), dims.join("x"));
        let raw: Vec<u8> = codes.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(std::path::Path::new(&dir).join(file), raw).unwrap();
    }
    let raw: Vec<u8> = codes.iter().flat_map(|v| v.to_le_bytes()).collect();
    let mb = raw.len() as f64 / 1e6;
    let mut row = format!("{label:44}");
    let mut out = vec![0i32; codes.len()];
    // the models alternated within each round, best of `repeat` rounds
    let models = [
        ArithModel::Adaptive,
        ArithModel::Fast,
        ArithModel::FastLanes,
    ];
    let streams: Vec<Vec<u8>> = models
        .iter()
        .map(|&m| encode_with_model(codes, shape, m).unwrap())
        .collect();
    let mut te = [f64::MAX; 3];
    let mut td = [f64::MAX; 3];
    for _ in 0..repeat {
        for (k, &model) in models.iter().enumerate() {
            let (t, bytes) = best(1, || encode_with_model(codes, shape, model).unwrap());
            assert!(bytes == streams[k]);
            te[k] = te[k].min(t);
            let (t, ()) = best(1, || decode_into(&streams[k], shape, &mut out).unwrap());
            assert!(out == codes, "round trip");
            td[k] = td[k].min(t);
        }
    }
    for k in 0..3 {
        row += &format!(
            " {:>9} {:>6.0} {:>6.0}",
            streams[k].len(),
            mb / te[k],
            mb / td[k]
        );
    }
    let sizes: Vec<usize> = streams.iter().map(Vec::len).collect();
    for level in [5, 19] {
        let (te, z) = best(repeat.min(3), || zstd::bulk::compress(&raw, level).unwrap());
        let (td, d) = best(repeat, || zstd::bulk::decompress(&z, raw.len()).unwrap());
        assert!(d == raw);
        row += &format!(" {:>9} {:>6.0} {:>6.0}", z.len(), mb / te, mb / td);
    }
    row += &format!(
        " {:>6.3} {:>7.5} {:>5.2} {:>5.2}",
        sizes[1] as f64 / sizes[0] as f64,
        sizes[2] as f64 / sizes[1] as f64,
        te[1] / te[2],
        td[1] / td[2]
    );
    println!("{row}");
}

fn main() {
    let repeat: usize = std::env::var("REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let factor: f64 = std::env::var("BOUND")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1e-3);
    println!(
        "{:44} {:>9} {:>6} {:>6} {:>9} {:>6} {:>6} {:>9} {:>6} {:>6} {:>9} {:>6} {:>6} {:>9} {:>6} {:>6} {:>6} {:>7} {:>5} {:>5}",
        "codes (MB/s of int32)",
        "m0 bytes",
        "enc",
        "dec",
        "m1 bytes",
        "enc",
        "dec",
        "m2 bytes",
        "enc",
        "dec",
        "zstd5",
        "enc",
        "dec",
        "zstd19",
        "enc",
        "dec",
        "m1/m0",
        "m2/m1",
        "enc×",
        "dec×"
    );
    for arg in std::env::args().skip(1) {
        let (path, fill) = match arg.split_once('@') {
            Some((p, f)) => (p.to_string(), Some(f.parse::<f32>().unwrap())),
            None => (arg.clone(), None),
        };
        let bytes = std::fs::read(&path).unwrap();
        let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
        let shape: Vec<usize> = npy
            .shape()
            .iter()
            .map(|&d| usize::try_from(d).unwrap())
            .collect();
        let x: Vec<f32> = npy.into_vec().unwrap();
        let name = std::path::Path::new(&path)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let r = lq_sd(&x, &shape, factor, fill);
        measure(&format!("{name} lq_sd"), &r, &shape, repeat);
        let mut cfg = InterpQuantizeConfig::rel(factor).unwrap();
        cfg.fill_value = fill.map(f64::from);
        let iq = InterpQuantizeCodec::try_new(cfg).unwrap();
        let words = iq.encode_slice(&x, &shape).unwrap();
        measure(&format!("{name} iq"), &words, &[words.len()], repeat);
    }
}
