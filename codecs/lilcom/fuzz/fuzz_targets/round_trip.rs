//! Arbitrary arrays through encode and decode: either an error, or a stream that decodes to
//! values within the bound of every input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ndcodecs_lilcom::{LilcomConfig, TickPower, decode_f32, encode};

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let tick_power = i32::from(data[0] % 41) - 20;
    let do_regression = data[1] & 1 == 1;
    let rank = usize::from(data[2] % 3) + 1;
    let values: Vec<f32> = data[3..].chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    let n = values.len();
    if n == 0 {
        return;
    }
    let shape: Vec<usize> = match rank {
        1 => vec![n],
        2 if n % 2 == 0 => vec![2, n / 2],
        3 if n % 4 == 0 => vec![2, 2, n / 4],
        _ => vec![n],
    };
    let config = LilcomConfig {
        tick_power: TickPower::new(tick_power).unwrap(),
        do_regression,
        ..LilcomConfig::default()
    };
    if let Ok(bytes) = encode(&values, &shape, &config) {
        let (found, decoded) = decode_f32(&bytes).expect("our own output must decode");
        assert_eq!(found, shape);
        let bound = 2f64.powi(tick_power - 1);
        for (x, y) in values.iter().zip(&decoded) {
            assert!((f64::from(*x) - f64::from(*y)).abs() <= bound, "{x} -> {y} (bound {bound})");
        }
    } else {
        // Refused: only for values the format cannot hold.
        let limit = f64::from(i32::MAX) * 2f64.powi(tick_power);
        assert!(values.iter().any(|v| !v.is_finite() || f64::from(v.abs()) > limit));
    }
});
