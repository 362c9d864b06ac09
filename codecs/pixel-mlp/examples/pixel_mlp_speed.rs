//! Size and speed of `pixel_mlp` on `.npy` images: bits per sub-pixel, encode and decode
//! megapixels per second (best of `--repeat`). One-thread figures are CPU time of the pool's
//! thread (Linux `/proc/thread-self/schedstat`: robust on a shared machine); the wavefront on 2
//! threads and the diagonal order are wall time, as is the 1-thread wavefront they are compared
//! with.
//!
//! `cargo run --release -p ndcodecs-pixel-mlp --example pixel_mlp_speed -- [--repeat N] [--model ID] FILE.npy ...`
//! (`--model`: the model the encoder uses, default the newest; the name printed gets `@m<ID>`).

use std::time::Instant;

use ndcodecs_pixel_mlp::{DecodeOrder, PixelMlpConfig, PixelSample, decode_into, encode};

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

fn run<T: PixelSample>(name: &str, v: &[T], shape: &[usize], repeat: usize, model: Option<u32>) {
    let mut config = PixelMlpConfig::default();
    let name = match model {
        Some(id) => {
            config.model = id;
            format!("{name}@m{id}")
        }
        None => name.to_string(),
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
    let (t_enc2, _) = best(repeat, || p2.install(|| encode(v, shape, &config).unwrap()));
    let mut out = vec![T::default(); v.len()];
    let mut dec = |p: &rayon::ThreadPool, order| {
        best(repeat, || {
            p.install(|| decode_into(&bytes, shape, &mut out, order).unwrap())
        })
        .0
    };
    let t_seq = cpu_best(repeat, &p1, || {
        let mut o = vec![T::default(); v.len()];
        decode_into(&bytes, shape, &mut o, DecodeOrder::Sequential).unwrap();
    })
    .0;
    let t_w1 = dec(&p1, DecodeOrder::Wavefront);
    let t_w2 = dec(&p2, DecodeOrder::Wavefront);
    let t_d2 = dec(&p2, DecodeOrder::Diagonal);
    decode_into(&bytes, shape, &mut out, DecodeOrder::Wavefront).unwrap();
    assert!(out == v, "round trip");
    let mp = |t: f64| pixels / t / 1e6;
    if std::env::var_os("PIXEL_MLP_CSV").is_some() {
        println!(
            "csv,{name},{},{},{t_enc},{t_seq},{t_w1},{t_w2},{t_d2},{t_enc2}",
            v.len(),
            bytes.len()
        );
        return;
    }
    println!(
        "{name}: {:.4} bpsp | encode 1 thr {:.2} MP/s CPU (2 thr wall {:.2}) | decode 1 thr {:.2} MP/s CPU | wall: wavefront 1 thr {:.2}, 2 thr {:.2} ({:.2}x), diagonal 2 thr {:.2} MP/s",
        8.0 * bytes.len() as f64 / v.len() as f64,
        mp(t_enc),
        mp(t_enc2),
        mp(t_seq),
        mp(t_w1),
        mp(t_w2),
        t_w1 / t_w2,
        mp(t_d2)
    );
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut repeat = 3;
    if args.first().is_some_and(|a| a == "--repeat") {
        repeat = args[1].parse().expect("--repeat N");
        args.drain(..2);
    }
    let mut model = None;
    if args.first().is_some_and(|a| a == "--model") {
        model = Some(args[1].parse().expect("--model ID"));
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
