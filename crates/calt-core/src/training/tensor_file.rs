//! A minimal safetensors writer/reader for named f32 vectors (optimizer state), so checkpoint
//! files are readable by any safetensors tool.

use std::collections::BTreeMap;

/// `(name, shape, values)`.
pub type NamedTensor = (String, Vec<usize>, Vec<f32>);

pub fn write(tensors: &[NamedTensor], metadata: &BTreeMap<String, String>) -> Vec<u8> {
    let mut header = serde_json::Map::new();
    if !metadata.is_empty() {
        header.insert("__metadata__".into(), serde_json::json!(metadata));
    }
    let mut offset = 0usize;
    for (name, shape, values) in tensors {
        let end = offset + values.len() * 4;
        header.insert(
            name.clone(),
            serde_json::json!({"dtype": "F32", "shape": shape, "data_offsets": [offset, end]}),
        );
        offset = end;
    }
    let mut text = serde_json::Value::Object(header).to_string().into_bytes();
    // The format asks for the data to start 8-byte aligned.
    while !text.len().is_multiple_of(8) {
        text.push(b' ');
    }
    let mut out = Vec::with_capacity(8 + text.len() + offset);
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    out.extend_from_slice(&text);
    for (_, _, values) in tensors {
        for v in values {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// Reads what [`write`] wrote; names come back sorted.
pub fn read(bytes: &[u8]) -> Result<(Vec<NamedTensor>, BTreeMap<String, String>), String> {
    if bytes.len() < 8 {
        return Err("file is shorter than a safetensors header".into());
    }
    let n = u64::from_le_bytes(bytes[..8].try_into().map_err(|_| "header length")?) as usize;
    let header = bytes
        .get(8..8usize.saturating_add(n))
        .ok_or("header length points past the end of the file")?;
    let data = &bytes[8 + n..];
    let header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(header).map_err(|e| format!("header is not JSON: {e}"))?;
    let mut metadata = BTreeMap::new();
    let mut tensors = Vec::new();
    for (name, info) in header {
        if name == "__metadata__" {
            if let Some(m) = info.as_object() {
                for (k, v) in m {
                    metadata.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
                }
            }
            continue;
        }
        if info.get("dtype").and_then(|d| d.as_str()) != Some("F32") {
            return Err(format!("tensor `{name}` is not F32"));
        }
        let shape: Vec<usize> = serde_json::from_value(info["shape"].clone())
            .map_err(|e| format!("tensor `{name}`: bad shape: {e}"))?;
        let [a, b]: [usize; 2] = serde_json::from_value(info["data_offsets"].clone())
            .map_err(|e| format!("tensor `{name}`: bad offsets: {e}"))?;
        // A hostile shape's product can overflow; it then matches no data length.
        let elements = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
        let raw = data
            .get(a..b)
            .filter(|r| r.len().is_multiple_of(4) && Some(r.len() / 4) == elements)
            .ok_or_else(|| format!("tensor `{name}`: data is truncated or mis-sized"))?;
        let values = raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        tensors.push((name, shape, values));
    }
    Ok((tensors, metadata))
}
