//! The coder against an independent model: an arbitrary-precision implementation of the
//! arithmetic in `specs/entropy/README.md` (big integers, no 32-bit window, no carry handling,
//! models re-implemented from the spec's formulas). The bytes must be equal, and each decoder
//! must decode the other's stream.

use ndcodecs_entropy::{AdaptiveCdf, BinaryModel, RangeDecoder, RangeEncoder};
use num_bigint::BigUint;
use proptest::prelude::*;

/// One coded symbol, as the reference sees it: an interval of `2^precision`.
#[derive(Clone, Copy, Debug)]
struct Interval {
    start: u64,
    freq: u64,
    precision: u32,
}

/// The reference coder: the interval `[low, low + range)` of the coded value, `low` exact.
struct Reference {
    low: BigUint,
    range: u64,
    /// bytes shifted out so far (the scale of `low` is `256^(4 + shifted)`)
    shifted: usize,
}

impl Reference {
    fn new() -> Self {
        Self {
            low: BigUint::from(0u32),
            range: (1 << 32) - 1,
            shifted: 0,
        }
    }

    fn sub(&self, iv: Interval) -> (u64, u64) {
        let r = self.range >> iv.precision;
        let offset = r * iv.start;
        let new_range = if iv.start + iv.freq == 1 << iv.precision {
            self.range - offset
        } else {
            r * iv.freq
        };
        (offset, new_range)
    }

    fn code(&mut self, iv: Interval) {
        let (offset, new_range) = self.sub(iv);
        self.low += offset;
        self.range = new_range;
        while self.range < 1 << 24 {
            self.low <<= 8;
            self.range <<= 8;
            self.shifted += 1;
        }
    }

    /// The canonical stream: the value `v` in the final interval with the fewest bytes.
    fn finish(self) -> Vec<u8> {
        let w = BigUint::from(1u64 << 32);
        let low_w = u64::try_from(&self.low % &w).unwrap();
        let (v, len) = if low_w == 0 {
            (self.low.clone(), self.shifted)
        } else if low_w + self.range > 1 << 32 {
            (&self.low - low_w + &w, self.shifted)
        } else {
            let unit = BigUint::from(1u64 << 24);
            ((&self.low + &unit - 1u32) / &unit * &unit, self.shifted + 1)
        };
        // v / 256^4 is an integer of `len` bytes at most; its bytes follow.
        let total = self.shifted + 4;
        let mut bytes = v.to_bytes_be();
        if bytes == [0] {
            bytes.clear();
        }
        assert!(bytes.len() <= total);
        let mut full = vec![0u8; total - bytes.len()];
        full.extend(bytes);
        full.truncate(len);
        full
    }
}

/// The spec's binary model, written again from its formulas.
#[derive(Clone, Copy)]
struct RefBit {
    fast: u64,
    slow: u64,
    count: u64,
    rf: u64,
    rs: u64,
}

impl RefBit {
    fn new(rf: u64, rs: u64) -> Self {
        Self {
            fast: 1 << 23,
            slow: 1 << 23,
            count: 0,
            rf,
            rs,
        }
    }
    fn p0(&self) -> u64 {
        ((self.fast + self.slow) / 512).clamp(1, 65535)
    }
    fn update(&mut self, bit: bool) {
        let w = (self.count + 2).ilog2() as u64;
        let (rf, rs) = (self.rf.min(w), self.rs.min(w));
        if bit {
            self.fast -= self.fast >> rf;
            self.slow -= self.slow >> rs;
        } else {
            self.fast += ((1 << 24) - self.fast) >> rf;
            self.slow += ((1 << 24) - self.slow) >> rs;
        }
        self.count = (self.count + 1).min(65535);
    }
}

/// The spec's adaptive CDF, written again: model values m[0..=n].
#[derive(Clone)]
struct RefCdf {
    m: Vec<u64>,
    count: u64,
    max_rate: u64,
}

impl RefCdf {
    fn uniform(n: usize, max_rate: u64) -> Self {
        let free = 32768 - n as u64;
        Self {
            m: (0..=n as u64).map(|i| free * i / n as u64).collect(),
            count: 0,
            max_rate,
        }
    }
    fn c(&self, i: usize) -> u64 {
        self.m[i] + i as u64
    }
    fn update(&mut self, s: usize) {
        let n = self.m.len() - 1;
        let rate = ((self.count + 2).ilog2() as u64 + 1).min(self.max_rate);
        let top = 32768 - n as u64;
        for i in 1..n {
            if i <= s {
                self.m[i] -= self.m[i] >> rate;
            } else {
                self.m[i] += (top - self.m[i]) >> rate;
            }
        }
        self.count = (self.count + 1).min(255);
    }
}

