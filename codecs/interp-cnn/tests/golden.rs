//! Golden vectors (`specs/interp_cnn/sample_data/v0_1_0_<case>.bin` for model 1,
//! `v0_1_0_<case>_m<id>.bin` for later models, format version 1): each decodes to exactly its
//! `.input.npy`, and encoding the input with the file's model gives exactly the stored bytes.
//! The files were written once by `examples/interp_cnn_golden.rs` when their model was released;
//! they are never regenerated (a change that breaks this test breaks every stored chunk).

mod common;

use ndcodecs_interp_cnn::decode_samples;

#[test]
fn golden_vectors_decode_and_encode_bit_exactly() {
    for &(model, suffix) in common::MODELS {
        for name in common::CASES {
            let (input, shape, dtype) = common::input(name);
            let path = common::repo().join(format!(
                "specs/interp_cnn/sample_data/v0_1_0_{name}{suffix}.bin"
            ));
            let stored = std::fs::read(&path).unwrap();
            let (header, decoded) = decode_samples(&stored, Some(&shape)).unwrap();
            assert_eq!(header.model_id, model, "{name}{suffix}");
            assert_eq!(decoded, input, "{name}{suffix}: decoded samples");
            assert_eq!(
                common::encode(&input, &shape, &dtype, model),
                stored,
                "{name}{suffix}: encoded bytes"
            );
        }
    }
}
