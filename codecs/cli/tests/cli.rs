//! End-to-end tests of the `ndcodecs` binary: compress → decompress round trips, error messages
//! for bad chains, and the files `report` writes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(name)
}

fn ndcodecs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ndcodecs"))
        .args(args)
        .output()
        .expect("the ndcodecs binary runs")
}

fn ok(args: &[&str]) -> Output {
    let out = ndcodecs(args);
    assert!(
        out.status.success(),
        "ndcodecs {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn read_f64(path: &Path) -> (Vec<u64>, Vec<f64>) {
    let bytes = std::fs::read(path).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let shape = npy.shape().to_vec();
    let values = match npy.dtype() {
        npyz::DType::Plain(t) if t.to_string() == "<f4" => npy
            .into_vec::<f32>()
            .unwrap()
            .into_iter()
            .map(f64::from)
            .collect(),
        npyz::DType::Plain(t) if t.to_string() == "<f8" => npy.into_vec::<f64>().unwrap(),
        other => panic!("unexpected dtype {other:?}"),
    };
    (shape, values)
}

/// dtype string, shape and element bytes of a `.npy` file.
fn npy_parts(path: &Path) -> (String, Vec<u64>, Vec<u8>) {
    let bytes = std::fs::read(path).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    let dtype = match npy.dtype() {
        npyz::DType::Plain(t) => t.to_string(),
        other => panic!("unexpected dtype {other:?}"),
    };
    let shape = npy.shape().to_vec();
    let len = npy.len() as usize * npy.dtype().num_bytes().unwrap();
    (dtype, shape, bytes[bytes.len() - len..].to_vec())
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn lossless_round_trip_is_bit_exact() {
    let dir = tempfile::tempdir().unwrap();
    for (name, chain) in [
        ("microscopy_nuclei_3d_uint16.npy", "zstd(level=3)"),
        (
            "speech_librivox_16k_int16.npy",
            "bytes | zstd(level=1) | crc32c",
        ),
        (
            "climate_ncar_temperature_3d.npy",
            r#"[{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "zstd", "configuration": {"level": 3, "checksum": true}}]"#,
        ),
    ] {
        let store = dir.path().join(format!("{name}.zarr"));
        let back = dir.path().join(format!("{name}.back.npy"));
        let input = data(name);
        ok(&[
            "compress",
            s(&input),
            s(&store),
            "--codecs",
            chain,
            "--chunks",
            &chunks_for(name),
        ]);
        assert!(store.join("zarr.json").is_file());
        ok(&["decompress", s(&store), s(&back)]);
        let (a, b) = (npy_parts(&input), npy_parts(&back));
        assert_eq!((&a.0, &a.1), (&b.0, &b.1), "{name}: dtype or shape differ");
        assert!(a.2 == b.2, "{name}: the elements differ");
    }
}

/// Writes `values` (any npyz element type) as a 2-D `.npy` of shape (rows, len / rows).
fn write_npy<T: npyz::AutoSerialize + Copy>(path: &Path, values: &[T], rows: u64) {
    write_npy_shape(path, values, &[rows, values.len() as u64 / rows]);
}

/// Writes `values` (any npyz element type) as a `.npy` of `shape` (C order).
fn write_npy_shape<T: npyz::AutoSerialize + Copy>(path: &Path, values: &[T], shape: &[u64]) {
    use npyz::WriterBuilder;
    let mut out = Vec::new();
    let mut w = npyz::WriteOptions::<T>::new()
        .default_dtype()
        .shape(shape)
        .writer(&mut out)
        .begin_nd()
        .unwrap();
    w.extend(values.iter().copied()).unwrap();
    w.finish().unwrap();
    std::fs::write(path, out).unwrap();
}

/// Asserts that `out` is a clean exit: success, or exit status 1 with an `error:` message; never
/// a panic, an abort or a signal.
fn clean_exit(out: &Output, what: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("overflowed its stack"),
        "{what}: {err}"
    );
    match out.status.code() {
        Some(0) => {}
        Some(1) => assert!(
            err.contains("error:"),
            "{what}: exit 1 without a message: {err}"
        ),
        other => panic!("{what}: exit status {other:?}: {err}"),
    }
}

/// Compresses and decompresses `values` (as a 6-row 2-D array) and checks the round trip.
fn round_trip<T: npyz::AutoSerialize + Copy>(dir: &Path, name: &str, values: &[T]) {
    let input = dir.join(format!("{name}.npy"));
    write_npy(&input, values, 6);
    let store = dir.join(format!("{name}.zarr"));
    let back = dir.join(format!("{name}.back.npy"));
    ok(&[
        "compress",
        s(&input),
        s(&store),
        "--codecs",
        "zstd(level=1)",
        "--chunks",
        "4,7",
    ]);
    ok(&["decompress", s(&store), s(&back)]);
    assert_eq!(npy_parts(&input), npy_parts(&back), "{name}");
}

#[test]
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]
fn every_integer_and_float_dtype_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let n: i32 = 60;
    round_trip(
        d,
        "u8",
        &(0..n).map(|i| (i * 7 % 256) as u8).collect::<Vec<_>>(),
    );
    round_trip(
        d,
        "i8",
        &(0..n)
            .map(|i| (i as i8).wrapping_mul(-3))
            .collect::<Vec<_>>(),
    );
    round_trip(
        d,
        "u16",
        &(0..n).map(|i| (i * 1000) as u16).collect::<Vec<_>>(),
    );
    round_trip(
        d,
        "i16",
        &(0..n).map(|i| (i as i16 - 30) * 999).collect::<Vec<_>>(),
    );
    round_trip(
        d,
        "u32",
        &(0..n).map(|i| (i as u32) << 26).collect::<Vec<_>>(),
    );
    round_trip(d, "i32", &(0..n).map(|i| i32::MIN + i).collect::<Vec<_>>());
    round_trip(
        d,
        "u64",
        &(0..n).map(|i| u64::MAX - i as u64).collect::<Vec<_>>(),
    );
    round_trip(
        d,
        "i64",
        &(0..n).map(|i| i64::MIN + i64::from(i)).collect::<Vec<_>>(),
    );
    round_trip(
        d,
        "f32",
        &(0..n).map(|i| (i as f32).sin()).collect::<Vec<_>>(),
    );
    round_trip(
        d,
        "f64",
        &(0..n).map(|i| f64::from(i).sqrt()).collect::<Vec<_>>(),
    );
}

