//! Golden vectors from `specs/interp_quantize/sample_data/` (made by `make_golden.py`, an
//! independent Python implementation of the specification): decoding the golden words must give
//! the golden decoded bits, and encoding the input with the plan the file names must give the
//! golden words.

use std::path::PathBuf;

use ndcodecs_interp_quantize::experimental::{Interp, Level, Plan, encode_with_plan};
use ndcodecs_interp_quantize::{InterpQuantizeCodec, InterpQuantizeConfig, Real, read_header};

fn sample_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs/interp_quantize/sample_data")
}

fn read(name: &str, suffix: &str) -> Vec<u8> {
    let path = sample_dir().join(format!("{name}.{suffix}"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn plan_of(v: &serde_json::Value) -> Plan {
    Plan {
        anchor_level: v["anchor_level"].as_u64().unwrap() as u32,
        anchor_shift: v["anchor_shift"].as_u64().unwrap() as u32,
        levels: v["levels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| Level {
                interp: if l["interp"] == "cubic" {
                    Interp::Cubic
                } else {
                    Interp::Linear
                },
                shift: l["shift"].as_u64().unwrap() as u32,
                order: std::array::from_fn(|j| l["order"][j].as_u64().unwrap() as u8),
            })
            .collect(),
    }
}

const CASES: &[&str] = &[
    "v1_f32_example",
    "v1_f32_3d_specials",
    "v1_f32_2d_land_runs",
    "v1_f64_2d_rel",
    "v1_f32_lorenzo",
    "v1_f32_6d_folded",
];

fn check_case<F: Real>(name: &str, from_le: fn(&[u8]) -> F) {
    let meta: serde_json::Value = serde_json::from_slice(&read(name, "json")).unwrap();
    let shape: Vec<usize> = serde_json::from_slice(&read(name, "shape.json")).unwrap();
    let config: InterpQuantizeConfig = serde_json::from_value(meta["config"].clone()).unwrap();
    let size = std::mem::size_of::<F>();
    let input: Vec<F> = read(name, "input.bin")
        .chunks_exact(size)
        .map(from_le)
        .collect();
    let decoded: Vec<F> = read(name, "decoded.bin")
        .chunks_exact(size)
        .map(from_le)
        .collect();
    let words: Vec<i32> = read(name, "encoded.bin")
        .chunks_exact(4)
        .map(|c| i32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let codec = InterpQuantizeCodec::try_new(config.clone()).unwrap();
    // Decoding: the golden bits.
    let (s, y) = codec.decode_slice::<F>(&words).unwrap();
    assert_eq!(s, shape, "{name}");
    assert_eq!(y.len(), decoded.len());
    for (i, (a, b)) in y.iter().zip(&decoded).enumerate() {
        assert_eq!(
            a.to_bits(),
            b.to_bits(),
            "{name}: element {i}: {a:?} vs golden {b:?}"
        );
    }
    // Encoding with the golden plan: the golden words.
    let (h, _) = read_header(&words).unwrap();
    let plan = plan_of(&meta["plan"]);
    assert_eq!(h.plan, plan, "{name}");
    let fill = config.fill_value.map(F::from_f64);
    let ours = encode_with_plan(&input, &shape, h.bound, fill, &plan).unwrap();
    assert_eq!(ours, words, "{name}");
    // And the codec's own plan round-trips within the bound.
    let w2 = codec.encode_slice(&input, &shape).unwrap();
    let (_, y2) = codec.decode_slice::<F>(&w2).unwrap();
    let (h2, _) = read_header(&w2).unwrap();
    assert_eq!(h2.bound.to_bits(), h.bound.to_bits(), "{name}: the bound");
    for (a, b) in input.iter().zip(&y2) {
        if a.is_finite() && fill.is_none_or(|f| f.to_bits() != a.to_bits()) {
            assert!((a.to_f64() - b.to_f64()).abs() <= h.bound);
        } else {
            assert_eq!(a.to_bits(), b.to_bits());
        }
    }
}

#[test]
fn golden_vectors() {
    for name in CASES {
        if name.contains("f64") {
            check_case::<f64>(name, |c| f64::from_le_bytes(c.try_into().unwrap()));
        } else {
            check_case::<f32>(name, |c| f32::from_le_bytes(c.try_into().unwrap()));
        }
    }
}