/// What the test codes: a mix of every kind of symbol.
#[derive(Clone, Debug)]
enum Op {
    Bit(usize, bool),
    StaticBit(u32, bool),
    Sym5(usize),
    Cdf(Vec<u32>, u32, usize),
    Bits(u64, u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..3, prop::bool::weighted(0.2)).prop_map(|(m, b)| Op::Bit(m, b)),
        (1u32..=65535, any::<bool>()).prop_map(|(p, b)| Op::StaticBit(p, b)),
        prop::sample::select(vec![0usize, 0, 0, 1, 2, 3, 4]).prop_map(Op::Sym5),
        (
            1u32..=16,
            prop::collection::vec(1u32..1000, 1..20),
            any::<prop::sample::Index>()
        )
            .prop_filter_map("table fits the precision", |(p, f, i)| {
                let total: u32 = f.iter().sum();
                if total > 1 << p {
                    return None;
                }
                // scale the frequencies up to 2^p, each stays >= 1
                let mut cdf = vec![0u32];
                let mut acc = 0u64;
                for &x in &f {
                    acc += u64::from(x);
                    cdf.push(u32::try_from(acc * (1u64 << p) / u64::from(total)).unwrap());
                }
                if cdf.windows(2).any(|w| w[1] <= w[0]) {
                    return None;
                }
                let s = i.index(f.len());
                Some(Op::Cdf(cdf, p, s))
            }),
        (any::<u64>(), 0u32..=64)
            .prop_map(|(v, n)| Op::Bits(if n == 64 { v } else { v & ((1 << n) - 1) }, n)),
    ]
}

const RATES: [(u8, u8); 3] = [(4, 7), (2, 5), (5, 5)];

fn encode_ours(ops: &[Op]) -> Vec<u8> {
    let mut bits: Vec<BinaryModel> = RATES
        .iter()
        .map(|&(f, s)| BinaryModel::with_rates(1 << 15, f, s))
        .collect();
    let mut sym = AdaptiveCdf::<5>::from_frequencies(&[1; 5], 6);
    let mut enc = RangeEncoder::append_to(vec![0xEE; 3]);
    for op in ops {
        match op {
            Op::Bit(m, b) => enc.encode_bit(*b, &mut bits[*m]),
            Op::StaticBit(p, b) => enc.encode_bit_p0(*b, *p),
            Op::Sym5(s) => enc.encode_symbol(*s, &mut sym),
            Op::Cdf(cdf, p, s) => enc.encode_cdf(*s, cdf, *p).unwrap(),
            Op::Bits(v, n) => enc.encode_bits(*v, *n),
        }
    }
    let out = enc.finish();
    assert_eq!(&out[..3], &[0xEE; 3], "the prefix is the caller's");
    out[3..].to_vec()
}

/// The intervals the reference codes for `ops` (models re-implemented).
fn reference_intervals(ops: &[Op]) -> Vec<Interval> {
    let mut bits: Vec<RefBit> = RATES
        .iter()
        .map(|&(f, s)| RefBit::new(u64::from(f), u64::from(s)))
        .collect();
    let mut sym = RefCdf::uniform(5, 6);
    let mut out = Vec::new();
    let bit = |p0: u64, b: bool| {
        if b {
            Interval {
                start: p0,
                freq: 65536 - p0,
                precision: 16,
            }
        } else {
            Interval {
                start: 0,
                freq: p0,
                precision: 16,
            }
        }
    };
    for op in ops {
        match op {
            Op::Bit(m, b) => {
                out.push(bit(bits[*m].p0(), *b));
                bits[*m].update(*b);
            }
            Op::StaticBit(p, b) => out.push(bit(u64::from(*p), *b)),
            Op::Sym5(s) => {
                out.push(Interval {
                    start: sym.c(*s),
                    freq: sym.c(s + 1) - sym.c(*s),
                    precision: 15,
                });
                sym.update(*s);
            }
            Op::Cdf(cdf, p, s) => out.push(Interval {
                start: u64::from(cdf[*s]),
                freq: u64::from(cdf[s + 1] - cdf[*s]),
                precision: *p,
            }),
            Op::Bits(v, n) => {
                let mut left = *n;
                while left > 0 {
                    let g = (left - 1) % 16 + 1;
                    left -= g;
                    out.push(Interval {
                        start: (v >> left) & ((1 << g) - 1),
                        freq: 1,
                        precision: g,
                    });
                }
            }
        }
    }
    out
}

fn encode_reference(ops: &[Op]) -> Vec<u8> {
    let mut r = Reference::new();
    for iv in reference_intervals(ops) {
        r.code(iv);
    }
    r.finish()
}