/// Chunk shapes that do not divide the arrays, to exercise edge chunks.
fn chunks_for(name: &str) -> String {
    match name {
        "speech_librivox_16k_int16.npy" => "10000".into(),
        _ => "7,50,33".into(),
    }
}

#[test]
fn lossy_round_trip_meets_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("climate_hadcm3_air_temperature.npy");
    let (shape, original) = read_f64(&input);
    // bitround keeps 8 of float32's 23 mantissa bits: relative error at most 2^-9.
    let store = dir.path().join("bitround.zarr");
    let back = dir.path().join("bitround.npy");
    ok(&[
        "compress",
        s(&input),
        s(&store),
        "--codecs",
        "bitround(keepbits=8) | zstd",
        "--chunks",
        "100,37,49",
    ]);
    ok(&["decompress", s(&store), s(&back)]);
    let (shape2, decoded) = read_f64(&back);
    assert_eq!(shape, shape2);
    for (x, y) in original.iter().zip(&decoded) {
        assert!((x - y).abs() <= x.abs() * 2f64.powi(-9), "{x} -> {y}");
    }
    assert!(original != decoded, "bitround changed nothing");
}

#[test]
fn our_lossy_chain_meets_its_bound() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "climate_ncar_temperature_3d.npy",
            0.05,
            "linear_quantize(max_abs_error=0.05) | spatial_delta(axis=[0,1,2]) | zstd(level=3)",
            "5,40,64",
        ),
        (
            "terrain_regional_surface_height.npy",
            2.0,
            "linear_quantize(max_abs_error=2) | spatial_delta(axis=[0,1]) | zstd(level=3)",
            "100,128",
        ),
        // Shards of 128 x 128 holding 32 x 64 inner chunks, the inner chain given readably.
        (
            "terrain_regional_surface_height.npy",
            1.0,
            r#"sharding_indexed(chunk_shape=[32,64], codecs="linear_quantize(max_abs_error=1) | spatial_delta(axis=[0,1]) | zstd")"#,
            "128,128",
        ),
    ];
    for (i, (name, bound, chain, chunks)) in cases.into_iter().enumerate() {
        let input = data(name);
        let (shape, original) = read_f64(&input);
        let store = dir.path().join(format!("{i}.zarr"));
        let back = dir.path().join(format!("{i}.back.npy"));
        ok(&[
            "compress",
            s(&input),
            s(&store),
            "--codecs",
            chain,
            "--chunks",
            chunks,
        ]);
        let meta = std::fs::read_to_string(store.join("zarr.json")).unwrap();
        assert!(
            meta.contains("ndcodecs.linear_quantize") && meta.contains("ndcodecs.spatial_delta")
        );
        ok(&["decompress", s(&store), s(&back)]);
        let (shape2, decoded) = read_f64(&back);
        assert_eq!(shape, shape2);
        let max = original
            .iter()
            .zip(&decoded)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        assert!(max <= bound, "{chain}: max error {max} > {bound}");
        assert!(max > bound / 4.0, "{chain}: suspiciously exact ({max})");
    }
}

#[test]
fn a_chain_that_cannot_encode_leaves_no_store() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("photo_camera_gray.npy");
    let store = dir.path().join("a.zarr");
    // linear_quantize is configured for float32; the photo is uint8.
    let out = ndcodecs(&[
        "compress",
        s(&input),
        s(&store),
        "--codecs",
        "linear_quantize(max_abs_error=0.5) | zstd",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("uint8"));
    assert!(!store.exists());
}

