//! Decoding under an address-space limit: a decoder whose working memory cannot be had returns
//! `CodecError::OutOfMemory` instead of aborting the process.
//!
//! Each case runs in a child process (this test binary again, one test, an environment variable
//! telling it to) so that an abort fails the test instead of ending the run. The child warms up
//! (rayon's pool, the model tables), allocates and touches the caller's output, then limits its
//! own address space (`RLIMIT_AS`, set with util-linux's `prlimit` on its own pid: the workspace
//! forbids `unsafe`, and so a direct `setrlimit`) to what it uses plus a margin far below the
//! decoder's working memory, and decodes through the registry's `decode_into_raw`: the path the
//! Python plugin takes with `out=`. Linux only (`/proc/self/status`, `prlimit`).

#![cfg(target_os = "linux")]

use std::process::Command;

use ndcodecs_registry::{DynCodec, find};
use numcodecs::AnyArrayDType;
use serde_json::json;

const CHILD: &str = "NDCODECS_MEMORY_LIMIT_CHILD";
/// Address space the child may use beyond what it holds when it sets the limit.
const MARGIN: u64 = 128 << 20;
/// Side of the constant image the chunks declare: 2^28 samples, the most a chunk may declare
/// even without an expected shape; the decoders' `int32` planes need 1 GiB each.
const SIDE: u32 = 1 << 14;

/// A well-formed `pixel_mlp` chunk of a constant `side` x `side` grey `uint8` image, written
/// field by field from `specs/pixel_mlp/README.md`: value range 0..=0, so no sample costs a bit
/// and its one stream is empty (the CRC-32 is not the samples': decoding fails before it counts).
fn pixel_mlp_chunk(side: u32) -> Vec<u8> {
    let mut c = b"NDPX".to_vec();
    c.extend([1, 0, 0, 0]); // version 1, layout image, uint8, reserved
    c.extend(2u32.to_le_bytes()); // model id
    for v in [1, side, side] {
        c.extend(v.to_le_bytes()); // depth, height, width
    }
    c.extend([1, 1, 0, 0]); // channels, streams, reserved
    c.extend([0u8; 8]); // value range 0..=0
    c.extend([0u8; 4]); // the stream's length
    c.extend([0u8; 4]); // CRC-32
    c
}

/// Streams of one grey `side` x `side` `interp_cnn` slice (`specs/interp_cnn/README.md`,
/// "Levels and steps"): the coarse stream, then per level (coarsest first) and step its bands.
fn interp_cnn_streams(side: usize, band_log2: u32) -> usize {
    let mut levels = 0;
    while levels < 8 && side.div_ceil(1 << levels).pow(2) > 64 {
        levels += 1;
    }
    let mut streams = 1;
    for level in 0..levels {
        let n = side.div_ceil(1 << level);
        for (py, px) in [(1, 1), (0, 1), (1, 0)] {
            let (hs, ws) = ((n + 1 - py) / 2, (n + 1 - px) / 2);
            if hs > 0 && ws > 0 {
                let rows = ((1usize << band_log2) / ws).max(1);
                streams += hs.div_ceil(rows);
            }
        }
    }
    streams
}

/// A well-formed `interp_cnn` chunk of a constant `side` x `side` grey `uint8` image: bands of
/// 2^24 samples, every stream empty (one LEB128 byte of length 0).
fn interp_cnn_chunk(side: u32) -> Vec<u8> {
    let mut c = b"NDIC".to_vec();
    c.extend([1, 0, 0, 24]); // version 1, layout image, uint8, band_log2
    c.extend(3u32.to_le_bytes()); // model id
    for v in [1, side, side] {
        c.extend(v.to_le_bytes());
    }
    c.extend([1, 0, 0, 0]); // channels, reserved
    c.extend([0u8; 8]); // value range 0..=0
    c.extend([0u8; 4]); // CRC-32
    c.extend(vec![0u8; interp_cnn_streams(side as usize, 24)]);
    c
}

