//! The interleaved rANS coder: round trips under several contexts' tables, sizes against
//! `n × entropy` of the quantised tables, and damaged streams as errors.

use ndcodecs_entropy::{
    EntropyError, RANS_TOTAL, RansDecoder, RansEncSymbol, RansEncoder, RansTable,
    quantize_frequencies,
};

mod common;
use common::Rng;

impl Rng {
    /// A symbol drawn from `freqs` (summing to 2^12).
    fn draw(&mut self, freqs: &[u16]) -> u8 {
        let u = u32::try_from(self.next() >> 52).unwrap();
        let mut cum = 0;
        for (k, &f) in freqs.iter().enumerate() {
            cum += u32::from(f);
            if u < cum {
                return u8::try_from(k).unwrap();
            }
        }
        unreachable!()
    }
}

/// Tables of a geometric-like shape with different scales, and one single-symbol table.
fn tables() -> Vec<Vec<u16>> {
    let mut out = Vec::new();
    for scale in [0.3f64, 1.0, 3.0, 10.0] {
        let counts: Vec<u64> = (0..40)
            .map(|k| (1e6 * (-f64::from(k) / scale).exp()) as u64)
            .collect();
        let mut f = vec![0u16; counts.len()];
        quantize_frequencies(&counts, &mut f);
        out.push(f);
    }
    let mut single = vec![0u16; 9];
    single[7] = 4096;
    out.push(single);
    out
}

/// Each table's interval starts (the running sums of its frequencies).
fn starts_of(freqs: &[Vec<u16>]) -> Vec<Vec<u32>> {
    freqs
        .iter()
        .map(|f| {
            f.iter()
                .scan(0u32, |c, &x| {
                    let s = *c;
                    *c += u32::from(x);
                    Some(s)
                })
                .collect()
        })
        .collect()
}

fn encode(symbols: &[u8], ctx: &[usize], freqs: &[Vec<u16>]) -> Vec<u8> {
    let starts = starts_of(freqs);
    let mut enc = RansEncoder::new();
    for i in (0..symbols.len()).rev() {
        let (s, c) = (usize::from(symbols[i]), ctx[i]);
        enc.put(i, starts[c][s], u32::from(freqs[c][s]));
    }
    let mut out = Vec::new();
    enc.finish_into(&mut out);
    out
}

fn sample(n: usize, seed: u64) -> (Vec<u8>, Vec<usize>, Vec<Vec<u16>>, f64) {
    let freqs = tables();
    let mut rng = Rng(seed);
    let mut symbols = Vec::with_capacity(n);
    let mut ctx = Vec::with_capacity(n);
    let mut bits = 0.0;
    for _ in 0..n {
        let c = usize::try_from(rng.next() % freqs.len() as u64).unwrap();
        let s = rng.draw(&freqs[c]);
        bits -= (f64::from(freqs[c][usize::from(s)]) / f64::from(RANS_TOTAL)).log2();
        symbols.push(s);
        ctx.push(c);
    }
    (symbols, ctx, freqs, bits)
}

#[test]
fn round_trip_and_size() {
    for n in [0usize, 1, 3, 4, 5, 17, 1000, 200_000] {
        let (symbols, ctx, freqs, bits) = sample(n, 0x1234_5678 + n as u64);
        let bytes = encode(&symbols, &ctx, &freqs);
        let t: Vec<RansTable> = freqs.iter().map(|f| RansTable::new(f).unwrap()).collect();
        let mut dec = RansDecoder::new(&bytes).unwrap();
        let got: Vec<u8> = (0..n).map(|i| dec.get(i, &t[ctx[i]])).collect();
        dec.finish().unwrap();
        assert_eq!(got, symbols, "n = {n}");
        // the information content of the drawn symbols under the tables, plus the 16 bytes of
        // states and at most a word per lane of slack: within 0.5 %
        let limit = bits / 8.0 * 1.005 + 16.0 + 8.0;
        assert!(
            (bytes.len() as f64) <= limit,
            "n = {n}: {} bytes, ideal {:.1}",
            bytes.len(),
            bits / 8.0
        );
        if n == 200_000 {
            println!("{} bytes, ideal {:.1}", bytes.len(), bits / 8.0);
            assert!(bytes.len() as f64 >= bits / 8.0 * 0.99);
        }
    }
}