#[test]
fn refuses_to_overwrite_without_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("photo_camera_gray.npy");
    let store = dir.path().join("a.zarr");
    ok(&["compress", s(&input), s(&store), "--codecs", "zstd"]);
    let out = ndcodecs(&["compress", s(&input), s(&store), "--codecs", "zstd"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--overwrite"));
    ok(&[
        "compress",
        s(&input),
        s(&store),
        "--codecs",
        "zstd",
        "--overwrite",
    ]);
}

#[test]
fn bad_chain_error_points_at_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("photo_camera_gray.npy");
    let store = dir.path().join("a.zarr");
    let cases = [
        // unknown codec
        ("bytes | zsdt(level=5)", "          ^^^^\n"),
        // missing `=`
        ("zstd(level 5)", "             ^\n"),
        // bytes→bytes before array→bytes
        ("zstd | bytes", "         ^^^^^\n"),
        // JSON syntax
        (r#"[{"name": "zstd",, }]"#, "                   ^\n"),
    ];
    for (spec, caret) in cases {
        let out = ndcodecs(&["compress", s(&input), s(&store), "--codecs", spec]);
        assert!(!out.status.success(), "{spec} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("  {spec}\n{caret}")),
            "{spec}: caret not under the token:\n{err}"
        );
        assert!(!store.exists(), "a store was created for a bad chain");
    }
}

#[test]
fn report_writes_markdown_csv_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("speech_librivox_fbank80.npy");
    let out_dir = dir.path().join("rep");
    let out = ok(&[
        "report",
        s(&input),
        "--codecs",
        "zstd(level=3)",
        "--codecs",
        "bitround(keepbits=6) | zstd",
        "--out",
        s(&out_dir),
        "--repeat",
        "1",
        "--format",
        "csv",
    ]);
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    let csv = std::fs::read_to_string(out_dir.join("report.csv")).unwrap();
    assert_eq!(stdout, csv);
    assert!(csv.starts_with("chain,bound,raw_bytes,compressed_bytes,ratio,bits_per_value,"));
    let rows = report_csv(&out);
    assert_eq!(rows.len(), 2);
    // The lossless chain is exact and compresses.
    assert_eq!(rows[0]["chain"], "zstd(level=3)");
    assert_eq!(rows[0]["max_abs_error"], "0");
    assert_eq!(rows[0]["psnr_db"], "inf");
    assert!(rows[0]["ratio"].parse::<f64>().unwrap() > 1.0);
    let bpv: f64 = rows[0]["bits_per_value"].parse().unwrap();
    let ratio: f64 = rows[0]["ratio"].parse().unwrap();
    assert!(
        (bpv * ratio - 32.0).abs() < 1e-9,
        "float32: bits per value = 32 / ratio"
    );
    let md = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    assert!(md.contains("| `bitround(keepbits=6) \\| zstd` |"), "{md}");
    assert!(md.contains("(errors.png)"), "{md}");
    for png in ["report.png", "errors.png"] {
        let bytes = std::fs::read(out_dir.join(png)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    }
}

#[test]
fn report_runs_on_the_embedded_array() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("rep");
    let out = ok(&["report", "--out", s(&out_dir), "--repeat", "1"]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("embedded"), "{table}");
    assert!(table.contains("zstd(level=5)"), "{table}");
    for f in ["report.md", "report.csv", "report.png"] {
        assert!(out_dir.join(f).is_file(), "{f} missing");
    }
}

#[test]
fn deeply_nested_chains_are_an_error_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("photo_camera_gray.npy");
    let store = dir.path().join("a.zarr");
    let n = 20_000;
    for spec in [
        format!("zstd(level={}{})", "[".repeat(n), "]".repeat(n)),
        format!("zstd(level={{{}", "a: {".repeat(n)),
        "[".repeat(n),
    ] {
        for command in ["compress", "report"] {
            let out = if command == "compress" {
                ndcodecs(&["compress", s(&input), s(&store), "--codecs", &spec])
            } else {
                let rep = dir.path().join("rep");
                ndcodecs(&["report", s(&input), "--codecs", &spec, "--out", s(&rep)])
            };
            clean_exit(&out, command);
            assert_eq!(out.status.code(), Some(1));
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("invalid codec chain"),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn arrays_of_33_to_64_dimensions_give_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for rank in [33_usize, 40, 64] {
        // Six axes of 2, the rest of 1, the long axes first or last.
        for (name, shape) in [
            (
                "lead",
                (0..rank)
                    .map(|i| if i < 6 { 2 } else { 1 })
                    .collect::<Vec<u64>>(),
            ),
            (
                "tail",
                (0..rank)
                    .map(|i| if i + 6 >= rank { 2 } else { 1 })
                    .collect(),
            ),
        ] {
            let f32_in = d.join(format!("f{rank}{name}.npy"));
            let i16_in = d.join(format!("i{rank}{name}.npy"));
            let values: Vec<f32> = (0..64u8).map(|i| f32::from(i) * 0.37).collect();
            write_npy_shape(&f32_in, &values, &shape);
            let ints: Vec<i16> = (0..64).collect();
            write_npy_shape(&i16_in, &ints, &shape);
            for (input, chain) in [
                (
                    &f32_in,
                    "linear_quantize(max_abs_error=0.1) | spatial_delta | zstd",
                ),
                (&f32_in, "lilcom(tick_power=-4)"),
                (&f32_in, "bitround(keepbits=4) | pcodec"),
                (
                    &i16_in,
                    "spatial_delta(axis=[0, 1, 2]) | lilcom(tick_power=0) | crc32c",
                ),
                (
                    &i16_in,
                    "sharding_indexed(chunk_shape=[1], codecs=\"zstd\")",
                ),
                (&i16_in, "transpose(order=[1, 0]) | blosc"),
            ] {
                let store = d.join("s.zarr");
                let back = d.join("back.npy");
                let what = format!("rank {rank} {name}: {chain}");
                let out = ndcodecs(&[
                    "compress",
                    s(input),
                    s(&store),
                    "--codecs",
                    chain,
                    "--overwrite",
                ]);
                clean_exit(&out, &what);
                if out.status.success() {
                    let out = ndcodecs(&["decompress", s(&store), s(&back), "--overwrite"]);
                    clean_exit(&out, &what);
                }
                let rep = d.join("rep");
                let out = ndcodecs(&[
                    "report",
                    s(input),
                    "--codecs",
                    chain,
                    "--out",
                    s(&rep),
                    "--repeat",
                    "1",
                ]);
                clean_exit(&out, &what);
            }
            let rep = d.join("rep");
            let out = ndcodecs(&["report", s(&f32_in), "--out", s(&rep), "--repeat", "1"]);
            clean_exit(&out, &format!("rank {rank} {name}: default report"));
        }
    }
    // 0-d arrays: refused with a message.
    let scalar = d.join("scalar.npy");
    write_npy_shape(&scalar, &[1.5f32], &[]);
    let store = d.join("scalar.zarr");
    let out = ndcodecs(&["compress", s(&scalar), s(&store), "--codecs", "zstd"]);
    clean_exit(&out, "0-d compress");
    assert!(!out.status.success() && !store.exists());
    let rep = d.join("rep");
    clean_exit(
        &ndcodecs(&["report", s(&scalar), "--out", s(&rep)]),
        "0-d report",
    );
}

/// Every file under `dir` with its contents, to compare before and after a command.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        if d.is_file() {
            out.push((d.clone(), std::fs::read(&d).unwrap()));
            continue;
        }
        for e in std::fs::read_dir(&d).unwrap() {
            todo.push(e.unwrap().path());
        }
    }
    out.sort();
    out
}

