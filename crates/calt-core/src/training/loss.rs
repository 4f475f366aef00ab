//! Masked cross-entropy and teacher-forced accuracy.

use burn::tensor::activation::log_softmax;
use burn::tensor::{Int, Tensor};

/// Summed cross-entropy over labels ≠ −100, divided by `normaliser` (known on the host, so no
/// device read is needed). With the batch's count of such labels it is the batch's mean.
pub fn masked_cross_entropy(
    logits: Tensor<3>,
    labels: Tensor<2, Int>,
    normaliser: f64,
) -> Tensor<1> {
    let [b, t, _] = logits.dims();
    let mask = labels.clone().greater_equal_elem(0).float();
    let safe = labels.clamp_min(0).reshape([b, t, 1]);
    let picked = log_softmax(logits, 2).gather(2, safe).reshape([b, t]);
    (picked * mask)
        .sum()
        .neg()
        .div_scalar(normaliser.max(f64::MIN_POSITIVE))
}

/// Teacher-forced counts of one batch: (correct tokens, counted tokens, sequences whose every
/// counted token is correct).
pub fn teacher_forced_counts(logits: Tensor<3>, labels: Tensor<2, Int>) -> (usize, usize, usize) {
    let [b, t, _] = logits.dims();
    let pred = logits.argmax(2).reshape([b, t]);
    let pred: Vec<i64> = pred
        .into_data()
        .convert::<i64>()
        .try_into_vec()
        .unwrap_or_default();
    let labels: Vec<i64> = labels
        .into_data()
        .convert::<i64>()
        .try_into_vec()
        .unwrap_or_default();
    let (mut correct, mut counted, mut exact) = (0, 0, 0);
    for row in 0..b {
        let mut all = true;
        for j in 0..t {
            let l = labels[row * t + j];
            if l < 0 {
                continue;
            }
            counted += 1;
            if pred[row * t + j] == l {
                correct += 1;
            } else {
                all = false;
            }
        }
        if all {
            exact += 1;
        }
    }
    (correct, counted, exact)
}
