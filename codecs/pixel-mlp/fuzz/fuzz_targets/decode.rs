//! Arbitrary bytes into the decoder: an error or samples matching the stored checksum, the
//! same in every decoding order, never a panic or an allocation the header does not justify
//! within the decoder's limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ndcodecs_pixel_mlp::{DecodeOrder, Header, decode_into, decode_samples};

fuzz_target!(|data: &[u8]| {
    // With a small expected shape: a larger declared shape is refused before allocating.
    let mut out = vec![0u8; 4 * 5 * 3];
    let _ = decode_into(data, &[4, 5, 3], &mut out, DecodeOrder::Wavefront);
    // On its own, keep to modest shapes (a constant plane of any size costs no bytes).
    let modest = Header::read(data).is_ok_and(|(h, _)| h.samples() <= 1 << 16);
    if !modest {
        return;
    }
    let seq = decode_samples(data, None, DecodeOrder::Sequential);
    let wave = decode_samples(data, None, DecodeOrder::Wavefront);
    let diag = decode_samples(data, None, DecodeOrder::Diagonal);
    match (&seq, &wave, &diag) {
        (Ok((h, a)), Ok((_, b)), Ok((_, c))) => {
            assert_eq!(a.len(), h.samples());
            assert!(a == b && a == c, "orders disagree");
        }
        (Err(_), Err(_), Err(_)) => {}
        _ => panic!("orders disagree on success: {:?} {:?} {:?}", seq.is_ok(), wave.is_ok(), diag.is_ok()),
    }
});