#[test]
fn overwrite_replaces_only_zarr_stores() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = data("photo_camera_gray.npy");
    let compress = |out: &Path, extra: &[&str]| {
        let mut args = vec!["compress", s(&input), s(out), "--codecs", "zstd(level=1)"];
        args.extend_from_slice(extra);
        ndcodecs(&args)
    };
    // A directory holding other files, and a regular file: refused, with or without the flag.
    let project = d.join("project");
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::write(project.join("notes.txt"), "keep me").unwrap();
    std::fs::write(project.join("src/main.rs"), "fn main() {}").unwrap();
    let file = d.join("thesis.tex");
    std::fs::write(&file, "keep me too").unwrap();
    // A zarr store someone added a file to.
    let store = d.join("a.zarr");
    ok(&[
        "compress",
        s(&input),
        s(&store),
        "--codecs",
        "zstd(level=1)",
    ]);
    std::fs::write(store.join("c").join("README"), "mine").unwrap();
    for target in [&project, &file, &store] {
        let before = snapshot(target);
        for flags in [&[][..], &["--overwrite"][..]] {
            let out = compress(target, flags);
            assert!(!out.status.success(), "{} was replaced", target.display());
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("refusing to replace"), "{err}");
            assert_eq!(snapshot(target), before, "{} changed", target.display());
        }
    }
    // A store the command wrote: refused without the flag, replaced with it.
    std::fs::remove_file(store.join("c").join("README")).unwrap();
    let out = compress(&store, &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--overwrite"));
    let out = compress(&store, &["--overwrite"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A chain that fails on this array leaves the old store as it was.
    let before = snapshot(&store);
    let out = ndcodecs(&[
        "compress",
        s(&input),
        s(&store),
        "--codecs",
        "linear_quantize(max_abs_error=0.5) | zstd",
        "--overwrite",
    ]);
    assert!(!out.status.success());
    assert_eq!(snapshot(&store), before);
    // Nothing else was left in the directory (no temporary store).
    let mut names: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["a.zarr", "project", "thesis.tex"]);
}

#[test]
fn decompress_replaces_only_npy_files_and_only_with_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = data("photo_camera_gray.npy");
    let store = d.join("a.zarr");
    ok(&[
        "compress",
        s(&input),
        s(&store),
        "--codecs",
        "zstd(level=1)",
    ]);
    // An existing .npy is not replaced silently.
    let out_npy = d.join("old.npy");
    std::fs::copy(data("speech_librivox_fbank80.npy"), &out_npy).unwrap();
    let before = std::fs::read(&out_npy).unwrap();
    let out = ndcodecs(&["decompress", s(&store), s(&out_npy)]);
    assert!(!out.status.success(), "an existing file was replaced");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--overwrite"));
    assert_eq!(std::fs::read(&out_npy).unwrap(), before);
    ok(&["decompress", s(&store), s(&out_npy), "--overwrite"]);
    assert_eq!(npy_parts(&out_npy), npy_parts(&input));
    // A file that is not a .npy, and a directory: never replaced.
    let text = d.join("notes.txt");
    std::fs::write(&text, "keep me").unwrap();
    let sub = d.join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("x"), "keep").unwrap();
    for target in [&text, &sub] {
        let before = snapshot(target);
        let out = ndcodecs(&["decompress", s(&store), s(target), "--overwrite"]);
        assert!(!out.status.success(), "{} was replaced", target.display());
        assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to replace"));
        assert_eq!(snapshot(target), before);
    }
}

