//! Where `interp_quantize`'s encode time goes, single thread: the whole encoder (plan choice
//! included), the walk alone with the plan it chose, the plan choice alone (their difference),
//! the decoder, and `arith(model=fast)`'s encoder on the codes (the chain's second stage); best
//! of `repeat` rounds of the thread's CPU time, the stages alternated within each round.
//!
//! ```sh
//! cargo run --release -p ndcodecs-interp-quantize --example interp_speed -- \
//!     in.npy REL [fill=V] [repeat=N]
//! ```
//! `REL` is the bound as a fraction of the value range of the finite non-fill values. Prints
//! MB/s (10^6 bytes of float32 input per second) per stage.

use ndcodecs_arith::ArithModel;
use ndcodecs_interp_quantize::experimental::encode_with_plan;
use ndcodecs_interp_quantize::{InterpQuantizeCodec, InterpQuantizeConfig, read_header};

/// Seconds this thread has run on a CPU (Linux `/proc/thread-self/schedstat`), so that a shared
/// machine's load counts little; wall-clock time elsewhere.
fn cpu_now() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or_else(
            || {
                std::time::SystemTime::UNIX_EPOCH
                    .elapsed()
                    .unwrap()
                    .as_secs_f64()
            },
            |ns| ns as f64 * 1e-9,
        )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    let xs: Vec<f32> = npy.into_vec().unwrap();
    let rel: f64 = args[2].parse().unwrap();
    let mut fill: Option<f32> = None;
    let mut repeat = 7;
    for a in &args[3..] {
        match a.split_once('=') {
            Some(("fill", v)) => fill = Some(v.parse().unwrap()),
            Some(("repeat", v)) => repeat = v.parse().unwrap(),
            _ => panic!("unknown argument {a}"),
        }
    }
    let (lo, hi) = xs
        .iter()
        .filter(|x| x.is_finite() && Some(**x) != fill)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(f64::from(x)), b.max(f64::from(x)))
        });
    let e = rel * (hi - lo);
    let mut cfg = InterpQuantizeConfig::abs(e).unwrap();
    cfg.fill_value = fill.map(f64::from);
    let codec = InterpQuantizeCodec::try_new(cfg).unwrap();
    let words = codec.encode_slice(&xs, &shape).unwrap();
    let plan = read_header(&words).unwrap().0.plan;
    // Each measurement runs a stage `inner` times (about 0.2 s of CPU time, as the thread's
    // CPU time is counted in scheduler ticks).
    let t = cpu_now();
    let mut inner = 0usize;
    while cpu_now() - t < 0.05 || inner < 1 {
        codec.encode_slice(&xs, &shape).unwrap();
        inner += 1;
    }
    let inner = (inner * 4).max(1);
    let mut best = [f64::INFINITY; 4];
    for _ in 0..repeat {
        let t = cpu_now();
        for _ in 0..inner {
            let w = codec.encode_slice(&xs, &shape).unwrap();
            assert_eq!(w.len(), words.len());
        }
        best[0] = best[0].min((cpu_now() - t) / inner as f64);
        let t = cpu_now();
        for _ in 0..inner {
            let w = encode_with_plan(&xs, &shape, e, fill, &plan).unwrap();
            assert_eq!(w.len(), words.len());
        }
        best[1] = best[1].min((cpu_now() - t) / inner as f64);
        let t = cpu_now();
        for _ in 0..inner {
            let y = codec.decode_slice::<f32>(&words).unwrap();
            assert_eq!(y.1.len(), xs.len());
        }
        best[2] = best[2].min((cpu_now() - t) / inner as f64);
        let t = cpu_now();
        for _ in 0..inner {
            let s = ndcodecs_arith::encode_with_model(&words, &[words.len()], ArithModel::Fast)
                .unwrap();
            assert!(!s.is_empty());
        }
        best[3] = best[3].min((cpu_now() - t) / inner as f64);
    }
    let mb = std::mem::size_of_val(xs.as_slice()) as f64 / 1e6;
    println!(
        "encode {:.1} MB/s (walk {:.1} MB/s, plan choice {:.1} % of encode), decode {:.1} MB/s, plan anchor level {}; arith(model=fast) encode {:.1} MB/s, chain encode {:.1} MB/s",
        mb / best[0],
        mb / best[1],
        100.0 * (best[0] - best[1]).max(0.0) / best[0],
        mb / best[2],
        plan.anchor_level,
        mb / best[3],
        mb / (best[0] + best[3])
    );
}
