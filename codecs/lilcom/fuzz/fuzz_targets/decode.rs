//! Arbitrary bytes into the decoder: an error or a checked result, never a panic, and never an
//! allocation the input does not justify.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ndcodecs_lilcom::{
    Header, decode_f32, decode_into,
    format::StreamReader,
    read_header,
};

fuzz_target!(|data: &[u8]| {
    // On its own: a result must have exactly the header's element count, and re-decoding into
    // that shape must agree bit for bit. (A few bytes of zero runs can legitimately declare
    // billions of zeros, which `decode_f32` would then allocate: keep to modest shapes here.)
    let modest = read_header(data).is_ok_and(|h| h.shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d)).is_some_and(|n| n <= 1 << 20));
    if !modest {
        let mut out = vec![0i16; 24];
        let _ = decode_into(data, &[2, 3, 4], &mut out);
        return;
    }
    // The block reader the decoder uses against the value-by-value reader: the same codes and
    // the same end position, or both an error once the end is checked. (A reader may stop early
    // once it has run well past the end; which one does depends on how far ahead it loads.)
    if let Ok(mut slow) = StreamReader::new(data) {
        if let Ok(h) = Header::read(&mut slow) {
            let n: usize = h.shape.iter().product();
            let mut fast = slow.clone();
            let by_one: Result<Vec<i32>, _> = (0..n).map(|_| slow.next_i32()).collect();
            let by_one = by_one.and_then(|v| slow.finish().map(|()| v));
            let mut block = vec![0i32; n];
            let by_block = fast.read_i32s(&mut block).and_then(|()| fast.finish());
            match (by_one, by_block) {
                (Ok(v), Ok(())) => assert_eq!(v, block),
                (Err(_), Err(_)) => {}
                (a, b) => panic!("readers disagree: {:?} vs {:?}", a.err(), b.err()),
            }
        }
    }
    if let Ok((shape, values)) = decode_f32(data) {
        assert_eq!(values.len(), shape.iter().product::<usize>());
        let mut again = vec![0f32; values.len()];
        decode_into(data, &shape, &mut again).expect("decode_into must accept what decode_f32 did");
        assert!(again.iter().zip(&values).all(|(a, b)| a.to_bits() == b.to_bits()));
        assert_eq!(read_header(data).unwrap().shape, shape);
    }
    // With a small expected shape: a huge declared shape is refused before allocating.
    let mut out = vec![0i16; 24];
    let _ = decode_into(data, &[2, 3, 4], &mut out);
});