/// A copy of the zarr store `store` at `to` whose metadata declares `shape` and `chunk_shape`.
fn with_shape(store: &Path, to: &Path, shape: &[u64], chunk_shape: &[u64]) {
    let text = std::fs::read_to_string(store.join("zarr.json")).unwrap();
    let mut meta: serde_json::Value = serde_json::from_str(&text).unwrap();
    meta["shape"] = serde_json::json!(shape);
    meta["chunk_grid"]["configuration"]["chunk_shape"] = serde_json::json!(chunk_shape);
    std::fs::create_dir_all(to).unwrap();
    std::fs::write(to.join("zarr.json"), meta.to_string()).unwrap();
}

#[test]
fn decompress_checks_declared_sizes_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = data("photo_camera_gray.npy");
    let store = d.join("a.zarr");
    ok(&[
        "compress",
        s(&input),
        s(&store),
        "--codecs",
        "zstd(level=1)",
        "--chunks",
        "64,512",
    ]);
    let big = 1u64 << 62;
    for (i, (shape, chunks, expect)) in [
        // The element count wraps around 2^64.
        (vec![big, big], vec![big, big], "more than 2^64 bytes"),
        (vec![u64::MAX], vec![big], "memory limit"),
        (vec![u64::MAX], vec![u64::MAX], "memory limit"),
        // 8 GiB in one chunk: over the default limit of 4 GiB.
        (vec![1 << 33], vec![1 << 33], "memory limit"),
        (vec![2, 1 << 40], vec![1, 1 << 20], "memory limit"),
    ]
    .into_iter()
    .enumerate()
    {
        let bad = d.join(format!("bad{i}.zarr"));
        with_shape(&store, &bad, &shape, &chunks);
        let back = d.join(format!("bad{i}.npy"));
        let out = ndcodecs(&["decompress", s(&bad), s(&back)]);
        clean_exit(&out, &format!("{shape:?}"));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(expect),
            "{shape:?}: {err}"
        );
        assert!(!back.exists(), "{shape:?}: an output was left behind");
    }
    // The limit is configurable: 20 kB is less than a row of 64 x 512 chunks (32 KiB), 100 kB
    // holds three rows; both are below the 256 KiB array, decoded in slabs.
    let back = d.join("back.npy");
    let out = ndcodecs(&["decompress", s(&store), s(&back), "--memory-limit", "20kB"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("memory limit 19.5 KiB"));
    ok(&["decompress", s(&store), s(&back), "--memory-limit", "100kB"]);
    assert_eq!(npy_parts(&back), npy_parts(&input));
    let out = ndcodecs(&["decompress", s(&store), s(&back), "--memory-limit", "lots"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The chunk shape in a store's zarr.json.
fn chunk_shape(store: &Path) -> Vec<u64> {
    let text = std::fs::read_to_string(store.join("zarr.json")).unwrap();
    let meta: serde_json::Value = serde_json::from_str(&text).unwrap();
    serde_json::from_value(meta["chunk_grid"]["configuration"]["chunk_shape"].clone()).unwrap()
}

#[test]
#[allow(clippy::cast_precision_loss)]
fn default_chunks_keep_the_last_axis_whole_and_hold_1_to_8_mib() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mib = 1 << 20;
    // (time, y, x) float32, 24 MB; a long 1-d float32 signal, 12 MB; a small image, one chunk.
    for (shape, expect_last) in [
        (vec![12_u64, 500, 1000], 1000),
        (vec![3_000_000], 1_000_000),
        (vec![300, 400], 400),
    ] {
        let n: u64 = shape.iter().product();
        let values: Vec<f32> = (0..n).map(|i| (i % 977) as f32).collect();
        let input = d.join("in.npy");
        write_npy_shape(&input, &values, &shape);
        let store = d.join("out.zarr");
        ok(&[
            "compress",
            s(&input),
            s(&store),
            "--codecs",
            "bytes",
            "--overwrite",
        ]);
        let chunks = chunk_shape(&store);
        let bytes = chunks.iter().product::<u64>() * 4;
        assert_eq!(
            *chunks.last().unwrap(),
            expect_last,
            "{shape:?}: {chunks:?}"
        );
        assert!(
            bytes <= 8 * mib && bytes >= mib.min(n * 4),
            "{shape:?}: {chunks:?}"
        );
    }
}

/// The configuration of the first codec named `name` in a store's zarr.json (at `array`).
fn codec_config(store: &Path, name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(store.join("zarr.json")).unwrap();
    let meta: serde_json::Value = serde_json::from_str(&text).unwrap();
    meta["codecs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {text}"))["configuration"]
        .clone()
}

/// PSNR in dB of `decoded` against `original` over the elements `keep` selects, the peak being
/// their value range: computed here independently of the program.
fn psnr(original: &[f64], decoded: &[f64], keep: impl Fn(f64) -> bool) -> f64 {
    let (mut lo, mut hi, mut sq, mut n) = (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0.0);
    for (&x, &y) in original.iter().zip(decoded) {
        if keep(x) {
            lo = lo.min(x);
            hi = hi.max(x);
            sq += (x - y) * (x - y);
            n += 1.0;
        }
    }
    20.0 * (hi - lo).log10() - 10.0 * (sq / n).log10()
}

/// Parsed `report --format csv` rows: chain, bound, ratio, max_abs_error, psnr_db, fill_changed.
fn report_csv(out: &Output) -> Vec<std::collections::HashMap<String, String>> {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let mut reader = text.lines();
    let header: Vec<String> = reader
        .next()
        .unwrap()
        .split(',')
        .map(String::from)
        .collect();
    reader
        .map(|line| {
            // The chain (first field) may be quoted and hold commas.
            let (chain, rest) = if let Some(stripped) = line.strip_prefix('"') {
                let end = stripped.find("\",").unwrap();
                (stripped[..end].replace("\"\"", "\""), &stripped[end + 2..])
            } else {
                let end = line.find(',').unwrap();
                (line[..end].to_string(), &line[end + 1..])
            };
            let mut row: std::collections::HashMap<String, String> = header[1..]
                .iter()
                .cloned()
                .zip(rest.split(',').map(String::from))
                .collect();
            row.insert("chain".into(), chain);
            row
        })
        .collect()
}

#[test]
fn report_fill_value_is_compared_in_the_arrays_dtype_and_reaches_the_default_chains() {
    let dir = tempfile::tempdir().unwrap();
    // The ocean temperatures with land marked 1e20 (as float32: 1.00000002e20, whose low mantissa
    // bits are set), the case where comparing in float64 missed every land cell.
    let (shape, ocean) = read_f64(&data("ocean_pop_temperature_with_fill.npy"));
    let land_value = f64::from(9.96921e36f32);
    let values: Vec<f32> = ocean
        .iter()
        .map(|&x| if x == land_value { 1e20 } else { x as f32 })
        .collect();
    let input = dir.path().join("ocean_1e20.npy");
    write_npy_shape(&input, &values, &shape);
    let land = values.iter().filter(|&&x| x == 1e20).count();
    assert!(land > 10_000, "the test data have land");
    let sea: Vec<f64> = values
        .iter()
        .filter(|&&x| x != 1e20)
        .map(|&x| f64::from(x))
        .collect();
    let range =
        sea.iter().copied().fold(f64::MIN, f64::max) - sea.iter().copied().fold(f64::MAX, f64::min);
    let out_dir = dir.path().join("rep");
    let out = ok(&[
        "report",
        s(&input),
        "--fill-value",
        "1e20",
        "--out",
        s(&out_dir),
        "--repeat",
        "1",
        "--format",
        "csv",
    ]);
    let rows = report_csv(&out);
    let lossy: Vec<_> = rows
        .iter()
        .filter(|r| r["chain"].starts_with("linear_quantize"))
        .collect();
    // The default linear_quantize chains (three bounds, each ending in zstd and in arith) are
    // measured, not skipped, with the fill value.
    assert_eq!(lossy.len(), 6, "{rows:?}");
    assert_eq!(
        lossy
            .iter()
            .filter(|r| r["chain"].ends_with("| arith"))
            .count(),
        3,
        "{rows:?}"
    );
    for r in &rows {
        let max_err: f64 = r["max_abs_error"].parse().unwrap();
        let psnr: f64 = r["psnr_db"].parse().unwrap();
        let rel: f64 = r["max_rel_error"].parse().unwrap();
        // Errors measured over the sea only: never the 1e20 of a fill value read as data.
        assert!(max_err < range / 50.0, "{r:?}");
        assert!(
            (rel - max_err / range).abs() <= 1e-9 * rel.max(1e-300),
            "{r:?}"
        );
        assert!(psnr.is_infinite() || psnr < 120.0, "{r:?}");
        assert_eq!(r["fill_changed"], "0", "{r:?}");
    }
    for r in lossy {
        assert!(r["chain"].contains("fill_value=1e20"), "{r:?}");
        let bound: f64 = r["bound"].parse().unwrap();
        assert!(r["max_abs_error"].parse::<f64>().unwrap() <= bound);
    }
    // A chain the user gives gets the fill value too, and one that loses it is counted.
    let out = ok(&[
        "report",
        s(&input),
        "--fill-value",
        "1e20",
        "--out",
        s(&out_dir),
        "--repeat",
        "1",
        "--format",
        "csv",
        "--codecs",
        "linear_quantize(max_abs_error=0.01) | zstd",
        "--codecs",
        "bitround(keepbits=3) | zstd",
    ]);
    let rows = report_csv(&out);
    assert_eq!(rows[0]["fill_changed"], "0");
    assert_eq!(
        rows[1]["fill_changed"],
        land.to_string(),
        "bitround rounds the fill value"
    );
    // An integer array: the fill value must be an integer of its dtype.
    let photo = data("photo_camera_gray.npy");
    let out = ndcodecs(&[
        "report",
        s(&photo),
        "--fill-value",
        "300",
        "--out",
        s(&out_dir),
    ]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("outside the range of the array's uint8")
    );
}

#[test]
#[allow(clippy::cast_precision_loss)]
fn relative_bounds_and_psnr_targets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = data("climate_ncar_temperature_3d.npy");
    let (_, original) = read_f64(&input);
    let range = original.iter().copied().fold(f64::MIN, f64::max)
        - original.iter().copied().fold(f64::MAX, f64::min);
    // REL: max_rel_error becomes the max_abs_error stored in the metadata. interp_quantize's
    // REL bound is the whole array's too, not each chunk's (the codec alone would take each
    // chunk's range): in chunks of 4 levels, most chunks span less than the whole range, and a
    // per-chunk bound would stay `max_rel_error` in the metadata.
    let back = d.join("rel.npy");
    for (name, chain, chunks) in [
        (
            "linear_quantize",
            "linear_quantize(max_rel_error=1e-3) | spatial_delta(axis=[0,1,2]) | zstd",
            "17,96,192",
        ),
        (
            "interp_quantize",
            "interp_quantize(max_rel_error=1e-3) | arith",
            "4,96,192",
        ),
    ] {
        let store = d.join(format!("rel_{name}.zarr"));
        ok(&[
            "compress",
            s(&input),
            s(&store),
            "--codecs",
            chain,
            "--chunks",
            chunks,
        ]);
        let cfg = codec_config(&store, &format!("ndcodecs.{name}"));
        assert_eq!(
            cfg["max_abs_error"].as_f64().unwrap(),
            1e-3 * range,
            "{cfg}"
        );
        assert!(cfg.get("max_rel_error").is_none());
        ok(&["decompress", s(&store), s(&back), "--overwrite"]);
        let (_, decoded) = read_f64(&back);
        let worst = original
            .iter()
            .zip(&decoded)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        assert!(
            worst <= 1e-3 * range && worst > 0.5e-3 * range,
            "{name}: {worst}"
        );
    }
    // PSNR target: the stored bound meets it, and a bound 5 % larger does not.
    let target = 60.0;
    let store = d.join("psnr.zarr");
    let out = ok(&[
        "compress",
        s(&input),
        s(&store),
        "--psnr",
        "60",
        "--codecs",
        "linear_quantize | spatial_delta(axis=[0,1,2]) | zstd",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("[PSNR ≥ 60 dB]"));
    let bound = codec_config(&store, "ndcodecs.linear_quantize")["max_abs_error"]
        .as_f64()
        .unwrap();
    ok(&["decompress", s(&store), s(&back), "--overwrite"]);
    let (_, decoded) = read_f64(&back);
    let achieved = psnr(&original, &decoded, |_| true);
    assert!(
        achieved >= target && achieved < target + 1.0,
        "{achieved} dB at {bound}"
    );
    let larger = format!("linear_quantize(max_abs_error={}) | zstd", bound * 1.05);
    let store = d.join("larger.zarr");
    ok(&["compress", s(&input), s(&store), "--codecs", &larger]);
    ok(&["decompress", s(&store), s(&back), "--overwrite"]);
    let (_, decoded) = read_f64(&back);
    assert!(
        psnr(&original, &decoded, |_| true) < target,
        "a 5 % larger bound meets it too"
    );
    // lilcom: the largest tick meeting the target.
    let store = d.join("lilcom.zarr");
    ok(&[
        "compress",
        s(&input),
        s(&store),
        "--psnr",
        "60",
        "--codecs",
        "lilcom",
    ]);
    let tp = codec_config(&store, "ndcodecs.lilcom")["tick_power"]
        .as_i64()
        .unwrap();
    ok(&["decompress", s(&store), s(&back), "--overwrite"]);
    let (_, decoded) = read_f64(&back);
    assert!(psnr(&original, &decoded, |_| true) >= target);
    let store = d.join("lilcom1.zarr");
    ok(&[
        "compress",
        s(&input),
        s(&store),
        "--codecs",
        &format!("lilcom(tick_power={})", tp + 1),
    ]);
    ok(&["decompress", s(&store), s(&back), "--overwrite"]);
    let (_, decoded) = read_f64(&back);
    assert!(psnr(&original, &decoded, |_| true) < target);
    // Report: the default chains take the target; every lossy row meets it.
    let out = ok(&[
        "report",
        s(&input),
        "--psnr",
        "60",
        "--out",
        s(&d.join("rep")),
        "--repeat",
        "1",
        "--format",
        "csv",
    ]);
    let rows = report_csv(&out);
    let tuned: Vec<_> = rows
        .iter()
        .filter(|r| r["chain"].contains("[PSNR ≥ 60 dB]"))
        .collect();
    // linear_quantize → spatial_delta ending in zstd and in arith, and lilcom.
    assert_eq!(tuned.len(), 3, "{rows:?}");
    for r in tuned {
        assert!(r["psnr_db"].parse::<f64>().unwrap() >= 60.0, "{r:?}");
    }
    // Errors: no open bound for --psnr; both bounds; a bound missing without --psnr.
    for (chain, psnr, expect) in [
        ("zstd", Some("60"), "has none"),
        (
            "linear_quantize(max_abs_error=1, max_rel_error=1e-3) | zstd",
            None,
            "not both",
        ),
        ("linear_quantize | zstd", None, "needs a bound"),
    ] {
        let store = d.join("bad.zarr");
        let mut args = vec!["compress", s(&input), s(&store), "--codecs", chain];
        if let Some(p) = psnr {
            args.extend(["--psnr", p]);
        }
        let out = ndcodecs(&args);
        assert!(!out.status.success() && !store.exists());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect), "{chain}: {err}");
    }
}

