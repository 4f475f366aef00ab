//! Moves tensors between calt-x's state dict and our model through the [`Link`] table.

use std::collections::{BTreeMap, BTreeSet};

use super::links::{Layout, Link};

/// Name → (shape, row-major f32 values).
pub type StateDict = BTreeMap<String, (Vec<usize>, Vec<f32>)>;

/// calt-x tensors that hold no weight (fixed tables PyTorch saves as buffers).
fn is_buffer(name: &str) -> bool {
    ["pe", "inv_freq", "cos_cached", "sin_cached"]
        .iter()
        .any(|buffer| {
            name.strip_suffix(buffer)
                .is_some_and(|rest| rest.ends_with("positional_embedding."))
        })
}

fn transpose(shape: &[usize], values: &[f32]) -> (Vec<usize>, Vec<f32>) {
    let (rows, cols) = (shape[0], shape[1]);
    let mut out = vec![0.0; values.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = values[r * cols + c];
        }
    }
    (vec![cols, rows], out)
}

/// Name → shape.
pub type Shapes = BTreeMap<String, Vec<usize>>;

/// Our tensors from calt-x's: every linked tensor must be present with the shape our model
/// (`expected`: its tensors' shapes) needs for it, and every calt-x tensor must be linked (a
/// folder of another family fails here).
pub fn import(links: &[Link], torch: &StateDict, expected: &Shapes) -> Result<StateDict, String> {
    let mut ours = StateDict::new();
    for link in links {
        let Some((shape, values)) = torch.get(&link.torch) else {
            // Tied copies and zero buffers are rebuilt by `from_pretrained` when absent
            // (Hugging Face's safetensors files leave the tied copies out).
            if matches!(link.layout, Layout::TiedCopy | Layout::Zero { .. }) {
                continue;
            }
            return Err(format!("tensor `{}` is missing", link.torch));
        };
        let ours_shape: &[usize] = match link.layout {
            Layout::Zero { .. } => &[],
            _ => expected
                .get(&link.ours)
                .ok_or_else(|| format!("the model has no tensor `{}`", link.ours))?,
        };
        let wanted = link.layout.torch_shape(ours_shape);
        if *shape != wanted {
            return Err(format!(
                "tensor `{}` has shape {shape:?}; config.json's model needs {wanted:?}",
                link.torch
            ));
        }
        let converted = match link.layout {
            Layout::Same => (shape.clone(), values.clone()),
            Layout::Transposed => transpose(shape, values),
            Layout::Part { index, count } => {
                let part_rows = shape[0] / count;
                let cols = shape.get(1).copied().unwrap_or(1);
                let part =
                    values[index * part_rows * cols..(index + 1) * part_rows * cols].to_vec();
                if shape.len() == 2 {
                    transpose(&[part_rows, cols], &part)
                } else {
                    (vec![part_rows], part)
                }
            }
            Layout::Offset { rows } => (ours_shape.to_vec(), values[rows * shape[1]..].to_vec()),
            Layout::TiedCopy => continue,
            Layout::Zero { .. } => {
                if values.iter().any(|&v| v != 0.0) {
                    return Err(format!(
                        "tensor `{}` is not zero; calt's model has no such bias",
                        link.torch
                    ));
                }
                continue;
            }
        };
        ours.insert(link.ours.clone(), converted);
    }
    let linked: BTreeSet<&str> = links.iter().map(|l| l.torch.as_str()).collect();
    if let Some(extra) = torch
        .keys()
        .find(|name| !linked.contains(name.as_str()) && !is_buffer(name))
    {
        return Err(format!(
            "tensor `{extra}` has no place in this model family (is the folder of another family?)"
        ));
    }
    Ok(ours)
}

/// calt-x's tensors from ours (the inverse of [`import`]).
pub fn export(links: &[Link], ours: &StateDict) -> Result<StateDict, String> {
    let mut torch = StateDict::new();
    for link in links {
        match link.layout {
            Layout::TiedCopy => continue,
            Layout::Zero { rows, cols } => {
                torch.insert(
                    link.torch.clone(),
                    (vec![rows, cols], vec![0.0; rows * cols]),
                );
                continue;
            }
            _ => {}
        }
        let (shape, values) = ours
            .get(&link.ours)
            .ok_or_else(|| format!("the model has no tensor `{}`", link.ours))?;
        match link.layout {
            Layout::Same => {
                torch.insert(link.torch.clone(), (shape.clone(), values.clone()));
            }
            Layout::Transposed => {
                torch.insert(link.torch.clone(), transpose(shape, values));
            }
            Layout::Part { index, count } => {
                // Each part is `[cols, rows]` (transposed back to `[rows, cols]`) or `[rows]`.
                let (part_shape, part) = if shape.len() == 2 {
                    transpose(shape, values)
                } else {
                    (shape.clone(), values.clone())
                };
                let packed_shape: Vec<usize> = std::iter::once(part_shape[0] * count)
                    .chain(part_shape.iter().skip(1).copied())
                    .collect();
                let entry = torch.entry(link.torch.clone()).or_insert_with(|| {
                    let len = packed_shape.iter().product();
                    (packed_shape.clone(), vec![0.0; len])
                });
                let len = part.len();
                entry.1[index * len..(index + 1) * len].copy_from_slice(&part);
            }
            Layout::Offset { rows } => {
                let mut padded = vec![0.0; rows * shape[1]];
                padded.extend_from_slice(values);
                torch.insert(link.torch.clone(), (link.layout.torch_shape(shape), padded));
            }
            Layout::TiedCopy | Layout::Zero { .. } => {}
        }
    }
    Ok(torch)
}
