//! Decode speed of models 1 and 2 on the int32 words of `interp_quantize` (1-d, as the
//! `interp_quantize → arith` chain hands them over), single thread, best of `repeat` by the
//! thread's CPU time: the decode into a kept buffer, the decode into a fresh one (as a chain
//! does), and the CRC-32 alone.
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
    for model in [ArithModel::Fast, ArithModel::FastLanes] {
        let stream = encode_with_model(&words, &[n], model).unwrap();
        let mut out = vec![0i32; n];
        let (t_kept, ()) = best(repeat, || decode_into(&stream, &[n], &mut out).unwrap());
        assert_eq!(out, words);
        let (t_fresh, _) = best(repeat, || {
            let mut w = vec![0i32; n];
            decode_into(&stream, &[n], &mut w).unwrap();
            w
        });
        let le = bytemuck_cast(&words);
        let (t_crc, _) = best(repeat, || {
            let mut h = crc32fast::Hasher::new();
            h.update(&le);
            h.finalize()
        });
        println!(
            "{model:?}: n {n}, {:.3} bits/value, kept {:.3} ns/value ({:.0} MB/s), fresh {:.3} ns/value, crc {:.3} ns/value",
            8.0 * stream.len() as f64 / n as f64,
            t_kept * 1e9 / n as f64,
            mb / t_kept,
            t_fresh * 1e9 / n as f64,
            t_crc * 1e9 / n as f64,
        );
    }
}

fn bytemuck_cast(w: &[i32]) -> Vec<u8> {
    w.iter().flat_map(|v| v.to_le_bytes()).collect()
}
