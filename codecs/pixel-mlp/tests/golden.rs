//! Golden vectors (`specs/pixel_mlp/sample_data/`): every sample's interval and extra bits equal
//! those of the independent numpy implementation of the spec (`make_golden.py`), the pinned
//! chunks decode to the inputs in every order, and the inputs encode to the pinned bytes.

use ndcodecs_pixel_mlp::{
    DecodeOrder, LayoutChoice, PixelMlpCodec, PixelMlpConfig, PixelSample, decode_into, encode,
    plane_codes,
};
use numcodecs::{DynCodecType, StaticCodecType};

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs/pixel_mlp");
const CASES: &[&str] = &[
    "gray_u8",
    "rgb_u8",
    "astro_i16",
    "volume_i16",
    "wide_u16",
    "rgba_u16",
    "edges_u8",
];

fn npy(path: &str) -> npyz::NpyFile<std::io::Cursor<Vec<u8>>> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    npyz::NpyFile::new(std::io::Cursor::new(bytes)).unwrap()
}

fn check<T: PixelSample + npyz::Deserialize>(
    model: u32,
    prefix: &str,
    name: &str,
    file: npyz::NpyFile<std::io::Cursor<Vec<u8>>>,
) {
    let shape: Vec<usize> = file.shape().iter().map(|&d| d as usize).collect();
    let input: Vec<T> = file.into_vec().unwrap();
    let layout = if name == "volume_i16" {
        LayoutChoice::Volume
    } else {
        LayoutChoice::Auto
    };
    let config = PixelMlpConfig {
        layout,
        model,
        ..PixelMlpConfig::default()
    };
    // the spec's arithmetic, sample by sample, against numpy
    let reference: Vec<i64> = npy(&format!("{SPEC}/sample_data/{prefix}_{name}.cdf.npy"))
        .into_vec()
        .unwrap();
    let ours = plane_codes(&input, &shape, &config).unwrap();
    assert_eq!(ours.len() * 3, reference.len(), "{prefix} {name}");
    for (i, (o, r)) in ours.iter().zip(reference.chunks_exact(3)).enumerate() {
        let o = o.map(i64::from);
        assert_eq!(&o[..], r, "{prefix} {name}: sample {i} (plane order)");
    }
    // the pinned bytes
    let path = format!("{SPEC}/sample_data/{prefix}_{name}.bin");
    let bytes = encode(&input, &shape, &config).unwrap();
    if std::env::var_os("NDCODECS_BLESS").is_some() && !std::path::Path::new(&path).exists() {
        std::fs::write(&path, &bytes).unwrap();
    }
    let pinned = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(
        bytes == pinned,
        "{prefix} {name}: the encoder's bytes changed"
    );
    for order in [
        DecodeOrder::Sequential,
        DecodeOrder::Wavefront,
        DecodeOrder::Diagonal,
    ] {
        let mut out = vec![T::default(); input.len()];
        decode_into(&pinned, &shape, &mut out, order).unwrap();
        assert!(out == input, "{prefix} {name}: {order:?}");
    }
}

/// Model 1's chunks (written by ndcodecs 0.1.0) keep decoding, and encoding with `model: 1`
/// keeps writing their bytes; models 2 and 3 (the default since) have their own vectors.
#[test]
fn golden_vectors() {
    // file prefix: format version 1, model 1 ("v1", the first vectors), model 2 ("v1m2") or
    // model 3 ("v1m3")
    for (model, prefix) in [(1, "v1"), (2, "v1m2"), (3, "v1m3")] {
        for name in CASES {
            let file = npy(&format!("{SPEC}/sample_data/{prefix}_{name}.input.npy"));
            match &name[name.len() - 3..] {
                "_u8" => check::<u8>(model, prefix, name, file),
                "u16" => check::<u16>(model, prefix, name, file),
                _ => check::<i16>(model, prefix, name, file),
            }
        }
    }
}

#[test]
fn schema_matches_the_spec() {
    let schema = StaticCodecType::<PixelMlpCodec>::of().codec_config_schema();
    let generated = serde_json::to_string_pretty(&schema).unwrap() + "\n";
    let path = format!("{SPEC}/schema.json");
    if std::env::var_os("NDCODECS_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let pinned: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("specs/pixel_mlp/schema.json"))
            .unwrap();
    assert_eq!(
        pinned,
        serde_json::to_value(&schema).unwrap(),
        "the config schema changed: update the spec (NDCODECS_BLESS=1)"
    );
}
