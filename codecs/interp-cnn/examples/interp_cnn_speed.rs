//! Size and speed of `interp_cnn` on `.npy` images: bits per sub-pixel (and the model's ideal
//! code length), encode and decode megapixels per second (best of `--repeat`). One-thread
//! figures are CPU time of the pool's one thread (Linux `/proc/thread-self/schedstat`: robust on
//! a shared machine); 1- and 2-thread decoding are also timed as wall time for the scaling.
//!
//! `cargo run --release -p ndcodecs-interp-cnn --example interp_cnn_speed -- [--repeat N] [--model ID] FILE.npy ...`

use std::time::Instant;

use ndcodecs_interp_cnn::{ImageSample, InterpCnnConfig, decode_into, encode, ideal_bits};

fn best<R>(repeat: usize, mut f: impl FnMut() -> R) -> (f64, R) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..repeat {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        out = Some(r);
    }
    (best, out.expect("repeat >= 1"))
}

fn cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").expect("Linux schedstat");
    s.split_whitespace().next().unwrap().parse().unwrap()
}

/// Best CPU seconds of `f` run on the one thread of `pool`.
fn cpu_best<R: Send>(
    repeat: usize,
    pool: &rayon::ThreadPool,
    mut f: impl FnMut() -> R + Send,
) -> (f64, R) {
    pool.install(|| {
        let mut best = f64::INFINITY;
        let mut out = None;
        for _ in 0..repeat {
            let t = cpu_ns();
            let r = f();
            best = best.min((cpu_ns() - t) as f64 * 1e-9);
            out = Some(r);
        }
        (best, out.expect("repeat >= 1"))
    })
}

fn run<T: ImageSample>(name: &str, v: &[T], shape: &[usize], repeat: usize, model: u32) {
    let config = InterpCnnConfig {
        model,
        ..InterpCnnConfig::default()
    };
    let pixels = (shape[0] * shape[1]) as f64
        * if shape.len() == 3 && shape[2] > 4 {
            shape[2] as f64
        } else {
            1.0
        };
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    };
    let (p1, p2) = (pool(1), pool(2));
    let (t_enc, bytes) = cpu_best(repeat, &p1, || encode(v, shape, &config).unwrap());
    let ideal = ideal_bits(v, shape, &config).unwrap();
    let t_dec = cpu_best(repeat, &p1, || {
        let mut o = vec![T::default(); v.len()];
        decode_into(&bytes, shape, &mut o).unwrap();
        o
    })
    .0;
    let mut out = vec![T::default(); v.len()];
    let mut wall = |p: &rayon::ThreadPool| {
        best(repeat, || {
            p.install(|| decode_into(&bytes, shape, &mut out).unwrap())
        })
        .0
    };
    let (w1, w2) = (wall(&p1), wall(&p2));
    let enc_wall =
        |p: &rayon::ThreadPool| best(repeat, || p.install(|| encode(v, shape, &config).unwrap())).0;
    let (e1, e2) = (enc_wall(&p1), enc_wall(&p2));
    decode_into(&bytes, shape, &mut out).unwrap();
    assert!(out == v, "round trip");
    let mp = |t: f64| pixels / t / 1e6;
    println!(
        "{name}: {:.4} bpsp (ideal {:.4}) | encode 1 thr {:.2} MP/s CPU | decode 1 thr {:.2} MP/s CPU | decode wall 1 thr {:.2}, 2 thr {:.2} MP/s ({:.2}x) | encode wall 1 thr {:.2}, 2 thr {:.2} MP/s ({:.2}x)",
        8.0 * bytes.len() as f64 / v.len() as f64,
        ideal / v.len() as f64,
        mp(t_enc),
        mp(t_dec),
        mp(w1),
        mp(w2),
        w1 / w2,
        mp(e1),
        mp(e2),
        e1 / e2,
    );
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut repeat = 3;
    if args.first().is_some_and(|a| a == "--repeat") {
        repeat = args[1].parse().expect("--repeat N");
        args.drain(..2);
    }
    let mut model = InterpCnnConfig::default().model;
    if args.first().is_some_and(|a| a == "--model") {
        model = args[1].parse().expect("--model ID");
        args.drain(..2);
    }
    for path in args {
        let bytes = std::fs::read(&path).expect("read");
        let npy = npyz::NpyFile::new(&bytes[..]).expect("npy");
        let shape: Vec<usize> = npy.shape().iter().map(|&d| d as usize).collect();
        let name = std::path::Path::new(&path)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        match npy.dtype() {
            npyz::DType::Plain(t) if t.size_field() == 1 => {
                run(&name, &npy.into_vec::<u8>().unwrap(), &shape, repeat, model)
            }
            npyz::DType::Plain(t) if t.type_char() == npyz::TypeChar::Uint => run(
                &name,
                &npy.into_vec::<u16>().unwrap(),
                &shape,
                repeat,
                model,
            ),
            _ => run(
                &name,
                &npy.into_vec::<i16>().unwrap(),
                &shape,
                repeat,
                model,
            ),
        }
    }
}
