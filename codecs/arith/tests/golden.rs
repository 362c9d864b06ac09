//! Golden vectors of format version 1 (`specs/arith/sample_data/v1_*`): the streams decode to
//! their inputs bit for bit and the encoder still writes them byte for byte. Inputs come from
//! `generate.py`; the `.bin` files were written once by this test (`UPDATE_GOLDEN=1` writes only
//! the missing ones) and are never regenerated.

mod common;

use ndcodecs_arith::{ArithElement, decode, decode_into, encode, read_header};

fn case<T: ArithElement + npyz::Deserialize>(name: &str) {
    let (shape, values) = common::golden_input::<T>(name);
    let bin = common::repo()
        .join("specs/arith/sample_data")
        .join(format!("v1_{name}.bin"));
    let encoded = encode(&values, &shape).unwrap();
    if std::env::var_os("UPDATE_GOLDEN").is_some() && !bin.exists() {
        std::fs::write(&bin, &encoded).unwrap();
    }
    let stored = std::fs::read(&bin).unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
    assert_eq!(
        encoded, stored,
        "{name}: the encoder no longer writes the golden stream"
    );
    let mut out = vec![T::default(); values.len()];
    decode_into(&stored, &shape, &mut out).unwrap();
    assert_eq!(out, values, "{name}");
    assert_eq!(decode(&stored).unwrap().shape(), &shape[..]);
    let h = read_header(&stored).unwrap();
    assert_eq!(&stored[..3], b"AR\x01");
    assert_eq!(h.shape.len(), shape.len());
}

#[test]
fn golden_vectors() {
    for_each_golden_case!(case);
}

/// Facts about the streams that do not come from this implementation: the header fields as the
/// spec lays them out, and the CRC-32 of the input computed by crc32fast independently of the
/// codec's own checksum path.
#[test]
fn header_fields_follow_the_spec() {
    let dir = common::repo().join("specs/arith/sample_data");
    let b = std::fs::read(dir.join("v1_u64_unit_axes.bin")).unwrap();
    // magic, version 1, dtype uint64 = 3, model 0, rank 5, extents 2 1 3 1 4
    assert_eq!(&b[..11], &[b'A', b'R', 1, 3, 0, 5, 2, 1, 3, 1, 4]);
    let values: Vec<u64> = (0..24u64)
        .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .collect();
    let mut covered = b[..11].to_vec();
    covered.extend(values.iter().flat_map(|v| v.to_le_bytes()));
    assert_eq!(&b[11..15], &crc32fast::hash(&covered).to_le_bytes());
    let e = std::fs::read(dir.join("v1_i8_empty.bin")).unwrap();
    // int8 = 4, rank 3, extents 3 0 2, the CRC-32 of those 9 bytes, no payload
    let prefix = [b'A', b'R', 1, 4, 0, 3, 3, 0, 2];
    assert_eq!(e[..9], prefix);
    assert_eq!(e[9..], crc32fast::hash(&prefix).to_le_bytes());
}
