#![allow(missing_docs)]
use std::hint::black_box;
use std::time::Instant;
use ndarray::ArrayD;
use ndcodecs_linear_quantize::{CodeDtype, LinearQuantizeCodec, LinearQuantizeConfig};
use numcodecs::{AnyArray, Codec};

fn main() {
    let (ny, nx) = (4096usize, 4096usize);
    let data: Vec<f32> = (0..ny * nx).map(|k| { let (y, x) = ((k / nx) as f64, (k % nx) as f64);
        (280.0 + 20.0 * (y / 300.0).sin() * (x / 450.0).cos() + 5.0 * (x / 97.0).sin()) as f32 }).collect();
    let data = AnyArray::F32(ArrayD::from_shape_vec(vec![ny, nx], data).unwrap());
    let mut config = LinearQuantizeConfig::new(0.01);
    config.offset = 280.0;
    config.astype = CodeDtype::Int16;
    let codec = LinearQuantizeCodec::try_new(config).unwrap();
    let enc = codec.encode(data.cow()).unwrap();
    let mut out = AnyArray::F32(ArrayD::zeros(vec![ny, nx]));
    let bytes = (ny * nx * 4) as f64;
    let t = |name: &str, f: &mut dyn FnMut()| {
        let mut best = f64::INFINITY;
        for _ in 0..15 { let s = Instant::now(); f(); best = best.min(s.elapsed().as_secs_f64()); }
        println!("{name}: {:.1} ms, {:.0} MB/s", best * 1e3, bytes / best / 1e6);
    };
    t("encode", &mut || { black_box(codec.encode(data.cow()).unwrap()); });
    t("decode", &mut || { black_box(codec.decode(enc.cow()).unwrap()); });
    t("decode_into", &mut || { codec.decode_into(enc.view(), out.view_mut()).unwrap(); });
    let small = AnyArray::F32(ArrayD::from_shape_vec(vec![64, 4096], data.as_typed::<f32>().unwrap().as_slice().unwrap()[..64 * 4096].to_vec()).unwrap());
    let t2 = |name: &str, f: &mut dyn FnMut()| {
        let mut best = f64::INFINITY;
        for _ in 0..200 { let s = Instant::now(); f(); best = best.min(s.elapsed().as_secs_f64()); }
        println!("{name}: {:.3} ms, {:.0} MB/s", best * 1e3, (64*4096*4) as f64 / best / 1e6);
    };
    let senc = codec.encode(small.cow()).unwrap();
    t2("encode 1MiB", &mut || { black_box(codec.encode(small.cow()).unwrap()); });
    t2("decode 1MiB", &mut || { black_box(codec.decode(senc.cow()).unwrap()); });
    t("alloc+fill f32", &mut || { let mut v = vec![0f32; ny*nx]; for (i, x) in v.iter_mut().enumerate() { *x = i as f32; } black_box(v); });
}
