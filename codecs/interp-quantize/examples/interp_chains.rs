//! Sizes and single-thread speeds of the float chains that end in `arith`, through the codecs'
//! Rust APIs (one chunk: the whole array), for the benchmark in `bench/` and the figures in the
//! README:
//!
//! - `interp_quantize → arith` (the 1-d code array coded as it is);
//! - `linear_quantize → spatial_delta → arith` (int32 codes, deltas along every axis);
//!
//! each with `arith`'s adaptive model (the default), its fast model (`arith(model=fast)`) and the
//! fast model in four and in sixteen lanes (`arith(model=fast_lanes)`,
//! `arith(model=fast_lanes16)`).
//!
//! ```sh
//! cargo run --release -p ndcodecs-interp-quantize --example interp_chains -- \
//!     in.npy BOUND [fill=V] [repeat=N] [f64]
//! ```
//! `BOUND` is the absolute error bound; `fill=V` a fill value (both chains keep it exactly);
//! `f64` codes the float32 data widened to float64. Prints one CSV row per chain:
//! `chain,bytes,max_abs_error,psnr_db,encode_mb_s,decode_mb_s,stage times…` (errors over the
//! elements that are neither NaN, ±∞ nor the fill value; PSNR with the value range as peak;
//! MB = 10^6 bytes of input; times are the best of `repeat` wall-clock runs of each stage, in
//! seconds, the chain's speed from the sum of its stages).

use std::time::Instant;

use ndcodecs_arith::ArithModel;
use ndcodecs_interp_quantize::{InterpQuantizeCodec, InterpQuantizeConfig};
use ndcodecs_linear_quantize::LinearQuantizeCodec;
use ndcodecs_spatial_delta::SpatialDeltaCodec;
use numcodecs::StaticCodec;

/// The context models of `arith`, as the chains name them.
const MODELS: [(ArithModel, &str); 4] = [
    (ArithModel::Adaptive, "arith"),
    (ArithModel::Fast, "arith(model=fast)"),
    (ArithModel::FastLanes, "arith(model=fast_lanes)"),
    (ArithModel::FastLanes16, "arith(model=fast_lanes16)"),
];

/// The best of `repeat` runs of `f` and its last result.
fn best<T>(repeat: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut t_best = f64::INFINITY;
    let mut out = None;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let r = f();
        t_best = t_best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (t_best, out.expect("at least one run"))
}