/// Bytes of the files under `dir` other than zarr.json.
fn chunk_bytes(dir: &Path) -> u64 {
    snapshot(dir)
        .iter()
        .filter(|(p, _)| p.file_name().unwrap() != "zarr.json")
        .map(|(_, b)| b.len() as u64)
        .sum()
}

#[test]
#[allow(clippy::cast_precision_loss)]
fn report_gives_bias_nrmse_lag1_and_bits_per_value_and_draws_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = data("climate_ncar_temperature_3d.npy");
    let chain = "linear_quantize(max_abs_error=0.5) | spatial_delta(axis=[0,1,2]) | zstd";
    let out_dir = d.join("rep");
    let out = ok(&[
        "report",
        s(&input),
        "--codecs",
        chain,
        "--out",
        s(&out_dir),
        "--repeat",
        "1",
        "--format",
        "csv",
    ]);
    let row = &report_csv(&out)[0];
    let get = |k: &str| row[k].parse::<f64>().unwrap();
    // The same chain through compress and decompress, measured here.
    let store = d.join("t.zarr");
    let back = d.join("t.npy");
    ok(&["compress", s(&input), s(&store), "--codecs", chain]);
    ok(&["decompress", s(&store), s(&back)]);
    let (shape, x) = read_f64(&input);
    let (_, y) = read_f64(&back);
    let n = x.len() as f64;
    let e: Vec<f64> = x.iter().zip(&y).map(|(a, b)| b - a).collect();
    let bias = e.iter().sum::<f64>() / n;
    let rmse = (e.iter().map(|v| v * v).sum::<f64>() / n).sqrt();
    let range =
        x.iter().copied().fold(f64::MIN, f64::max) - x.iter().copied().fold(f64::MAX, f64::min);
    let row_len = *shape.last().unwrap() as usize;
    let (mut cross, mut pairs) = (0.0, 0.0);
    for r in e.chunks(row_len) {
        for w in r.windows(2) {
            cross += (w[0] - bias) * (w[1] - bias);
            pairs += 1.0;
        }
    }
    let var = e.iter().map(|v| (v - bias) * (v - bias)).sum::<f64>() / n;
    let lag1 = cross / pairs / var;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-12);
    assert!(close(get("bias"), bias), "bias {} vs {bias}", get("bias"));
    assert!(close(get("rmse"), rmse), "rmse {} vs {rmse}", get("rmse"));
    assert!(close(get("nrmse"), rmse / range));
    assert!(
        close(get("lag1_autocorrelation"), lag1),
        "{} vs {lag1}",
        get("lag1_autocorrelation")
    );
    assert!(
        lag1 > 0.05,
        "a coarse bound on a smooth field leaves correlated errors: {lag1}"
    );
    let bits = 8.0 * chunk_bytes(&store) as f64 / n;
    assert!(
        close(get("bits_per_value"), bits),
        "{} vs {bits}",
        get("bits_per_value")
    );
    // The charts: report.png, and errors.png for the lossy chain.
    for png in ["report.png", "errors.png"] {
        let bytes = std::fs::read(out_dir.join(png)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{png}");
    }
    let md = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    for word in ["bias", "NRMSE", "lag-1", "bits / value", "errors.png"] {
        assert!(md.contains(word), "{word} missing from report.md");
    }
}

