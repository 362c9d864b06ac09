//! Model experiments: codes the `.npy` integer arrays of a directory with variants of the
//! context model's parameters and prints the sizes. `cargo run --release --example arith_explore -- DIR`
#![allow(missing_docs)]

use ndcodecs_arith::{ArithElement, Params, decode_payload, encode_payload};

fn run<T: ArithElement + npyz::Deserialize>(
    npy: npyz::NpyFile<&[u8]>,
    variants: &[(String, Params)],
) -> Vec<usize> {
    let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
    let v: Vec<T> = npy.into_vec().unwrap();
    variants
        .iter()
        .enumerate()
        .map(|(k, (_, p))| {
            let b = encode_payload(&v, &shape, p);
            if k == 0 {
                let mut out = vec![T::default(); v.len()];
                assert!(decode_payload(&b, &shape, p, &mut out));
                assert!(out == v, "round trip");
            }
            b.len()
        })
        .collect()
}

fn main() {
    let dir = std::env::args().nth(1).expect("dir");
    let which = std::env::args().nth(2).unwrap_or_default();
    let base = Params::default();
    let mut variants: Vec<(String, Params)> = vec![("base".into(), base.clone())];
    let mut add = |name: &str, f: &dyn Fn(&mut Params)| {
        let mut p = base.clone();
        f(&mut p);
        variants.push((name.into(), p));
    };
    match which.as_str() {
        "rates" => {
            add("f4s7", &|p| {
                p.fast = 4;
                p.slow = 7
            });
            add("f5s10", &|p| {
                p.fast = 5;
                p.slow = 10
            });
            add("f6s9", &|p| {
                p.fast = 6;
                p.slow = 9
            });
            add("cdf6", &|p| p.cdf_rate = 6);
            add("cdf5", &|p| p.cdf_rate = 5);
        }
        "signed" => {
            add("s1", &|p| p.signed_ctx = 1);
            add("s2", &|p| p.signed_ctx = 2);
            add("s1b12", &|p| {
                p.signed_ctx = 1;
                p.per_octave = 1;
                p.buckets = 12
            });
        }
        "ctx" => {
            add("nozf", &|p| p.zero_flag = false);
            add("oct1", &|p| {
                p.per_octave = 1;
                p.buckets = 12
            });
            add("b28", &|p| p.buckets = 28);
            add("wl1", &|p| p.w_left = 1);
            add("wl3", &|p| p.w_left = 3);
            add("nodiag", &|p| p.w_diag = 0);
            add("wl2_2", &|p| p.w_left2 = 1);
            add("m0", &|p| p.mant_adapt = 0);
            add("m2", &|p| p.mant_adapt = 2);
            add("nosign", &|p| p.sign_ctx = false);
        }
        _ => {}
    }
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "npy"))
        .collect();
    names.sort();
    let mut logsum = vec![0.0f64; variants.len()];
    print!("{:40}", "array");
    for (n, _) in &variants {
        print!(" {n:>9}");
    }
    println!();
    for path in names {
        let bytes = std::fs::read(&path).unwrap();
        let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
        let sizes = match npy.dtype() {
            npyz::DType::Plain(t) => match (t.type_char(), t.size_field()) {
                (npyz::TypeChar::Int, 4) => run::<i32>(npy, &variants),
                (npyz::TypeChar::Int, 2) => run::<i16>(npy, &variants),
                (npyz::TypeChar::Uint, 2) => run::<u16>(npy, &variants),
                (npyz::TypeChar::Uint, 1) => run::<u8>(npy, &variants),
                other => panic!("{other:?}"),
            },
            _ => panic!(),
        };
        print!("{:40}", path.file_stem().unwrap().to_string_lossy());
        for (k, s) in sizes.iter().enumerate() {
            print!(" {s:>9}");
            logsum[k] += (*s as f64 / sizes[0] as f64).ln();
        }
        println!();
    }
    print!("{:40}", "geomean vs base");
    let count = logsum.len().max(1);
    let _ = count;
    for l in &logsum {
        print!(" {:>9.4}", l.exp());
    }
    println!();
}
