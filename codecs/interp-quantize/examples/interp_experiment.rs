//! Experiments on real arrays: encodes a `.npy` float32 array with a given plan and writes the
//! codes and their element positions for the entropy-stage measurements of `bench/`.
//!
//! ```sh
//! cargo run --release -p ndcodecs-interp-quantize --example interp_experiment -- \
//!     in.npy REL OUT_PREFIX [anchor=6] [interp=cubic|linear] [shift=sz3|none|qozA] [order=0123] [fill=V]
//! ```
//! Writes `OUT_PREFIX.codes.i32` (the codes, in code order, little-endian) and
//! `OUT_PREFIX.pos.u64` (their flat element indices), and prints the encode and decode times,
//! the bound and the max error, and the size of the whole encoded chunk coded by `arith`.

use std::time::Instant;

use ndcodecs_interp_quantize::experimental::{
    Interp, Level, Plan, code_positions, encode_with_plan,
};
use ndcodecs_interp_quantize::{InterpQuantizeCodec, InterpQuantizeConfig, read_header};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    let xs: Vec<f32> = npy.into_vec().unwrap();
    let rel: f64 = args[2].parse().unwrap();
    let prefix = &args[3];
    let mut anchor = 6u32;
    let mut interp = Interp::Cubic;
    let mut shift = "sz3".to_owned();
    let mut order = [0u8, 1, 2, 3];
    let mut fill: Option<f32> = None;
    for a in &args[4..] {
        let (k, v) = a.split_once('=').unwrap();
        match k {
            "anchor" => anchor = v.parse().unwrap(),
            "interp" => {
                interp = if v == "linear" {
                    Interp::Linear
                } else {
                    Interp::Cubic
                }
            }
            "shift" => shift = v.to_owned(),
            "order" => {
                for (j, c) in v.bytes().enumerate() {
                    order[j] = c - b'0';
                }
            }
            "fill" => fill = Some(v.parse().unwrap()),
            _ => panic!("unknown {k}"),
        }
    }
    let valid: Vec<f64> = xs
        .iter()
        .filter(|x| x.is_finite() && Some(**x) != fill)
        .map(|&x| f64::from(x))
        .collect();
    let lo = valid.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = valid.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e = rel * (hi - lo);
    let g = ndcodecs_interp_quantize::experimental::Geometry::of(&shape);
    let a = anchor.min(g.max_levels);
    let levels = (1..=a)
        .map(|l| Level {
            interp,
            order,
            shift: match shift.as_str() {
                "none" => 0,
                "sz3" => u32::from(l >= 3),
                s if s.starts_with("lvl") => (l - 1).min(s[3..].parse().unwrap()),
                // "list:s1,s2,…,sa,anchor": the shift of each level, finest first, then the anchors'.
                s if s.starts_with("list:") => s[5..]
                    .split(',')
                    .nth((l - 1) as usize)
                    .unwrap()
                    .parse()
                    .unwrap(),
                _ => panic!("shift"),
            },
        })
        .collect();
    let plan = Plan {
        anchor_level: a,
        anchor_shift: match shift.as_str() {
            "none" => 0,
            "sz3" => 1,
            s if s.starts_with("list:") => {
                s[5..].split(',').nth(a as usize).unwrap().parse().unwrap()
            }
            s => a.min(s[3..].parse().unwrap()),
        },
        levels,
    };
    let mut cfg = InterpQuantizeConfig::abs(e).unwrap();
    cfg.fill_value = fill.map(f64::from);
    let codec = InterpQuantizeCodec::try_new(cfg).unwrap();
    let auto = args.len() == 4 || args[4..].iter().all(|a| a.starts_with("fill="));
    let repeat: usize = std::env::var("REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut t_enc = f64::INFINITY;
    let mut words = Vec::new();
    for _ in 0..repeat {
        let t = Instant::now();
        words = if auto {
            codec.encode_slice(&xs, &shape).unwrap()
        } else {
            encode_with_plan(&xs, &shape, e, fill, &plan).unwrap()
        };
        t_enc = t_enc.min(t.elapsed().as_secs_f64());
    }
    let mut t_dec = f64::INFINITY;
    let mut ys = Vec::new();
    for _ in 0..repeat {
        let t = Instant::now();
        ys = codec.decode_slice::<f32>(&words).unwrap().1;
        t_dec = t_dec.min(t.elapsed().as_secs_f64());
    }
    let mut max_err = 0.0f64;
    for (x, y) in xs.iter().zip(&ys) {
        if x.is_finite() && Some(*x) != fill {
            max_err = max_err.max((f64::from(*x) - f64::from(*y)).abs());
        } else {
            assert_eq!(x.to_bits(), y.to_bits());
        }
    }
    assert!(max_err <= e);
    let (h, _) = read_header(&words).unwrap();
    let n = xs.len();
    let codes = &words[words.len() - n..];
    let raw: Vec<u8> = codes.iter().flat_map(|c| c.to_le_bytes()).collect();
    std::fs::write(format!("{prefix}.codes.i32"), raw).unwrap();
    let mask = &words[words.len() - n - n.div_ceil(32)..words.len() - n];
    let raw: Vec<u8> = mask.iter().flat_map(|c| c.to_le_bytes()).collect();
    std::fs::write(format!("{prefix}.mask.i32"), raw).unwrap();
    let pos: Vec<u8> = code_positions(&shape, &h.plan)
        .iter()
        .flat_map(|&p| (p as u64).to_le_bytes())
        .collect();
    std::fs::write(format!("{prefix}.pos.u64"), pos).unwrap();
    let mb = (4 * n) as f64 / 1e6;
    let arith = ndcodecs_arith::encode(&words, &[words.len()])
        .unwrap()
        .len();
    println!(
        "arith {arith} B ratio {:.3} plan {:?} bound {e:.6e} max_err/bound {:.4} enc {:.1} MB/s dec {:.1} MB/s",
        mb * 1e6 / arith as f64,
        h.plan,
        max_err / e,
        mb / t_enc,
        mb / t_dec
    );
}
