//! The corners of `specs/spatial_delta/README.md`, checked: 0-d arrays and arrays with an empty
//! axis.

use ndarray::ArrayD;
use ndcodecs_core::CodecError;
use ndcodecs_spatial_delta::{AxisSelection, SpatialDeltaCodec};
use numcodecs::{AnyArray, Codec};

#[test]
fn a_0d_array_has_no_axis_to_difference() {
    let zero_d = AnyArray::I32(ArrayD::from_elem(Vec::<usize>::new(), 7));
    for axis in [
        AxisSelection::One(-1),
        AxisSelection::One(0),
        AxisSelection::Many(vec![0, -1]),
    ] {
        let codec = SpatialDeltaCodec::new(axis.clone());
        assert!(
            matches!(
                codec.encode(zero_d.clone().into_cow()),
                Err(CodecError::InvalidConfig { .. })
            ),
            "{axis:?}"
        );
        assert!(
            matches!(
                codec.decode(zero_d.clone().into_cow()),
                Err(CodecError::InvalidConfig { .. })
            ),
            "{axis:?}"
        );
    }
}

#[test]
fn arrays_with_an_empty_axis_pass_through() {
    for shape in [[0usize, 3], [3, 0]] {
        let empty = AnyArray::U16(ArrayD::zeros(shape.to_vec()));
        let codec = SpatialDeltaCodec::new(AxisSelection::Many(vec![0, 1]));
        let encoded = codec.encode(empty.clone().into_cow()).unwrap();
        assert_eq!(encoded.shape(), shape);
        assert_eq!(codec.decode(encoded.into_cow()).unwrap(), empty);
    }
}
