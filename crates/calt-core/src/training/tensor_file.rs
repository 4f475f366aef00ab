//! Named f32 vectors (the optimizer state) as a safetensors file, readable by any safetensors
//! tool.

use std::collections::{BTreeMap, HashMap};

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

/// `(name, shape, values)`.
pub type NamedTensor = (String, Vec<usize>, Vec<f32>);

#[derive(Debug, thiserror::Error)]
pub enum TensorFileError {
    #[error("not a valid safetensors file: {0}")]
    Format(#[from] safetensors::SafeTensorError),
    #[error("tensor `{0}` is not F32")]
    NotF32(String),
}

/// The safetensors bytes of `tensors` (each shape must match its values) and `metadata`.
pub fn write(
    tensors: &[NamedTensor],
    metadata: &BTreeMap<String, String>,
) -> Result<Vec<u8>, TensorFileError> {
    let bytes: Vec<(&str, &[usize], Vec<u8>)> = tensors
        .iter()
        .map(|(name, shape, values)| {
            let data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            (name.as_str(), shape.as_slice(), data)
        })
        .collect();
    let views = bytes
        .iter()
        .map(|(name, shape, data)| Ok((*name, TensorView::new(Dtype::F32, shape.to_vec(), data)?)))
        .collect::<Result<Vec<_>, TensorFileError>>()?;
    let metadata: HashMap<String, String> = metadata.clone().into_iter().collect();
    let metadata = (!metadata.is_empty()).then_some(metadata);
    Ok(safetensors::serialize(views, metadata)?)
}

/// Reads what [`write`] wrote; names come back sorted.
pub fn read(bytes: &[u8]) -> Result<(Vec<NamedTensor>, BTreeMap<String, String>), TensorFileError> {
    let (_, header) = SafeTensors::read_metadata(bytes)?;
    let file = SafeTensors::deserialize(bytes)?;
    let mut tensors: Vec<NamedTensor> = file
        .iter()
        .map(|(name, view)| {
            if view.dtype() != Dtype::F32 {
                return Err(TensorFileError::NotF32(name.to_string()));
            }
            let values = view
                .data()
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            Ok((name.to_string(), view.shape().to_vec(), values))
        })
        .collect::<Result<_, TensorFileError>>()?;
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    let metadata = header.metadata().clone().unwrap_or_default();
    Ok((tensors, metadata.into_iter().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tensors_and_metadata_come_back_and_a_cut_file_is_refused() {
        let tensors: Vec<NamedTensor> = vec![
            ("b.v".into(), vec![3], vec![1.0, -2.5, 3.25]),
            ("a.m".into(), vec![2, 1], vec![0.5, f32::MIN_POSITIVE]),
        ];
        let metadata = BTreeMap::from([("steps".to_string(), "7".to_string())]);
        let bytes = write(&tensors, &metadata).unwrap();
        let (read_back, read_metadata) = read(&bytes).unwrap();
        let mut sorted = tensors.clone();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(read_back, sorted);
        assert_eq!(read_metadata, metadata);
        assert!(read(&bytes[..bytes.len() - 4]).is_err());
        assert!(read(&bytes[..6]).is_err());
        // A shape that does not fit its values is an error, not a file with a tensor missing.
        let misfit = vec![("c.m".to_string(), vec![2, 2], vec![1.0])];
        assert!(write(&misfit, &metadata).is_err());
    }
}