#[test]
fn crc32_in_a_v3_chain_gets_a_note_recommending_crc32c() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("photo_camera_gray.npy");
    let out = ok(&[
        "compress",
        s(&input),
        s(&dir.path().join("a.zarr")),
        "--codecs",
        "zstd | crc32",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("note:") && err.contains("`crc32c`"), "{err}");
    let out = ok(&[
        "compress",
        s(&input),
        s(&dir.path().join("b.zarr")),
        "--codecs",
        "zstd | crc32c",
    ]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("note:"));
}

/// `arith(model=fast)`, `arith(model=fast_lanes)` and `arith(model=fast_lanes16)` in a chain:
/// the configuration stores the model, the chunk's stream names model 1, 2 or 3 in its header
/// (byte 4, `specs/arith/README.md`), and the store reads back within the bound.
#[test]
fn arith_fast_model_in_a_chain() {
    for (model, id) in [("fast", 1u8), ("fast_lanes", 2), ("fast_lanes16", 3)] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let input = data("climate_ncar_temperature_3d.npy");
        let (_, original) = read_f64(&input);
        let store = d.join("fast.zarr");
        let back = d.join("fast.npy");
        let chain = format!(
            "linear_quantize(max_abs_error=0.05) | spatial_delta(axis=[1,2]) | arith(model={model})"
        );
        ok(&["compress", s(&input), s(&store), "--codecs", &chain]);
        assert_eq!(codec_config(&store, "ndcodecs.arith")["model"], model);
        let chunk = std::fs::read(store.join("c/0/0/0")).unwrap();
        assert_eq!(&chunk[..3], b"AR\x01");
        assert_eq!(chunk[4], id, "model id of the stream");
        ok(&["decompress", s(&store), s(&back)]);
        let (_, decoded) = read_f64(&back);
        let worst = original
            .iter()
            .zip(&decoded)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        assert!(worst <= 0.05 && worst > 0.025, "{model}: {worst}");
    }
}
