//! Throughput of `spatial_delta` encode and decode on a 64 MiB int32 array (256 × 256 × 256),
//! for each single axis and for all three axes (the 3-D Lorenzo predictor), single-threaded.
//!
//! After the criterion groups, the same cases are timed with the numpy implementation given in
//! the codec's proposal (numcodecs issue #583: `np.diff(..., prepend=0)` / `np.cumsum`) by
//! `benches/numpy_reference.py`, when a Python with numpy is found (`$NDCODECS_PYTHON`, else
//! `.venv/bin/python` at the repository root, else `python3`), so both appear in one run.
//!
//! The same cases through the Python package (`ndcodecs.SpatialDelta`, what a numcodecs or
//! zarr-python user runs) against numpy side by side: `python-plugin/bench/bench_python_paths.py`.

use std::hint::black_box;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion, Throughput};
use ndcodecs_spatial_delta::{AxisSelection, SpatialDeltaCodec};

const SHAPE: [usize; 3] = [256, 256, 256];

fn field() -> Vec<i32> {
    let [nz, ny, nx] = SHAPE;
    let mut v = Vec::with_capacity(nz * ny * nx);
    let mut state = 0x2545_f491_u32;
    for z in 0..nz {
        for y in 0..ny {
            for x in 0..nx {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let smooth = (z * 3 + y * 5 + x * 7) as i32;
                v.push(smooth * 100 + (state % 64) as i32);
            }
        }
    }
    v
}

fn cases() -> Vec<(&'static str, AxisSelection)> {
    vec![
        ("axis0", AxisSelection::One(0)),
        ("axis1", AxisSelection::One(1)),
        ("axis2", AxisSelection::One(2)),
        ("all", AxisSelection::Many(vec![0, 1, 2])),
    ]
}

/// Per case: name, encode into a reused buffer, encode into a new allocation, decode in place
/// (MB/s).
type Summary = Vec<(String, f64, f64, f64)>;

fn bench(c: &mut Criterion) -> Summary {
    let data = field();
    let bytes = (data.len() * 4) as u64;
    let mut group = c.benchmark_group("spatial_delta_int32_64MiB");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    let mut summary = Vec::new();
    for (name, axis) in cases() {
        let codec = SpatialDeltaCodec::new(axis);
        let encoded = codec.encode_slice(&data, &SHAPE).unwrap();
        let mut out = vec![0i32; data.len()];
        group.bench_with_input(BenchmarkId::new("encode_into", name), &data, |b, d| {
            b.iter(|| {
                codec
                    .encode_slice_into(black_box(d), &mut out, &SHAPE)
                    .unwrap()
            });
        });
        group.bench_with_input(BenchmarkId::new("encode_alloc", name), &data, |b, d| {
            b.iter(|| codec.encode_slice(black_box(d), &SHAPE).unwrap());
        });
        let mut work = encoded.clone();
        group.bench_with_input(BenchmarkId::new("decode", name), &encoded, |b, e| {
            b.iter(|| {
                work.copy_from_slice(e);
                codec
                    .decode_slice_in_place(black_box(&mut work), &SHAPE)
                    .unwrap();
            });
        });
        assert_eq!(work, data, "decode(encode(x)) != x for {name}");
        // A plain best-of-5 figure for the side-by-side summary below.
        let best = |f: &mut dyn FnMut()| {
            (0..5)
                .map(|_| {
                    let t = Instant::now();
                    f();
                    t.elapsed().as_secs_f64()
                })
                .fold(f64::INFINITY, f64::min)
        };
        let enc = best(&mut || {
            codec.encode_slice_into(&data, &mut out, &SHAPE).unwrap();
        });
        let enc_alloc = best(&mut || {
            black_box(codec.encode_slice(&data, &SHAPE).unwrap());
        });
        let mut w = encoded.clone();
        let dec = best(&mut || {
            codec.decode_slice_in_place(&mut w, &SHAPE).unwrap();
        });
        summary.push((
            name.to_string(),
            bytes as f64 / enc / 1e6,
            bytes as f64 / enc_alloc / 1e6,
            bytes as f64 / dec / 1e6,
        ));
    }
    group.finish();
    summary
}

fn numpy_reference() -> Option<String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let python = std::env::var("NDCODECS_PYTHON").ok().unwrap_or_else(|| {
        let venv = format!("{root}/.venv/bin/python");
        if std::path::Path::new(&venv).exists() {
            venv
        } else {
            "python3".into()
        }
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/numpy_reference.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let ours = bench(&mut c);
    c.final_summary();
    let numpy = numpy_reference();
    println!("\nside by side, best of 5, MB/s (1 MB = 1e6 bytes), int32 256x256x256:");
    println!(
        "{:<8} {:>12} {:>12} {:>12} {:>12} {:>12} {:>8} {:>8} {:>8}",
        "axes",
        "ours enc",
        "ours enc+a",
        "ours dec",
        "numpy enc",
        "numpy dec",
        "enc x",
        "enc+a x",
        "dec x"
    );
    for (name, enc, enc_alloc, dec) in &ours {
        let (ne, nd) = numpy
            .as_deref()
            .and_then(|s| {
                s.lines().find_map(|l| {
                    let f: Vec<&str> = l.split_whitespace().collect();
                    (f.len() == 3 && f[0] == name)
                        .then(|| (f[1].parse::<f64>().ok(), f[2].parse::<f64>().ok()))
                })
            })
            .map_or((f64::NAN, f64::NAN), |(a, b)| {
                (a.unwrap_or(f64::NAN), b.unwrap_or(f64::NAN))
            });
        println!(
            "{name:<8} {enc:>12.0} {enc_alloc:>12.0} {dec:>12.0} {ne:>12.0} {nd:>12.0} {:>8.1} {:>8.1} {:>8.1}",
            enc / ne,
            enc_alloc / ne,
            dec / nd
        );
    }
    println!("(enc: into a reused buffer; enc+a: into a new allocation, as numpy's np.diff does)");
    if numpy.is_none() {
        println!("(numpy reference not run: no Python with numpy found)");
    }
}
