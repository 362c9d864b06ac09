//! Writes the golden vectors `specs/interp_cnn/sample_data/v0_1_0_<case>.bin` from their
//! `.input.npy` files. Run once per released format version and model; never to "fix" a
//! failing golden test.
//!
//! `cargo run -p ndcodecs-interp-cnn --example interp_cnn_golden`

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    for name in common::CASES {
        let (input, shape, dtype) = common::input(name);
        let bytes = common::encode(&input, &shape, &dtype);
        let path = common::repo().join(format!("specs/interp_cnn/sample_data/v0_1_0_{name}.bin"));
        std::fs::write(&path, &bytes).unwrap();
        println!("{name}: {shape:?} {dtype}, {} bytes", bytes.len());
    }
}
