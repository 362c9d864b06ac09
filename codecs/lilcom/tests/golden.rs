//! Golden vectors written by stock lilcom 1.8.2 (`specs/lilcom/sample_data/generate.py`):
//! decoded bit for bit, and re-encoded with the same coefficients to the same bytes.

mod common;

use ndcodecs_lilcom::{decode_f32, decode_into, encode_with_coefficients, read_header};

const CASES: &[&str] = &[
    "1d_sine",
    "2d_fbank",
    "3d_smooth",
    "1d_zero_runs",
    "2d_wide_codes",
    "3d_trailing_unit_axis",
    "15d",
    "2d_no_regression",
    "1d_stock_overshoot",
    "1d_single",
];

fn case(name: &str) -> (Vec<u8>, Vec<usize>, Vec<f32>, Vec<f32>) {
    let dir = common::repo().join("specs/lilcom/sample_data");
    let stem = format!("v1_8_2_{name}");
    let bytes = std::fs::read(dir.join(format!("{stem}.bin"))).unwrap();
    let (shape, input) = common::load_npy_f32(&dir.join(format!("{stem}.input.npy")));
    let (dshape, decoded) = common::load_npy_f32(&dir.join(format!("{stem}.decoded.npy")));
    assert_eq!(shape, dshape);
    (bytes, shape, input, decoded)
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn golden_vectors_decode_bit_exactly() {
    for name in CASES {
        let (bytes, shape, _, stock) = case(name);
        let (found_shape, ours) = decode_f32(&bytes).unwrap();
        assert_eq!(found_shape, shape, "{name}");
        assert_eq!(bits(&ours), bits(&stock), "{name}");
        let mut out = vec![0f32; stock.len()];
        decode_into(&bytes, &shape, &mut out).unwrap();
        assert_eq!(bits(&out), bits(&stock), "{name}");
    }
}

#[test]
fn decoded_bits_are_pinned() {
    // First three and last decoded values of some vectors, as float32 bit patterns (from stock
    // lilcom 1.8.2's decompress), independent of the .npy files.
    let pinned: [(&str, [u32; 3], u32); 3] = [
        (
            "1d_sine",
            [0x3c00_0000, 0x3e78_0000, 0x3ee2_0000],
            0x4027_0000,
        ),
        (
            "2d_fbank",
            [0xc145_0000, 0xc134_a500, 0xc134_4505],
            0xc152_9f34,
        ),
        (
            "2d_wide_codes",
            [0x5880_0000, 0xce81_4000, 0xce42_4000],
            0xce56_8000,
        ),
    ];
    for (name, first, last) in pinned {
        let (bytes, _, _, _) = case(name);
        let (_, v) = decode_f32(&bytes).unwrap();
        assert_eq!(bits(&v[..3]), first, "{name}");
        assert_eq!(v.last().unwrap().to_bits(), last, "{name}");
    }
    let (bytes, _, _, _) = case("1d_sine");
    assert_eq!(read_header(&bytes).unwrap().tick_power, -8);
}

#[test]
fn same_coefficients_give_stock_bytes() {
    for name in CASES {
        let (bytes, shape, input, stock) = case(name);
        let header = read_header(&bytes).unwrap();
        let ours =
            encode_with_coefficients(&input, &shape, header.tick_power, &header.coeffs).unwrap();
        let (_, decoded) = decode_f32(&ours).unwrap();
        let bound = 2f64.powi(header.tick_power - 1);
        assert!(common::max_err(&input, &decoded) <= bound, "{name}");
        let stock_err = common::max_err(&input, &stock);
        if stock_err <= bound {
            assert_eq!(
                ours, bytes,
                "{name}: stock kept the bound, so the bytes must agree"
            );
        } else {
            // Stock lilcom exceeded its bound here; this encoder corrected the codes.
            assert_ne!(ours, bytes, "{name}");
            assert!(stock_err > bound);
        }
    }
}
