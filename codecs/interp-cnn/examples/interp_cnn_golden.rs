//! Writes the golden vectors of one model, `specs/interp_cnn/sample_data/v0_1_0_<case>.bin`
//! (model 1) or `v0_1_0_<case>_m<id>.bin` (a later model), from their `.input.npy` files. Run
//! once when a format version or a model is released; never to "fix" a failing golden test.
//!
//! `cargo run -p ndcodecs-interp-cnn --example interp_cnn_golden -- MODEL_ID`

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let model: u32 = std::env::args()
        .nth(1)
        .expect("usage: interp_cnn_golden MODEL_ID")
        .parse()
        .expect("a model id");
    let suffix = if model == 1 {
        String::new()
    } else {
        format!("_m{model}")
    };
    for name in common::CASES {
        let (input, shape, dtype) = common::input(name);
        let bytes = common::encode(&input, &shape, &dtype, model);
        let path = common::repo().join(format!(
            "specs/interp_cnn/sample_data/v0_1_0_{name}{suffix}.bin"
        ));
        std::fs::write(&path, &bytes).unwrap();
        println!("{name}{suffix}: {shape:?} {dtype}, {} bytes", bytes.len());
    }
}
