//! Golden vectors from `specs/linear_quantize/sample_data/` (made by `make_golden.py`, an
//! independent numpy implementation of the specification): encoding the input must give the
//! golden codes and decoding the golden codes must give the golden decoded bits.

use std::path::PathBuf;

use ndarray::ArrayD;
use ndcodecs_linear_quantize::{LinearQuantizeCodec, LinearQuantizeConfig};
use numcodecs::{AnyArray, Codec};

fn sample_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/linear_quantize/sample_data")
}

fn read(name: &str, suffix: &str) -> Vec<u8> {
    let path = sample_dir().join(format!("{name}.{suffix}"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Builds a typed array from little-endian bytes.
fn array_le(dtype: &str, shape: &[usize], bytes: &[u8]) -> AnyArray {
    macro_rules! le {
        ($t:ty, $v:ident) => {{
            let n = std::mem::size_of::<$t>();
            let values = bytes
                .chunks_exact(n)
                .map(|c| <$t>::from_le_bytes(c.try_into().unwrap()))
                .collect();
            AnyArray::$v(ArrayD::from_shape_vec(shape.to_vec(), values).unwrap())
        }};
    }
    match dtype {
        "float32" => le!(f32, F32),
        "float64" => le!(f64, F64),
        "int8" => le!(i8, I8),
        "int16" => le!(i16, I16),
        "int32" => le!(i32, I32),
        "int64" => le!(i64, I64),
        other => panic!("unknown dtype {other}"),
    }
}

/// The array's bytes in little-endian order (element by element).
fn to_le(a: &AnyArray) -> Vec<u8> {
    let ne = a.as_bytes().into_owned();
    let size = a.dtype().size();
    if cfg!(target_endian = "little") {
        ne
    } else {
        ne.chunks_exact(size)
            .flat_map(|c| c.iter().rev().copied())
            .collect()
    }
}

const CASES: &[&str] = &[
    "v0_1_0_f32_int8_example",
    "v0_1_0_f64_int16_boundaries",
    "v0_1_0_f32_int32_fill",
    "v0_1_0_f32_int32_correction",
];

#[test]
fn golden_vectors_encode_and_decode_bit_exactly() {
    for name in CASES {
        let config_json = read(name, "json");
        let config: LinearQuantizeConfig = serde_json::from_slice(&config_json).unwrap();
        let shape: Vec<usize> = serde_json::from_slice(&read(name, "shape.json")).unwrap();
        let codec = LinearQuantizeCodec::try_new(config.clone()).unwrap();
        let input = array_le(config.dtype.name(), &shape, &read(name, "input.bin"));
        let golden_codes = read(name, "encoded.bin");
        let golden_decoded = read(name, "decoded.bin");

        let encoded = codec.encode(input.cow()).unwrap();
        assert_eq!(encoded.dtype(), config.astype.to_any(), "{name}");
        assert_eq!(to_le(&encoded), golden_codes, "{name}: codes");

        let codes = array_le(config.astype.name(), &shape, &golden_codes);
        let decoded = codec.decode(codes.cow()).unwrap();
        assert_eq!(decoded.shape(), &shape[..], "{name}");
        assert_eq!(to_le(&decoded), golden_decoded, "{name}: decoded bits");
    }
}

#[test]
fn worked_example_of_the_spec() {
    // specs/linear_quantize/README.md, "Worked example".
    let codec = LinearQuantizeCodec::try_new(
        serde_json::from_str(
            r#"{"max_abs_error": 0.25, "offset": 10.0, "fill_value": -999.0,
                "dtype": "float32", "astype": "int8"}"#,
        )
        .unwrap(),
    )
    .unwrap();
    let x = ArrayD::from_shape_vec(
        vec![8],
        vec![
            10.0f32,
            10.25,
            11.0,
            -51.0,
            -999.0,
            f32::NAN,
            f32::INFINITY,
            -f32::INFINITY,
        ],
    )
    .unwrap();
    let encoded = codec.encode(AnyArray::F32(x).cow()).unwrap();
    let AnyArray::I8(codes) = &encoded else {
        panic!("int8")
    };
    assert_eq!(
        codes.as_slice().unwrap(),
        &[0, 1, 2, -124, 126, -128, 127, -126]
    );
    let AnyArray::F32(y) = codec.decode(encoded.cow()).unwrap() else {
        panic!("float32")
    };
    let too_low = AnyArray::F32(ArrayD::from_elem(vec![1], -60.0f32));
    let err = codec.encode(too_low.cow()).unwrap_err().to_string();
    assert!(err.contains("-125..=125"), "{err}");
    assert_eq!(
        &y.as_slice().unwrap()[..4],
        &[10.0, 10.492_187_5, 10.984_375, -51.031_25]
    );
}
