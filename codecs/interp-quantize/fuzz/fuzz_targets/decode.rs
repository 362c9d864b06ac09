//! Arbitrary int32 words into the decoder: an error or a result of exactly the header's shape,
//! never a panic, and never an allocation the words do not justify (the header's element count
//! must match the number of words before anything is allocated).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ndcodecs_interp_quantize::{InterpQuantizeCodec, InterpQuantizeConfig, read_header};
use numcodecs::{AnyArray, Codec};

fuzz_target!(|data: &[u8]| {
    let words: Vec<i32> = data.chunks_exact(4).map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    let codec = InterpQuantizeCodec::try_new(InterpQuantizeConfig::abs(1.0).unwrap()).unwrap();
    match codec.decode_slice::<f32>(&words) {
        Ok((shape, values)) => {
            assert_eq!(values.len(), shape.iter().product::<usize>());
            assert_eq!(read_header(&words).unwrap().0.shape, shape);
            // decode_into the same shape agrees bit for bit.
            let enc = AnyArray::I32(ndarray::ArrayD::from_shape_vec(vec![words.len()], words.clone()).unwrap());
            let mut out = AnyArray::F32(ndarray::ArrayD::zeros(shape.clone()));
            codec.decode_into(enc.view(), out.view_mut()).unwrap();
            let AnyArray::F32(out) = out else { unreachable!() };
            assert!(out.iter().zip(&values).all(|(a, b)| a.to_bits() == b.to_bits()));
        }
        Err(_) => {
            // A float64 reading of the same words must not panic either.
            let c64 = InterpQuantizeCodec::try_new(InterpQuantizeConfig {
                dtype: ndcodecs_interp_quantize::FloatDtype::Float64,
                ..InterpQuantizeConfig::abs(1.0).unwrap()
            })
            .unwrap();
            let _ = c64.decode_slice::<f64>(&words);
        }
    }
});
