//! Exhaustive search over every pair of regression coefficients (`k_0, k_1` in `-256..=256`) for
//! each 500-frame chunk of the fbank test array: the smallest lilcom byte string the format can
//! hold for that chunk under the strict error bound.
//!
//! With the bound fixed, the coefficients determine every code (there is one code within half a
//! tick of each value, bar exact ties) and the codes determine the width sequence (see
//! `specs/lilcom/README.md`, "the width sequence is unique"), so this is the smallest size any
//! lilcom writer can reach. The encoder's own choice is printed beside it.
//!
//! `cargo run --release -p ndcodecs-lilcom --example lilcom_coeff_search [tick_power]`
//! (about 1.5 million encodes: several minutes).

#[path = "../tests/common/mod.rs"]
mod common;

use ndcodecs_lilcom::{LilcomConfig, TickPower, encode, encode_with_coefficients, read_header};

fn main() {
    let tp: i32 = std::env::args()
        .nth(1)
        .map_or(-5, |s| s.parse().expect("tick_power"));
    let config = LilcomConfig {
        tick_power: TickPower::new(tp).unwrap(),
        ..LilcomConfig::default()
    };
    let (shape, v) = common::test_data_f32("speech_librivox_fbank80.npy");
    let row = shape[1];
    let (mut best_total, mut ours_total) = (0, 0);
    for start in (0..shape[0]).step_by(500) {
        let frames = (shape[0] - start).min(500);
        let chunk = &v[start * row..(start + frames) * row];
        let chunk_shape = [frames, row];
        let ours = encode(chunk, &chunk_shape, &config).unwrap();
        let mut best = (usize::MAX, 0, 0);
        for k0 in -256..=256 {
            for k1 in -256..=256 {
                let n = encode_with_coefficients(chunk, &chunk_shape, tp, &[k0, k1])
                    .unwrap()
                    .len();
                if n < best.0 {
                    best = (n, k0, k1);
                }
            }
        }
        println!(
            "frames {start}..{}: best {} bytes at coefficients [{}, {}]; encoder {} bytes at {:?}",
            start + frames,
            best.0,
            best.1,
            best.2,
            ours.len(),
            read_header(&ours).unwrap().coeffs
        );
        best_total += best.0;
        ours_total += ours.len();
    }
    println!("tick_power {tp}: best {best_total} bytes, encoder {ours_total} bytes");
}
