//! Coded sizes and single-thread speed (best of `REPEAT`, default 3; CPU time of the thread,
//! so that a shared machine's load counts little) of `arith` on integer
//! `.npy` files: every file of a directory, or the files named. `benches/vs_peers.py` calls it;
//! `cargo run --release -p ndcodecs-arith --example arith_sizes -- DIR|FILE...`
#![allow(missing_docs)]

mod timing;
use timing::cpu_now;

use ndcodecs_arith::{ArithElement, decode_into, encode};

fn run<T: ArithElement + npyz::Deserialize>(npy: npyz::NpyFile<&[u8]>) -> (usize, usize, f64, f64) {
    let shape: Vec<usize> = npy
        .shape()
        .iter()
        .map(|&d| usize::try_from(d).unwrap())
        .collect();
    let v: Vec<T> = npy.into_vec().unwrap();
    let mut out = vec![T::default(); v.len()];
    let (mut te, mut td) = (f64::MAX, f64::MAX);
    let mut size = 0;
    let repeat: usize = std::env::var("REPEAT")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    for _ in 0..repeat {
        let t = cpu_now();
        let b = encode(&v, &shape).unwrap();
        te = te.min(cpu_now() - t);
        let t = cpu_now();
        decode_into(&b, &shape, &mut out).unwrap();
        td = td.min(cpu_now() - t);
        assert!(out == v);
        size = b.len();
    }
    let raw = v.len() * std::mem::size_of::<T>();
    (raw, size, raw as f64 / te / 1e6, raw as f64 / td / 1e6)
}

fn main() {
    let mut names: Vec<std::path::PathBuf> = Vec::new();
    for arg in std::env::args().skip(1) {
        let path = std::path::PathBuf::from(arg);
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(&path)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "npy"))
                .collect();
            files.sort();
            names.extend(files);
        } else {
            names.push(path);
        }
    }
    println!(
        "{:44} {:>10} {:>10} {:>8} {:>8}",
        "array", "raw", "arith", "enc MB/s", "dec MB/s"
    );
    for path in names {
        let bytes = std::fs::read(&path).unwrap();
        let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
        let r = match npy.dtype() {
            npyz::DType::Plain(t) => match (t.type_char(), t.size_field()) {
                (npyz::TypeChar::Int, 8) => run::<i64>(npy),
                (npyz::TypeChar::Int, 4) => run::<i32>(npy),
                (npyz::TypeChar::Int, 2) => run::<i16>(npy),
                (npyz::TypeChar::Int, 1) => run::<i8>(npy),
                (npyz::TypeChar::Uint, 8) => run::<u64>(npy),
                (npyz::TypeChar::Uint, 4) => run::<u32>(npy),
                (npyz::TypeChar::Uint, 2) => run::<u16>(npy),
                (npyz::TypeChar::Uint, 1) => run::<u8>(npy),
                _ => continue,
            },
            _ => continue,
        };
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        println!(
            "{name:44} {:>10} {:>10} {:>8.0} {:>8.0}",
            r.0, r.1, r.2, r.3
        );
    }
}
