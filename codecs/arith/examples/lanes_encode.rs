//! Encode speed of models 2 and 3 on the int32 words of `interp_quantize` (1-d, as the
//! `interp_quantize → arith` chain hands them over), single thread, best of `repeat` rounds by
//! the thread's CPU time, the models alternated in every round.
//! Arguments: `in.npy REL... [fill=V] [repeat=N]` (float32; each REL a bound × the value range
//! of the finite non-fill values). Prints `array,rel,model,n,bytes,ns_per_value,crc32`.
#![allow(missing_docs)]

mod timing;
use timing::best;

use ndcodecs_arith::{ArithModel, encode_with_model};
use ndcodecs_interp_quantize::{InterpQuantizeCodec, InterpQuantizeConfig};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = &args[0];
    let mut rels = Vec::new();
    let mut repeat = 5;
    let mut fill = None;
    for a in &args[1..] {
        if let Some(v) = a.strip_prefix("repeat=") {
            repeat = v.parse().unwrap();
        } else if let Some(v) = a.strip_prefix("fill=") {
            fill = Some(v.parse::<f64>().unwrap());
        } else {
            rels.push(a.parse::<f64>().unwrap());
        }
    }
    let bytes = std::fs::read(path).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    let xs: Vec<f32> = npy.into_vec().unwrap();
    let name = std::path::Path::new(path)
        .file_stem()
        .unwrap()
        .to_string_lossy();
    let models = [ArithModel::FastLanes, ArithModel::FastLanes16];
    for rel in rels {
        let mut cfg = InterpQuantizeConfig::rel(rel).unwrap();
        cfg.fill_value = fill;
        let iq = InterpQuantizeCodec::try_new(cfg).unwrap();
        let words: Vec<i32> = iq.encode_slice(&xs, &shape).unwrap();
        let n = words.len();
        let mut t = [f64::MAX; 2];
        let mut streams = vec![Vec::new(); 2];
        for _ in 0..repeat {
            for (k, &m) in models.iter().enumerate() {
                let (s, out) = best(1, || encode_with_model(&words, &[n], m).unwrap());
                t[k] = t[k].min(s);
                streams[k] = out;
            }
        }
        for (k, m) in models.iter().enumerate() {
            println!(
                "{name},{rel:e},{m:?},{n},{},{:.3},{:08x}",
                streams[k].len(),
                t[k] * 1e9 / n as f64,
                crc32fast::hash(&streams[k])
            );
        }
    }
}
