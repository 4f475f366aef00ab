//! The `task:` block of data.yaml turned into a built-in task: CALT's parameters are the
//! defaults, each given key overrides one, and a key the task does not take is an error.

use calt_algebra::MonomialOrder;
use calt_algebra::coeff::Field;
use calt_algebra::sampler::CoeffStyle;
use calt_algebra::tasks::TaskSpec;
use calt_core::config::{Backend, TaskSection};

/// The keys each task accepts besides `name`.
fn accepted_keys(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "gf17_addition" => &["prime", "min_length", "max_length"],
        "polynomial_addition" => &[
            "field",
            "symbols",
            "order",
            "min_polynomials",
            "max_polynomials",
            "max_num_terms",
            "max_degree",
            "min_degree",
            "max_coeff",
            "num_bound",
            "cumulative",
            "sampler",
        ],
        "integer_factorization" => &["prime_bound", "num_primes"],
        "integer_polynomial_factorization" => &[
            "variable",
            "num_factors",
            "max_num_terms",
            "max_degree",
            "min_degree",
            "max_coeff",
        ],
        "rational_polynomial_factorization" => &[
            "variable",
            "max_num_terms",
            "max_degree",
            "min_degree",
            "num_bound",
        ],
        "polynomial_reduction" => &[
            "field",
            "symbols",
            "order",
            "num_generators",
            "max_num_terms",
            "max_degree",
            "min_degree",
            "max_coeff",
            "num_bound",
            "min_terms",
            "max_pairs",
        ],
        "eigvec_3x3" => &["decimals"],
        _ => return None,
    })
}

/// Builds and validates the task; errors name `source` and the key.
pub fn task_from_section(t: &TaskSection, source: &str) -> anyhow::Result<TaskSpec> {
    let Some(accepted) = accepted_keys(&t.name) else {
        anyhow::bail!(
            "{source}: task.name: unknown task `{}`; built-in tasks: {}",
            t.name,
            TaskSpec::NAMES.join(", ")
        );
    };
    if let Some(key) = t.given_keys().into_iter().find(|k| !accepted.contains(k)) {
        anyhow::bail!(
            "{source}: task.{key}: task `{}` does not take `{key}`; it takes: {}",
            t.name,
            accepted.join(", ")
        );
    }
    let field = |key: &str, text: &Option<String>| -> anyhow::Result<Option<Field>> {
        text.as_deref()
            .map(|s| Field::parse(s).map_err(|e| anyhow::anyhow!("{source}: task.{key}: {e}")))
            .transpose()
    };
    let order = |text: &Option<String>| -> anyhow::Result<Option<MonomialOrder>> {
        text.as_deref()
            .map(|s| {
                MonomialOrder::parse(s).map_err(|e| anyhow::anyhow!("{source}: task.order: {e}"))
            })
            .transpose()
    };
    // max_coeff bounds ZZ coefficients and num_bound rational ones (CALT's sampler names);
    // a task with a `field` takes the one matching its ring, else the other.
    let bound_for = |f: Field| match f {
        Field::QQ => t.num_bound.or(t.max_coeff),
        _ => t.max_coeff.or(t.num_bound),
    };
    let mut spec = TaskSpec::default_for(&t.name)?;
    match &mut spec {
        TaskSpec::GfAddition(g) => {
            set(&mut g.prime, t.prime);
            set(&mut g.min_length, t.min_length);
            set(&mut g.max_length, t.max_length);
        }
        TaskSpec::PolynomialAddition(p) => {
            set(&mut p.field, field("field", &t.field)?);
            set(&mut p.symbols, t.symbols.clone());
            set(&mut p.order, order(&t.order)?);
            set(&mut p.min_polynomials, t.min_polynomials);
            set(&mut p.max_polynomials, t.max_polynomials);
            set(&mut p.max_num_terms, t.max_num_terms);
            set(&mut p.max_degree, t.max_degree);
            set(&mut p.min_degree, t.min_degree);
            set(&mut p.coeff_bound, bound_for(p.field));
            set(&mut p.cumulative, t.cumulative);
            set(&mut p.coeff_style, t.sampler.map(coeff_style));
        }
        TaskSpec::IntegerFactorization(i) => {
            set(&mut i.prime_bound, t.prime_bound);
            set(&mut i.num_primes, t.num_primes);
        }
        TaskSpec::IntegerPolynomialFactorization(i) => {
            set(&mut i.variable, t.variable.clone());
            set(&mut i.num_factors, t.num_factors);
            set(&mut i.max_num_terms, t.max_num_terms);
            set(&mut i.max_degree, t.max_degree);
            set(&mut i.min_degree, t.min_degree);
            set(&mut i.max_coeff, t.max_coeff);
        }
        TaskSpec::RationalPolynomialFactorization(r) => {
            set(&mut r.variable, t.variable.clone());
            set(&mut r.max_num_terms, t.max_num_terms);
            set(&mut r.max_degree, t.max_degree);
            set(&mut r.min_degree, t.min_degree);
            set(&mut r.num_bound, t.num_bound);
        }
        TaskSpec::PolynomialReduction(r) => {
            set(&mut r.field, field("field", &t.field)?);
            set(&mut r.symbols, t.symbols.clone());
            set(&mut r.order, order(&t.order)?);
            set(&mut r.num_generators, t.num_generators);
            set(&mut r.max_num_terms, t.max_num_terms);
            set(&mut r.max_degree, t.max_degree);
            set(&mut r.min_degree, t.min_degree);
            set(&mut r.coeff_bound, bound_for(r.field));
            set(&mut r.min_terms, t.min_terms);
            set(&mut r.max_pairs, t.max_pairs);
        }
        TaskSpec::Eigvec3x3(e) => set(&mut e.decimals, t.decimals),
    }
    spec.validate()
        .map_err(|e| anyhow::anyhow!("{source}: task ({}): {e}", t.name))?;
    Ok(spec)
}

fn coeff_style(backend: Backend) -> CoeffStyle {
    match backend {
        Backend::Sagemath => CoeffStyle::Sage,
        Backend::Sympy => CoeffStyle::SymPy,
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(name: &str) -> TaskSection {
        TaskSection {
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_and_overrides() {
        for name in TaskSpec::NAMES {
            let spec = task_from_section(&section(name), "d.yaml").unwrap();
            assert_eq!(spec.name(), name);
        }
        let t = TaskSection {
            prime: Some(7),
            ..section("gf17_addition")
        };
        let TaskSpec::GfAddition(g) = task_from_section(&t, "d.yaml").unwrap() else {
            panic!()
        };
        assert_eq!(g.prime, 7);
    }

    #[test]
    fn errors_name_the_key() {
        let t = TaskSection {
            prime: Some(7),
            ..section("integer_factorization")
        };
        let e = task_from_section(&t, "d.yaml").unwrap_err().to_string();
        assert!(
            e.starts_with("d.yaml: task.prime: task `integer_factorization` does not take"),
            "{e}"
        );
        let e = task_from_section(&section("gf18_addition"), "d.yaml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown task `gf18_addition`"), "{e}");
        let t = TaskSection {
            prime: Some(8),
            ..section("gf17_addition")
        };
        let e = task_from_section(&t, "d.yaml").unwrap_err().to_string();
        assert!(e.contains("prime"), "{e}");
        let t = TaskSection {
            field: Some("GF(8)".into()),
            ..section("polynomial_addition")
        };
        let e = task_from_section(&t, "d.yaml").unwrap_err().to_string();
        assert!(e.starts_with("d.yaml: task.field:"), "{e}");
    }
}
