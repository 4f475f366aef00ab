//! The order in which CPython iterates a `set` of exponent tuples. CALT's SymPy sampler draws
//! distinct monomials into a set and pairs them, in iteration order, with coefficients drawn
//! in sequence; reproducing its datasets needs that order. Emulated for tuples of small
//! non-negative ints (CPython 3.8+ tuple hash, open addressing with perturbation, growth at
//! 3/5 fill), without deletions.

const P1: u64 = 11400714785074694791;
const P2: u64 = 14029467366897019727;
const P5: u64 = 2870177450012600261;
const LINEAR_PROBES: usize = 9;
const PERTURB_SHIFT: u32 = 5;
const MIN_SIZE: usize = 8;

/// `hash(tuple(items))` for small non-negative ints (whose hash is themselves).
fn tuple_hash(items: &[u32]) -> u64 {
    let mut acc = P5;
    for &x in items {
        acc = acc.wrapping_add(u64::from(x).wrapping_mul(P2));
        acc = acc.rotate_left(31);
        acc = acc.wrapping_mul(P1);
    }
    acc = acc.wrapping_add(items.len() as u64 ^ (P5 ^ 3527539));
    if acc == u64::MAX { 1546275796 } else { acc }
}

/// A set of exponent vectors that remembers CPython's slot layout.
#[derive(Clone, Debug)]
pub(crate) struct PySet {
    keys: Vec<Vec<u32>>,
    /// Slot → (hash, index into `keys`).
    table: Vec<Option<(u64, usize)>>,
}

impl Default for PySet {
    fn default() -> Self {
        PySet {
            keys: Vec::new(),
            table: vec![None; MIN_SIZE],
        }
    }
}

impl PySet {
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// `set.add(key)`; returns whether the key was new.
    pub(crate) fn insert(&mut self, key: Vec<u32>) -> bool {
        let h = tuple_hash(&key);
        let mask = self.table.len() - 1;
        let mut i = (h as usize) & mask;
        let mut perturb = h;
        loop {
            let probes = if i + LINEAR_PROBES <= mask {
                LINEAR_PROBES
            } else {
                0
            };
            for slot in i..=i + probes {
                match self.table[slot] {
                    None => {
                        self.table[slot] = Some((h, self.keys.len()));
                        self.keys.push(key);
                        // No deletions, so fill == used.
                        if self.keys.len() * 5 >= mask * 3 {
                            self.resize(self.keys.len() * 4);
                        }
                        return true;
                    }
                    Some((eh, idx)) if eh == h && self.keys[idx] == key => return false,
                    Some(_) => {}
                }
            }
            perturb >>= PERTURB_SHIFT;
            i = i
                .wrapping_mul(5)
                .wrapping_add(1)
                .wrapping_add(perturb as usize)
                & mask;
        }
    }

    /// Rebuilds the table with the smallest power of two above `min_used` slots, re-inserting
    /// in old slot order (CPython's `set_table_resize`).
    fn resize(&mut self, min_used: usize) {
        let mut size = MIN_SIZE;
        while size <= min_used {
            size <<= 1;
        }
        let old = std::mem::replace(&mut self.table, vec![None; size]);
        let mask = size - 1;
        for (h, idx) in old.into_iter().flatten() {
            let mut i = (h as usize) & mask;
            let mut perturb = h;
            'probe: loop {
                if self.table[i].is_none() {
                    self.table[i] = Some((h, idx));
                    break;
                }
                if i + LINEAR_PROBES <= mask {
                    for slot in i + 1..=i + LINEAR_PROBES {
                        if self.table[slot].is_none() {
                            self.table[slot] = Some((h, idx));
                            break 'probe;
                        }
                    }
                }
                perturb >>= PERTURB_SHIFT;
                i = i
                    .wrapping_mul(5)
                    .wrapping_add(1)
                    .wrapping_add(perturb as usize)
                    & mask;
            }
        }
    }

    /// The keys in iteration order (`list(s)`).
    pub(crate) fn into_iteration_order(self) -> Vec<Vec<u32>> {
        let mut keys: Vec<Option<Vec<u32>>> = self.keys.into_iter().map(Some).collect();
        self.table
            .into_iter()
            .flatten()
            .filter_map(|(_, idx)| keys[idx].take())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuple_hashes_match_cpython() {
        // CPython 3.11: hash((0, 1)), hash((1, 0)), hash(())
        assert_eq!(tuple_hash(&[0, 1]) as i64, -1950498447580522560);
        assert_eq!(tuple_hash(&[1, 0]) as i64, -5164621852614943976);
        assert_eq!(tuple_hash(&[]) as i64, 5740354900026072187);
    }

    fn order_after(keys: &[&[u32]]) -> Vec<Vec<u32>> {
        let mut s = PySet::default();
        for k in keys {
            s.insert(k.to_vec());
        }
        s.into_iteration_order()
    }

    #[test]
    fn iteration_order_matches_cpython() {
        // CPython: s = set(); s.add(k) for each k in order; list(s). The first case crosses
        // one resize (8 -> 32 slots), the second uses linear probing in the larger table.
        let got = order_after(&[
            &[0, 1],
            &[1, 0],
            &[0, 0],
            &[2, 0],
            &[1, 1],
            &[0, 2],
            &[1, 0],
        ]);
        let want: Vec<Vec<u32>> = vec![
            vec![0, 1],
            vec![0, 0],
            vec![1, 1],
            vec![2, 0],
            vec![0, 2],
            vec![1, 0],
        ];
        assert_eq!(got, want);
        let got = order_after(&[
            &[0, 0, 1],
            &[3, 0, 0],
            &[1, 1, 1],
            &[0, 2, 2],
            &[1, 0, 3],
            &[2, 2, 0],
            &[0, 0, 4],
            &[1, 2, 0],
            &[0, 1, 0],
        ]);
        let want: Vec<Vec<u32>> = [
            [0, 0, 4],
            [0, 1, 0],
            [1, 2, 0],
            [3, 0, 0],
            [1, 0, 3],
            [0, 2, 2],
            [0, 0, 1],
            [1, 1, 1],
            [2, 2, 0],
        ]
        .iter()
        .map(|k| k.to_vec())
        .collect();
        assert_eq!(got, want);
    }
}
