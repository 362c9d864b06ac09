//! Our range coder against the `constriction` crate's (its `queue::DefaultRangeEncoder`, u32
//! words, u64 state), the same symbols and the same quantised probabilities, timed in one run:
//!
//! - `table`: 10^6 symbols of a 33-symbol Laplace-shaped table at 16-bit precision (what a
//!   learned model hands over): `encode_cdf` / `decode_cdf` against constriction's contiguous
//!   categorical model (binary-search decoder);
//! - `adaptive_bits`: 10^6 bits through an adaptive binary model (what `arith` codes most): our
//!   `encode_bit` against constriction with a two-symbol model built from the same `p0` per bit
//!   (constriction has no adaptive model: one is built per coded symbol).
//!
//! Throughput is in symbols per second (`Throughput::Elements`). The sizes are printed.
//!
//! `cargo bench -p ndcodecs-entropy --bench entropy`

// criterion's macros generate undocumented items.
#![allow(missing_docs)]

use std::hint::black_box;

use constriction::stream::{
    Decode, Encode,
    model::ContiguousCategoricalEntropyModel,
    queue::{DefaultRangeDecoder, DefaultRangeEncoder},
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndcodecs_entropy::{BinaryModel, RangeDecoder, RangeEncoder};

type Model16 = ContiguousCategoricalEntropyModel<u32, Vec<u32>, 16>;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn laplace_freqs() -> Vec<u32> {
    let w: Vec<f64> = (-16i32..=16)
        .map(|k| (-f64::from(k.abs()) / 2.0).exp())
        .collect();
    let total: f64 = w.iter().sum();
    let mut f: Vec<u32> = w.iter().map(|x| 1 + (x / total * 65000.0) as u32).collect();
    let s: u32 = f.iter().sum();
    f[16] += 65536 - s;
    f
}

fn bench(c: &mut Criterion) {
    let n = 1_000_000usize;
    let freqs = laplace_freqs();
    let mut cdf = vec![0u32];
    for &f in &freqs {
        cdf.push(cdf.last().unwrap() + f);
    }
    let mut rng = Rng(3);
    let symbols: Vec<usize> = (0..n)
        .map(|_| {
            let u = (rng.next() >> 48) as u32;
            cdf.windows(2).position(|w| u >= w[0] && u < w[1]).unwrap()
        })
        .collect();
    let model = Model16::from_nonzero_fixed_point_probabilities(&freqs, false).unwrap();

    let ours = {
        let mut e = RangeEncoder::new();
        for &s in &symbols {
            e.encode_cdf(s, &cdf, 16).unwrap();
        }
        e.finish()
    };
    let theirs = {
        let mut e = DefaultRangeEncoder::new();
        e.encode_iid_symbols(&symbols, &model).unwrap();
        e.into_compressed().unwrap()
    };
    eprintln!(
        "table: ours {} bytes, constriction {} bytes",
        ours.len(),
        theirs.len() * 4
    );

    let mut g = c.benchmark_group("table");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("ours_encode", |b| {
        b.iter(|| {
            let mut e = RangeEncoder::new();
            for &s in &symbols {
                e.encode_cdf(s, &cdf, 16).unwrap();
            }
            black_box(e.finish())
        });
    });
    g.bench_function("constriction_encode", |b| {
        b.iter(|| {
            let mut e = DefaultRangeEncoder::new();
            e.encode_iid_symbols(&symbols, &model).unwrap();
            black_box(e.into_compressed().unwrap())
        });
    });
    g.bench_function("ours_decode", |b| {
        b.iter(|| {
            let mut d = RangeDecoder::new(&ours);
            let mut acc = 0usize;
            for _ in 0..n {
                acc += d.decode_cdf(&cdf, 16).unwrap();
            }
            black_box(acc)
        });
    });
    g.bench_function("constriction_decode", |b| {
        b.iter(|| {
            let mut d = DefaultRangeDecoder::from_compressed(theirs.clone()).unwrap();
            let mut acc = 0usize;
            for s in d.decode_iid_symbols(n, &model) {
                acc += s.unwrap();
            }
            black_box(acc)
        });
    });
    g.finish();

    // adaptive bits: a slowly drifting source
    let bits: Vec<bool> = (0..n)
        .map(|i| (rng.next() >> 48) < 8000 + (i as u64 % 50_000))
        .collect();
    let mut g = c.benchmark_group("adaptive_bits");
    g.throughput(Throughput::Elements(n as u64));
    let ours = {
        let mut e = RangeEncoder::new();
        let mut m = BinaryModel::new();
        for &b in &bits {
            e.encode_bit(b, &mut m);
        }
        e.finish()
    };
    let theirs = {
        let mut e = DefaultRangeEncoder::new();
        let mut m = BinaryModel::new();
        for &b in &bits {
            let p0 = m.p0();
            let model =
                Model16::from_nonzero_fixed_point_probabilities([p0, 65536 - p0], false).unwrap();
            e.encode_symbol(usize::from(b), &model).unwrap();
            m.update(b);
        }
        e.into_compressed().unwrap()
    };
    eprintln!(
        "adaptive bits: ours {} bytes, constriction {} bytes",
        ours.len(),
        theirs.len() * 4
    );
    g.bench_function("ours_encode", |b| {
        b.iter(|| {
            let mut e = RangeEncoder::new();
            let mut m = BinaryModel::new();
            for &bit in &bits {
                e.encode_bit(bit, &mut m);
            }
            black_box(e.finish())
        });
    });
    g.bench_function("constriction_encode", |b| {
        b.iter(|| {
            let mut e = DefaultRangeEncoder::new();
            let mut m = BinaryModel::new();
            for &bit in &bits {
                let p0 = m.p0();
                let model =
                    Model16::from_nonzero_fixed_point_probabilities([p0, 65536 - p0], false)
                        .unwrap();
                e.encode_symbol(usize::from(bit), &model).unwrap();
                m.update(bit);
            }
            black_box(e.into_compressed().unwrap())
        });
    });
    g.bench_function("ours_decode", |b| {
        b.iter(|| {
            let mut d = RangeDecoder::new(&ours);
            let mut m = BinaryModel::new();
            let mut acc = 0usize;
            for _ in 0..n {
                acc += usize::from(d.decode_bit(&mut m));
            }
            black_box(acc)
        });
    });
    g.bench_function("constriction_decode", |b| {
        b.iter(|| {
            let mut d = DefaultRangeDecoder::from_compressed(theirs.clone()).unwrap();
            let mut m = BinaryModel::new();
            let mut acc = 0usize;
            for _ in 0..n {
                let p0 = m.p0();
                let model =
                    Model16::from_nonzero_fixed_point_probabilities([p0, 65536 - p0], false)
                        .unwrap();
                let bit = d.decode_symbol(&model).unwrap() == 1;
                m.update(bit);
                acc += usize::from(bit);
            }
            black_box(acc)
        });
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
