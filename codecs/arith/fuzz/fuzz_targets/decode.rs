//! Arbitrary bytes into the decoder: an error, or values that encode back to exactly these bytes
//! (model 0 is canonical; a model-1 or model-2 stream may carry other valid tables than the encoder's, so
//! its values must re-encode to a stream that decodes to them), never a panic or an allocation
//! beyond the expected chunk.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ndcodecs_arith::{ArithModel, decode, decode_into, encode_with_model, read_header};

fuzz_target!(|data: &[u8]| {
    // Into a small expected chunk: whatever the header declares, at most 24 values are allocated.
    let mut out = vec![0i16; 24];
    if decode_into(data, &[2, 3, 4], &mut out).is_ok() {
        let model = read_header(data).unwrap().model;
        let again = encode_with_model(&out, &[2, 3, 4], model).unwrap();
        if model == ArithModel::Adaptive {
            assert_eq!(again, data, "accepted a non-canonical stream");
        } else {
            let mut back = vec![0i16; 24];
            decode_into(&again, &[2, 3, 4], &mut back).unwrap();
            assert_eq!(back, out);
        }
    }
    let mut bytes = vec![0u8; 7];
    let _ = decode_into(data, &[7], &mut bytes);
    // On its own, for modest declared sizes (a few bytes of zeros may declare millions of values).
    let modest = read_header(data).is_ok_and(|h| {
        h.shape.iter().try_fold(1u64, |a, &d| a.checked_mul(d)).is_some_and(|n| n <= 1 << 16)
    });
    if modest {
        if let Ok(a) = decode(data) {
            let h = read_header(data).unwrap();
            assert_eq!(a.shape().iter().map(|&d| d as u64).collect::<Vec<_>>(), h.shape);
        }
    }
});