fn chunk(codec_id: &str, side: u32) -> Vec<u8> {
    match codec_id {
        "pixel_mlp" => pixel_mlp_chunk(side),
        _ => interp_cnn_chunk(side),
    }
}

fn codec(codec_id: &str) -> DynCodec {
    find(codec_id)
        .expect("a codec of the list")
        .create(&json!({}))
        .expect("the default configuration")
}

fn decode_into(codec_id: &str, encoded: &[u8], side: usize, out: &mut [u8]) -> String {
    let DynCodec::ArrayToBytes(c) = codec(codec_id) else {
        panic!("{codec_id} is an array → bytes codec");
    };
    match c.decode_into_raw(encoded, AnyArrayDType::U8, &[side, side], out) {
        Ok(()) => "ok".to_owned(),
        Err(e) => format!("{e:?} | {e}"),
    }
}

fn vm_size() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmSize:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmSize");
    kb * 1024
}

/// The child's side: warm up, allocate the output, limit the address space, decode, print.
fn child(codec_id: &str) {
    // The chunk builder is right: small constant images decode (to zeros) once the CRC-32 is
    // the samples' (of all-zero bytes: crc32fast's, an independent implementation).
    for side in [1u32, 9, 64] {
        let mut c = chunk(codec_id, side);
        let at = if codec_id == "pixel_mlp" { 40 } else { 36 };
        let zeros = vec![0u8; (side * side) as usize];
        c[at..at + 4].copy_from_slice(&crc32fast::hash(&zeros).to_le_bytes());
        let mut out = vec![7u8; zeros.len()];
        assert_eq!(decode_into(codec_id, &c, side as usize, &mut out), "ok");
        assert_eq!(out, zeros, "{codec_id} {side}");
    }
    let side = SIDE as usize;
    let mut out = vec![7u8; side * side];
    let bomb = chunk(codec_id, SIDE);
    let limit = vm_size() + MARGIN;
    let status = Command::new("prlimit")
        .arg(format!("--pid={}", std::process::id()))
        .arg(format!("--as={limit}:"))
        .status()
        .expect("prlimit (util-linux)");
    assert!(status.success(), "prlimit failed");
    let result = decode_into(codec_id, &bomb, side, &mut out);
    // on a line of its own (the harness has printed "test ... " without a newline)
    println!("\nRESULT {result}");
}

fn run(codec_id: &str, test_name: &str) {
    if std::env::var_os(CHILD).is_some() {
        child(codec_id);
        return;
    }
    let exe = std::env::current_exe().expect("the test binary");
    let output = Command::new(exe)
        .args([test_name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        // one malloc arena: thread arenas reserve 64 MiB of address space each
        .env("MALLOC_ARENA_MAX", "1")
        .env("RAYON_NUM_THREADS", "2")
        .output()
        .expect("the child test process");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{codec_id}: the child crashed ({:?}):\n{stdout}\n{stderr}",
        output.status
    );
    let result = stdout
        .lines()
        .find_map(|l| l.split_once("RESULT ").map(|(_, r)| r))
        .unwrap_or_else(|| panic!("{codec_id}: no result:\n{stdout}\n{stderr}"));
    assert!(
        result.starts_with("OutOfMemory") && result.contains("cannot allocate"),
        "{codec_id}: {result}"
    );
}

/// `pixel_mlp` decoding a ~50-byte chunk of a constant 2^14 x 2^14 image into its output under
/// a limit far below its `int32` sample plane (1 GiB): `OutOfMemory` (the plane was allocated
/// infallibly, and the process aborted).
#[test]
fn pixel_mlp_out_of_memory_is_an_error() {
    run("pixel_mlp", "pixel_mlp_out_of_memory_is_an_error");
}

/// `interp_cnn`, the same: its `int32` samples (1 GiB) are reserved before anything is decoded
/// (they were allocated after the slices, and the level grids before them infallibly).
#[test]
fn interp_cnn_out_of_memory_is_an_error() {
    run("interp_cnn", "interp_cnn_out_of_memory_is_an_error");
}
