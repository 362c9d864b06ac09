//! Live cross-check with stock lilcom (PyPI 1.8.2) through the project's Python environment:
//! stock `lilcom.decompress` reads what ndcodecs writes to the same bits, ndcodecs reads what
//! stock writes to the same bits, and ndcodecs never writes more bytes than stock on the real
//! float arrays of `tests/data`.
//!
//! Skipped (with a message) when no Python with lilcom is found: set `NDCODECS_PYTHON`, or
//! create the project venv at `.venv` in the repository root.

mod common;

use std::{path::PathBuf, process::Command};

use ndcodecs_lilcom::{LilcomConfig, TickPower, decode_f32, encode};

fn python() -> Option<PathBuf> {
    let p = std::env::var_os("NDCODECS_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::repo().join(".venv/bin/python"));
    let ok = Command::new(&p)
        .args(["-c", "import lilcom, numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(p)
}

fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// name, shape, input, tick_power, whether to compare sizes
type Case = (String, Vec<usize>, Vec<f32>, i32, bool);

#[test]
fn stock_lilcom_agrees() {
    let Some(py) = python() else {
        println!("SKIPPED: no Python with lilcom and numpy (set NDCODECS_PYTHON or create .venv)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("ndcodecs-lilcom-stock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = common::repo().join("tests/data");
    let mut cases: Vec<Case> = Vec::new();
    for tp in [-5, -8] {
        let (shape, v) = common::load_npy_f32(&data.join("speech_librivox_fbank80.npy"));
        for start in (0..shape[0]).step_by(500) {
            let n = (shape[0] - start).min(500);
            cases.push((
                format!("fbank_{start}_tp{}", -tp),
                vec![n, shape[1]],
                v[start * shape[1]..(start + n) * shape[1]].to_vec(),
                tp,
                true,
            ));
        }
        for name in [
            "climate_hadcm3_air_temperature",
            "climate_ncar_temperature_3d",
            "climate_ncar_geopotential_height",
            "terrain_regional_surface_height",
            "speech_librivox_16k_int16",
        ] {
            let (shape, v) = common::load_npy_f32(&data.join(format!("{name}.npy")));
            cases.push((format!("{name}_tp{}", -tp), shape, v, tp, true));
        }
    }
    // a whole wide 2-d field in one chunk: rows of 2401 with runs of zero codes within and
    // across rows (the smooth terrain field of the benchmark, at a tick of about 1 % of its
    // range)
    let (shape, v) = common::terrain_smooth_f32();
    cases.push(("dem2d_tp5".into(), shape, v, 5, true));
    // edge cases: size-1 axes, 15 axes, tiny and wide values (sizes not compared)
    cases.push((
        "unit_axes".into(),
        vec![3, 1, 4, 1],
        (0..12).map(|i| i as f32 * 0.7).collect(),
        -6,
        false,
    ));
    cases.push((
        "fifteen_axes".into(),
        vec![2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3],
        (0..12).map(|i| (i as f32).sin()).collect(),
        -3,
        false,
    ));
    cases.push((
        "wide".into(),
        vec![6],
        vec![1e9, -1e9, 3.0, 0.0, 2e9, -2e9],
        0,
        false,
    ));
    for (name, shape, input, tp, compare) in &cases {
        let config = LilcomConfig {
            tick_power: TickPower::new(*tp).unwrap(),
            ..LilcomConfig::default()
        };
        let ours = encode(input, shape, &config).unwrap();
        let (_, decoded) = decode_f32(&ours).unwrap();
        let p = dir.join(name);
        std::fs::write(
            p.with_extension("shape.json"),
            format!(r#"{{"shape": {shape:?}, "tick_power": {tp}, "compare_size": {compare}}}"#),
        )
        .unwrap();
        std::fs::write(p.with_extension("input.f32"), f32_bytes(input)).unwrap();
        std::fs::write(p.with_extension("ours.bin"), &ours).unwrap();
        std::fs::write(p.with_extension("ours.f32"), f32_bytes(&decoded)).unwrap();
    }
    let script = common::repo().join("specs/lilcom/stock_check.py");
    let out = Command::new(&py).arg(&script).arg(&dir).output().unwrap();
    println!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "stock check failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // ndcodecs decodes stock's bytes to stock's values
    for (name, shape, _, _, _) in &cases {
        let p = dir.join(name);
        let stock = std::fs::read(p.with_extension("stock.bin")).unwrap();
        let want = std::fs::read(p.with_extension("stock.f32")).unwrap();
        let (found, got) = decode_f32(&stock).unwrap();
        assert_eq!(&found, shape, "{name}");
        assert_eq!(f32_bytes(&got), want, "{name}: decoding stock's bytes");
    }
    std::fs::remove_dir_all(&dir).ok();
}