#[test]
fn damaged_streams_are_errors() {
    let (symbols, ctx, freqs, _) = sample(5000, 99);
    let bytes = encode(&symbols, &ctx, &freqs);
    let t: Vec<RansTable> = freqs.iter().map(|f| RansTable::new(f).unwrap()).collect();
    let run = |data: &[u8]| -> Result<Vec<u8>, EntropyError> {
        let mut dec = RansDecoder::new(data)?;
        let got: Vec<u8> = (0..symbols.len()).map(|i| dec.get(i, &t[ctx[i]])).collect();
        dec.finish()?;
        Ok(got)
    };
    assert_eq!(run(&bytes).unwrap(), symbols);
    for cut in [0, 3, 16, 18, bytes.len() - 2] {
        assert!(run(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0, 0]);
    assert!(matches!(
        run(&longer),
        Err(EntropyError::TrailingBytes { count: 2 })
    ));
    longer.push(0);
    assert!(run(&longer).is_err());
    // every bit flip in the first 4 KiB: an error or other symbols (a codec's checksum then
    // catches those), never a panic
    let mut caught = 0;
    for bit in 0..(bytes.len().min(4096) * 8) {
        let mut b = bytes.clone();
        b[bit / 8] ^= 1 << (bit % 8);
        match run(&b) {
            Err(_) => caught += 1,
            Ok(got) => assert_ne!(got, symbols, "flip of bit {bit} went unnoticed"),
        }
    }
    assert!(caught > 0);
}

#[test]
fn tables_are_checked() {
    assert!(RansTable::new(&[4095]).is_err());
    assert!(RansTable::new(&[4096, 1]).is_err());
    assert!(RansTable::new(&vec![32u16; 129]).is_err());
    assert!(RansTable::new(&[0, 4096]).is_ok());
}

#[test]
fn quantised_frequencies_keep_every_symbol() {
    let mut f = vec![0u16; 128];
    let mut counts = vec![1u64; 128];
    counts[5] = 1_000_000_000;
    quantize_frequencies(&counts, &mut f);
    assert_eq!(f.iter().map(|&x| u32::from(x)).sum::<u32>(), RANS_TOTAL);
    assert!(f.iter().all(|&x| x >= 1));
    assert_eq!(f[5], 4096 - 127);
    let mut f = vec![0u16; 128];
    quantize_frequencies(&vec![7u64; 128], &mut f);
    assert!(f.iter().all(|&x| x == 32));
    let counts = [0u64, 3, 0, 1];
    let mut f = [0u16; 4];
    quantize_frequencies(&counts, &mut f);
    assert_eq!(f, [0, 3072, 0, 1024]);
}

/// `put_rev` (reciprocal division, branch-free renormalisation) writes the same stream as `put`
/// symbol by symbol, for every length modulo the four lanes and before and after other puts.
#[test]
fn put_rev_matches_put() {
    for n in [0usize, 1, 2, 3, 4, 5, 7, 1000, 10_003] {
        let (symbols, ctx, freqs, _) = sample(n, 7 + n as u64);
        let reference = encode(&symbols, &ctx, &freqs);
        let syms: Vec<Vec<RansEncSymbol>> = freqs
            .iter()
            .map(|f| {
                let mut cum = 0u32;
                f.iter()
                    .map(|&x| {
                        let s = RansEncSymbol::new(cum, u32::from(x));
                        cum += u32::from(x);
                        s
                    })
                    .collect()
            })
            .collect();
        let mut enc = RansEncoder::new();
        enc.put_rev(n, |i| syms[ctx[i]][usize::from(symbols[i])]);
        let mut out = Vec::new();
        enc.finish_into(&mut out);
        assert_eq!(out, reference, "n = {n}");
        // the same stream from an encoder on a kept buffer (holding another stream's words)
        let mut kept = vec![7u16; 3];
        for _ in 0..2 {
            let mut enc = RansEncoder::with_buffer(kept);
            enc.put_rev(n, |i| syms[ctx[i]][usize::from(symbols[i])]);
            let mut out = Vec::new();
            kept = enc.finish_into_keep(&mut out);
            assert_eq!(out, reference, "n = {n}, kept buffer");
        }
    }
}

/// The reciprocal of every frequency divides exactly: 32-bit states around multiples of the
/// frequency and at the ends of the range, against `/` and `%`.
#[test]
fn reciprocal_division_is_exact() {
    let mut rng = Rng(99);
    for freq in 1..=RANS_TOTAL {
        let s = RansEncSymbol::new(RANS_TOTAL - freq, freq);
        let mut xs: Vec<u64> = vec![
            0,
            1,
            1 << 16,
            (u64::from(freq) << 20) - 1,
            u64::from(u32::MAX),
        ];
        for _ in 0..8 {
            let x = (rng.next() >> 32) / u64::from(freq) * u64::from(freq);
            xs.extend([x.saturating_sub(1), x, x + 1]);
        }
        for x in xs.into_iter().filter_map(|x| u32::try_from(x).ok()) {
            assert_eq!(s.div(x), (x / freq, x % freq), "x = {x}, freq = {freq}");
        }
    }
}

/// A stream of `S` interleaved states (`RansEncoder::<S>`, as `arith`'s sixteen-lane model
/// uses): `put` symbol by symbol, `put_symbol` and `put_rev` write the same bytes, the head holds
/// `S` states, the decoder of `S` states reads the symbols back (symbol `i` on state `i mod S`)
/// and refuses truncations, trailing words and a damaged state; four states write exactly the
/// default encoder's stream.
fn interleaved<const S: usize>() {
    for n in [0usize, 1, S - 1, S, S + 1, 3 * S + 2, 5000] {
        let (symbols, ctx, freqs, _) = sample(n, 0xABCD + n as u64);
        let starts = starts_of(&freqs);
        let interval = |i: usize| {
            let (c, s) = (ctx[i], usize::from(symbols[i]));
            (starts[c][s], u32::from(freqs[c][s]))
        };
        let mut by_put = RansEncoder::<S>::from_buffer(Vec::new());
        let mut by_symbol = RansEncoder::<S>::from_buffer(vec![1, 2, 3]);
        for i in (0..n).rev() {
            let (start, freq) = interval(i);
            by_put.put(i, start, freq);
            by_symbol.put_symbol(i, RansEncSymbol::new(start, freq));
        }
        let mut by_rev = RansEncoder::<S>::from_buffer(Vec::new());
        by_rev.put_rev(n, |i| {
            let (start, freq) = interval(i);
            RansEncSymbol::new(start, freq)
        });
        let streams = [by_put, by_symbol, by_rev].map(|e| {
            let (mut out, len) = (Vec::new(), e.len());
            e.finish_into(&mut out);
            assert_eq!(out.len(), len);
            out
        });
        assert_eq!(streams[0], streams[1], "{S} states, n = {n}");
        assert_eq!(streams[0], streams[2], "{S} states, n = {n}");
        let bytes = &streams[0];
        if S == 4 {
            assert_eq!(*bytes, encode(&symbols, &ctx, &freqs), "n = {n}");
        }
        let t: Vec<RansTable> = freqs.iter().map(|f| RansTable::new(f).unwrap()).collect();
        let run = |data: &[u8]| -> Result<Vec<u8>, EntropyError> {
            let mut dec = RansDecoder::<S>::with_states(data)?;
            let got: Vec<u8> = (0..n).map(|i| dec.get(i, &t[ctx[i]])).collect();
            dec.finish()?;
            Ok(got)
        };
        assert_eq!(run(bytes).unwrap(), symbols, "{S} states, n = {n}");
        assert!(matches!(
            run(&bytes[..4 * S - 1]),
            Err(EntropyError::Truncated { .. })
        ));
        if bytes.len() > 4 * S {
            assert!(
                run(&bytes[..bytes.len() - 2]).is_err(),
                "{S} states, n = {n}"
            );
        }
        let mut longer = bytes.clone();
        longer.extend_from_slice(&[0, 0]);
        assert!(run(&longer).is_err());
        for k in 0..S {
            let mut damaged = bytes.clone();
            damaged[4 * k] ^= 1;
            assert!(run(&damaged).is_err(), "{S} states, n = {n}, state {k}");
        }
    }
}

#[test]
fn any_number_of_interleaved_states() {
    interleaved::<4>();
    interleaved::<16>();
    interleaved::<5>();
}
