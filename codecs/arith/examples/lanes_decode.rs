//! Decode speed of models 1, 2 and 3 on the int32 words of `interp_quantize` (1-d, as the
//! `interp_quantize → arith` chain hands them over), single thread, best of `repeat` rounds by
//! the thread's CPU time, the models alternated in every round: the decode into a kept buffer,
//! the decode into a fresh one (as a chain does), and the CRC-32 alone.
//! Arguments: `in.npy BOUND [repeat=N]` (float32, BOUND the absolute error bound).
#![allow(missing_docs)]

mod timing;
use timing::best;

use ndcodecs_arith::{ArithModel, decode_into, encode_with_model};
use ndcodecs_interp_quantize::{InterpQuantizeCodec, InterpQuantizeConfig};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = &args[0];
    let bound: f64 = args[1].parse().unwrap();
    let mut repeat = 5;
    for a in &args[2..] {
        if let Some(v) = a.strip_prefix("repeat=") {
            repeat = v.parse().unwrap();
        }
    }
    let bytes = std::fs::read(path).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    let xs: Vec<f32> = npy.into_vec().unwrap();
    let iq = InterpQuantizeCodec::try_new(InterpQuantizeConfig::abs(bound).unwrap()).unwrap();
    let words: Vec<i32> = iq.encode_slice(&xs, &shape).unwrap();
    let n = words.len();
    let mb = 4.0 * n as f64 / 1e6;
    let models = [
        ArithModel::Fast,
        ArithModel::FastLanes,
        ArithModel::FastLanes16,
    ];
    let streams: Vec<Vec<u8>> = models
        .iter()
        .map(|&m| encode_with_model(&words, &[n], m).unwrap())
        .collect();
    let le = bytemuck_cast(&words);
    // the models alternated within each round (a shared machine's load falls on all alike),
    // the best of `repeat` rounds
    let (mut kept, mut fresh, mut crc) = ([f64::MAX; 3], [f64::MAX; 3], f64::MAX);
    let mut out = vec![0i32; n];
    for _ in 0..repeat {
        for (k, stream) in streams.iter().enumerate() {
            let (t, ()) = best(1, || decode_into(stream, &[n], &mut out).unwrap());
            assert_eq!(out, words);
            kept[k] = kept[k].min(t);
            let (t, _) = best(1, || {
                let mut w = vec![0i32; n];
                decode_into(stream, &[n], &mut w).unwrap();
                w
            });
            fresh[k] = fresh[k].min(t);
        }
        let (t, _) = best(1, || {
            let mut h = crc32fast::Hasher::new();
            h.update(&le);
            h.finalize()
        });
        crc = crc.min(t);
    }
    for (k, model) in models.iter().enumerate() {
        println!(
            "{model:?}: n {n}, {:.3} bits/value, kept {:.3} ns/value ({:.0} MB/s), fresh {:.3} ns/value, crc {:.3} ns/value",
            8.0 * streams[k].len() as f64 / n as f64,
            kept[k] * 1e9 / n as f64,
            mb / kept[k],
            fresh[k] * 1e9 / n as f64,
            crc * 1e9 / n as f64,
        );
    }
}

fn bytemuck_cast(w: &[i32]) -> Vec<u8> {
    w.iter().flat_map(|v| v.to_le_bytes()).collect()
}