/// Decodes with the reference: the value is the stream's bytes (zeros after the end), each
/// symbol found by exact comparison.
fn decode_reference(bytes: &[u8], ops: &[Op]) -> bool {
    let mut r = Reference::new();
    let value = |shifted: usize| {
        let mut v = bytes.to_vec();
        v.resize(shifted + 4, 0);
        v.truncate(shifted + 4);
        BigUint::from_bytes_be(&v)
    };
    for iv in reference_intervals(ops) {
        // the coded interval must hold the value; a neighbouring one must not
        let (offset, new_range) = r.sub(iv);
        let lo = &r.low + offset;
        let hi = &lo + new_range;
        let mut probe = Reference {
            low: r.low.clone(),
            range: r.range,
            shifted: r.shifted,
        };
        probe.code(iv);
        let v = value(probe.shifted);
        let scale = BigUint::from(1u32) << (8 * (probe.shifted - r.shifted));
        if !(lo.clone() * &scale <= v && v < hi * &scale) {
            return false;
        }
        r = probe;
    }
    true
}

fn decode_ours(bytes: &[u8], ops: &[Op]) -> Result<Vec<Op>, ndcodecs_entropy::EntropyError> {
    let mut bits: Vec<BinaryModel> = RATES
        .iter()
        .map(|&(f, s)| BinaryModel::with_rates(1 << 15, f, s))
        .collect();
    let mut sym = AdaptiveCdf::<5>::from_frequencies(&[1; 5], 6);
    let mut dec = RangeDecoder::new(bytes);
    let mut out = Vec::new();
    for op in ops {
        out.push(match op {
            Op::Bit(m, _) => Op::Bit(*m, dec.decode_bit(&mut bits[*m])),
            Op::StaticBit(p, _) => Op::StaticBit(*p, dec.decode_bit_p0(*p)),
            Op::Sym5(_) => Op::Sym5(dec.decode_symbol(&mut sym)),
            Op::Cdf(cdf, p, _) => Op::Cdf(cdf.clone(), *p, dec.decode_cdf(cdf, *p)?),
            Op::Bits(_, n) => Op::Bits(dec.decode_bits(*n), *n),
        });
    }
    dec.finish()?;
    Ok(out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn bytes_equal_the_exact_model(ops in prop::collection::vec(op(), 0..400)) {
        let ours = encode_ours(&ops);
        let reference = encode_reference(&ops);
        prop_assert_eq!(&ours, &reference);
        prop_assert!(decode_reference(&ours, &ops));
        let decoded = decode_ours(&ours, &ops).unwrap();
        prop_assert_eq!(format!("{decoded:?}"), format!("{ops:?}"));
    }

    /// Runs of near-certain bits stress the carry (long runs of 0xFF bytes).
    #[test]
    fn carries_match_the_exact_model(
        n in 1usize..3000,
        p in prop::sample::select(vec![1u32, 2, 100, 65400, 65535]),
        flip in prop::collection::vec(any::<prop::sample::Index>(), 0..5),
    ) {
        let mut ops: Vec<Op> = (0..n).map(|_| Op::StaticBit(p, p < 100)).collect();
        for f in flip {
            let i = f.index(n);
            if let Op::StaticBit(p, b) = ops[i] { ops[i] = Op::StaticBit(p, !b); }
        }
        let ours = encode_ours(&ops);
        prop_assert_eq!(&ours, &encode_reference(&ops));
        prop_assert!(decode_reference(&ours, &ops));
        prop_assert_eq!(format!("{:?}", decode_ours(&ours, &ops).unwrap()), format!("{ops:?}"));
    }

    /// The decoder accepts exactly the canonical streams: whatever bytes it accepts are what the
    /// encoder writes for the symbols it decoded.
    #[test]
    fn accepted_bytes_are_canonical(
        ops in prop::collection::vec(op(), 1..60),
        bytes in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        if let Ok(decoded) = decode_ours(&bytes, &ops) {
            prop_assert_eq!(encode_ours(&decoded), bytes);
        }
    }

    /// Every strict prefix and every extension of a stream is refused or decodes to other
    /// symbols whose canonical stream it is.
    #[test]
    fn prefixes_and_extensions(ops in prop::collection::vec(op(), 1..200), extra in prop::collection::vec(any::<u8>(), 1..4)) {
        let bytes = encode_ours(&ops);
        for len in 0..bytes.len() {
            if let Ok(decoded) = decode_ours(&bytes[..len], &ops) {
                prop_assert_eq!(&encode_ours(&decoded)[..], &bytes[..len]);
            }
        }
        let mut longer = bytes.clone();
        longer.extend(&extra);
        if let Ok(decoded) = decode_ours(&longer, &ops) {
            prop_assert_eq!(encode_ours(&decoded), longer);
        }
    }
}
