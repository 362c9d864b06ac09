//! Golden vectors of context model 1 (`specs/arith/sample_data/v1_m1_<case>.bin`, from the same
//! inputs `v1_<case>.input.npy` as model 0's): the streams decode to their inputs bit for bit
//! and the encoder still writes them byte for byte. The `.bin` files were written once by this
//! test (`UPDATE_GOLDEN=1` writes only the missing ones) and are never regenerated. A second
//! test walks each stream's payload by the spec's layout, with facts computed from the input
//! here (the raw bits' length), not by the codec.

mod common;

use ndcodecs_arith::{ArithElement, ArithModel};

fn case<T: ArithElement + npyz::Deserialize>(name: &str) {
    common::check_golden::<T>(name, ArithModel::Fast, 1);
}

#[test]
fn golden_vectors() {
    for_each_golden_case!(case);
}

fn varint(b: &[u8], p: &mut usize) -> u64 {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let x = b[*p];
        *p += 1;
        v |= u64::from(x & 0x7F) << shift;
        if x & 0x80 == 0 {
            return v;
        }
        shift += 7;
    }
}

/// The payload as the spec lays it out: 16 context tables (listed symbols ascending, each
/// table's frequencies summing to 4096, a lone symbol without one), the rANS stream's length,
/// its 16 bytes of states and whole 16-bit words, then the raw bits: `max(0, e − 2)` bits per
/// value, `e` the bit length of the zigzagged value, in whole bytes.
fn layout<T: ArithElement + npyz::Deserialize>(name: &str) {
    let (shape, values) = common::golden_input::<T>(name);
    let b = common::golden_stream(1, name);
    // header: magic, version, dtype, model, rank, LEB128 extents, CRC-32
    let mut p = 6;
    for _ in &shape {
        varint(&b, &mut p);
    }
    p += 4;
    if values.is_empty() {
        assert_eq!(p, b.len(), "{name}: no payload for no values");
        return;
    }
    for ctx in 0..16 {
        let k = usize::from(b[p]);
        p += 1;
        if k == 1 {
            p += 1;
            continue;
        }
        let mut total = 0;
        let mut last = None;
        for _ in 0..k {
            let sym = b[p];
            p += 1;
            assert!(last.is_none_or(|l| sym > l), "{name}: context {ctx} order");
            last = Some(sym);
            total += varint(&b, &mut p);
        }
        assert!(
            k == 0 || total == 4096,
            "{name}: context {ctx} sums to {total}"
        );
    }
    let rans = usize::try_from(varint(&b, &mut p)).unwrap();
    assert!(rans >= 16 && rans % 2 == 0, "{name}: rANS length {rans}");
    let raw_bits: u64 = values
        .iter()
        .map(|v| {
            let s = v.to_signed();
            let u = ((s << 1) ^ (s >> 63)) as u64;
            u64::from((64 - u.leading_zeros()).saturating_sub(2))
        })
        .sum();
    assert_eq!(
        (b.len() - p - rans) as u64,
        raw_bits.div_ceil(8),
        "{name}: raw bits"
    );
}

#[test]
fn payloads_follow_the_spec_layout() {
    for_each_golden_case!(layout);
}
