//! Coded sizes and single-thread speed of `arith` on every integer `.npy` file of a directory
//! (the arrays the benchmark prepares), for quick comparisons while changing the model:
//! `cargo run --release -p ndcodecs-arith --example arith_sizes -- DIR`
#![allow(missing_docs)]

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
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let b = encode(&v, &shape).unwrap();
        te = te.min(t.elapsed().as_secs_f64());
        let t = std::time::Instant::now();
        decode_into(&b, &shape, &mut out).unwrap();
        td = td.min(t.elapsed().as_secs_f64());
        assert!(out == v);
        size = b.len();
    }
    let raw = v.len() * std::mem::size_of::<T>();
    (raw, size, raw as f64 / te / 1e6, raw as f64 / td / 1e6)
}

fn main() {
    let dir = std::env::args().nth(1).expect("a directory of .npy files");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "npy"))
        .collect();
    names.sort();
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
