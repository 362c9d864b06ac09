//! The bound on every float array of the repository's real test data (`tests/data/` at the
//! repository root), including the POP ocean temperatures whose land cells hold netCDF's
//! `_FillValue` 9.96921e36.

mod common;

use std::path::PathBuf;

use common::{assert_promise, codec, config};
use ndarray::ArrayD;
use ndcodecs_core::CodecError;
use ndcodecs_linear_quantize::{CodeDtype, FloatDtype};
use numcodecs::{AnyArray, Codec};

const NETCDF_FILL: f64 = 9.969_209_968_386_869e36;

fn load(name: &str) -> ArrayD<f32> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    assert_eq!(npy.order(), npyz::Order::C, "{name}");
    let shape: Vec<usize> = npy
        .shape()
        .iter()
        .map(|&n| usize::try_from(n).unwrap())
        .collect();
    ArrayD::from_shape_vec(shape, npy.into_vec::<f32>().unwrap()).unwrap()
}

/// (file, fill value, bounds to try in the data's units)
const FILES: &[(&str, Option<f64>, &[f64])] = &[
    (
        "climate_hadcm3_air_temperature.npy",
        None,
        &[0.5, 0.01, 0.002],
    ),
    ("climate_ncar_temperature_3d.npy", None, &[0.5, 0.01, 0.002]),
    ("climate_ncar_geopotential_height.npy", None, &[1.0, 0.1]),
    (
        "ocean_pop_temperature_with_fill.npy",
        Some(NETCDF_FILL),
        &[0.1, 0.005, 0.0005],
    ),
    ("terrain_regional_surface_height.npy", None, &[1.0, 0.25]),
    ("speech_librivox_fbank80.npy", None, &[0.1, 0.01, 0.0001]),
];

#[test]
fn every_real_array_keeps_the_bound() {
    for &(name, fill, bounds) in FILES {
        let x = load(name);
        let finite: Vec<f64> = x
            .iter()
            .map(|&v| f64::from(v))
            .filter(|&v| Some(v) != fill && v.is_finite())
            .collect();
        let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let offset = (0.5 * (lo + hi)).round();
        let input = AnyArray::F32(x.clone());
        for &e in bounds {
            for astype in [CodeDtype::Int16, CodeDtype::Int32] {
                let c = config(e, offset, fill, FloatDtype::Float32, astype);
                let codec = codec(c.clone());
                let needed = (hi - lo) / (2.0 * e * 63.0 / 64.0);
                match codec.encode(input.cow()) {
                    Ok(encoded) => {
                        let decoded = codec.decode(encoded.cow()).unwrap();
                        assert_promise(&c, &input, &decoded);
                        // The bound is used, not wasted: the largest error is close to it.
                        let max_err = x
                            .iter()
                            .zip(decoded.as_typed::<f32>().unwrap().iter())
                            .filter(|(a, _)| Some(f64::from(**a)) != fill)
                            .map(|(a, b)| (f64::from(*a) - f64::from(*b)).abs())
                            .fold(0.0, f64::max);
                        assert!(max_err > 0.9 * e, "{name} e={e}: max error {max_err}");
                    }
                    Err(err) => {
                        // Only a too-narrow code dtype may fail on these data.
                        assert_eq!(astype, CodeDtype::Int16, "{name} e={e}: {err}");
                        assert!(needed > 32_000.0, "{name} e={e}: {err}");
                        assert!(matches!(err, CodecError::OutOfRange { .. }));
                    }
                }
            }
        }
    }
}

#[test]
fn ocean_fill_values_round_trip_and_are_needed() {
    let x = load("ocean_pop_temperature_with_fill.npy");
    #[allow(clippy::cast_possible_truncation)]
    let fill32 = NETCDF_FILL as f32;
    let land = x.iter().filter(|&&v| v == fill32).count();
    assert!(land > 30_000, "{land} land cells");

    // With the fill value configured: land is bit-exact, the ocean within 0.005 K, in int16.
    let c = config(
        0.005,
        15.0,
        Some(9.96921e36),
        FloatDtype::Float32,
        CodeDtype::Int16,
    );
    let codec = codec(c.clone());
    let input = AnyArray::F32(x.clone());
    let encoded = codec.encode(input.cow()).unwrap();
    let AnyArray::I16(codes) = &encoded else {
        panic!("int16")
    };
    assert_eq!(codes.iter().filter(|&&q| q == i16::MAX - 1).count(), land);
    let decoded = codec.decode(encoded.cow()).unwrap();
    assert_promise(&c, &input, &decoded);

    // Without it, the first land cell is reported with its index and the advice.
    let c = config(0.005, 15.0, None, FloatDtype::Float32, CodeDtype::Int32);
    let err = codec_err(&c, &input);
    let first = x.iter().position(|&v| v == fill32).unwrap();
    assert!(
        err.contains(&format!("flat index {first} ")),
        "{err} (first land cell {first})"
    );
    assert!(err.contains("fill_value"), "{err}");
}

fn codec_err(c: &ndcodecs_linear_quantize::LinearQuantizeConfig, input: &AnyArray) -> String {
    codec(c.clone())
        .encode(input.cow())
        .unwrap_err()
        .to_string()
}

#[test]
fn real_arrays_as_float64_keep_the_bound() {
    for &(name, fill, _) in FILES {
        let x = load(name).mapv(f64::from);
        let input = AnyArray::F64(x);
        for (e, astype) in [(1e-6, CodeDtype::Int32), (1e-9, CodeDtype::Int64)] {
            let c = config(e, 100.0, fill, FloatDtype::Float64, astype);
            let codec = codec(c.clone());
            match codec.encode(input.cow()) {
                Ok(encoded) => assert_promise(&c, &input, &codec.decode(encoded.cow()).unwrap()),
                // int32 codes cover ±2147 units at 1e-6: the geopotential (~5000 m) and
                // terrain do not fit.
                Err(err) => {
                    assert_eq!(astype, CodeDtype::Int32, "{name}: {err}");
                    assert!(err.to_string().contains("outside int32"), "{name}: {err}");
                }
            }
        }
    }
}