/// The largest absolute error and the PSNR (dB, peak = the value range) over the elements that
/// are not special; specials must come back bit-exactly.
fn errors(xs: &[f64], ys: &[f64], fill: Option<f64>) -> (f64, f64) {
    let (mut m, mut se, mut n) = (0.0f64, 0.0f64, 0usize);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (&x, &y) in xs.iter().zip(ys) {
        if x.is_finite() && Some(x) != fill {
            let d = (x - y).abs();
            m = m.max(d);
            se += d * d;
            n += 1;
            lo = lo.min(x);
            hi = hi.max(x);
        } else {
            assert_eq!(x.to_bits(), y.to_bits(), "special value not kept");
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let rmse = (se / n.max(1) as f64).sqrt();
    let psnr = if rmse > 0.0 {
        20.0 * ((hi - lo) / rmse).log10()
    } else {
        f64::INFINITY
    };
    (m, psnr)
}

trait Sample: ndcodecs_interp_quantize::Real + bytemuck::Pod {
    const NAME: &'static str;
    fn widen(self) -> f64;
}
impl Sample for f32 {
    const NAME: &'static str = "float32";
    fn widen(self) -> f64 {
        f64::from(self)
    }
}
impl Sample for f64 {
    const NAME: &'static str = "float64";
    fn widen(self) -> f64 {
        self
    }
}

#[allow(clippy::too_many_lines)]
fn run<F: Sample>(xs: &[F], shape: &[usize], bound: f64, fill: Option<f64>, repeat: usize) {
    let n = xs.len();
    let mb = std::mem::size_of_val(xs) as f64 / 1e6;
    let wide: Vec<f64> = xs.iter().map(|x| x.widen()).collect();
    let fill_f = fill.map(|f| F::from_f64(f).widen());

    // interp_quantize → arith
    let mut cfg = InterpQuantizeConfig::abs(bound).unwrap();
    cfg.fill_value = fill;
    if size_of::<F>() == 8 {
        cfg.dtype = ndcodecs_interp_quantize::FloatDtype::Float64;
    }
    let iq = InterpQuantizeCodec::try_new(cfg).unwrap();
    let (t_iq, words) = best(repeat, || iq.encode_slice(xs, shape).unwrap());
    for (model, name) in MODELS {
        let (t_ar, stream) = best(repeat, || {
            ndcodecs_arith::encode_with_model(&words, &[words.len()], model).unwrap()
        });
        let (t_ard, back) = best(repeat, || {
            let mut w = vec![0i32; words.len()];
            ndcodecs_arith::decode_into(&stream, &[words.len()], &mut w).unwrap();
            w
        });
        assert_eq!(back, words);
        let (t_iqd, ys) = best(repeat, || iq.decode_slice::<F>(&back).unwrap().1);
        let ys: Vec<f64> = ys.iter().map(|y| y.widen()).collect();
        let (e, psnr) = errors(&wide, &ys, fill_f);
        assert!(e <= bound);
        println!(
            "interp_quantize | {name},{},{e:.6e},{psnr:.3},{:.2},{:.2},iq_enc {t_iq:.5},arith_enc {t_ar:.5},arith_dec {t_ard:.5},iq_dec {t_iqd:.5}",
            stream.len(),
            mb / (t_iq + t_ar),
            mb / (t_ard + t_iqd)
        );
    }

    // linear_quantize → spatial_delta → arith
    let (lo, hi) = wide
        .iter()
        .filter(|x| x.is_finite() && Some(**x) != fill_f)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let mid = F::from_f64(0.5 * lo + 0.5 * hi).widen();
    let lq = LinearQuantizeCodec::from_config(
        serde_json::from_value(serde_json::json!({
            "max_abs_error": bound, "offset": mid, "fill_value": fill,
            "dtype": F::NAME, "astype": "int32"
        }))
        .unwrap(),
    );
    let axes: Vec<usize> = (0..shape.len()).collect();
    let sd = SpatialDeltaCodec::from_config(
        serde_json::from_value(serde_json::json!({ "axis": axes })).unwrap(),
    );
    let raw: &[u8] = bytemuck::cast_slice(xs);
    let (t_lq, codes) = best(repeat, || {
        let b = lq.encode_bytes(raw).unwrap();
        bytemuck::pod_collect_to_vec::<u8, i32>(&b)
    });
    let (t_sd, deltas) = best(repeat, || sd.encode_slice(&codes, shape).unwrap());
    for (model, name) in MODELS {
        let (t_ar, stream) = best(repeat, || {
            ndcodecs_arith::encode_with_model(&deltas, shape, model).unwrap()
        });
        let (t_ard, back) = best(repeat, || {
            let mut w = vec![0i32; n];
            ndcodecs_arith::decode_into(&stream, shape, &mut w).unwrap();
            w
        });
        assert_eq!(back, deltas);
        let (t_sdd, back) = best(repeat, || {
            let mut v = back.clone();
            sd.decode_slice_in_place(&mut v, shape).unwrap();
            v
        });
        let (t_lqd, ys) = best(repeat, || {
            lq.decode_bytes(bytemuck::cast_slice(&back), n).unwrap()
        });
        let ys: Vec<F> = bytemuck::pod_collect_to_vec(&ys);
        let ys: Vec<f64> = ys.iter().map(|y| y.widen()).collect();
        let (e, psnr) = errors(&wide, &ys, fill_f);
        assert!(e <= bound);
        println!(
            "linear_quantize | spatial_delta | {name},{},{e:.6e},{psnr:.3},{:.2},{:.2},lq_enc {t_lq:.5},sd_enc {t_sd:.5},arith_enc {t_ar:.5},arith_dec {t_ard:.5},sd_dec {t_sdd:.5},lq_dec {t_lqd:.5}",
            stream.len(),
            mb / (t_lq + t_sd + t_ar),
            mb / (t_ard + t_sdd + t_lqd)
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    let xs: Vec<f32> = npy.into_vec().unwrap();
    let bound: f64 = args[2].parse().unwrap();
    let mut fill = None;
    let mut repeat = 3;
    let mut wide = false;
    for a in &args[3..] {
        match a.split_once('=') {
            Some(("fill", v)) => fill = Some(v.parse::<f64>().unwrap()),
            Some(("repeat", v)) => repeat = v.parse().unwrap(),
            None if a == "f64" => wide = true,
            _ => panic!("unknown argument {a}"),
        }
    }
    if wide {
        let xs: Vec<f64> = xs.iter().map(|&x| f64::from(x)).collect();
        run(&xs, &shape, bound, fill, repeat);
    } else {
        run(&xs, &shape, bound, fill, repeat);
    }
}
