//! brush's parameter expansions (`${x:-y}`, `${a[i]}`, `${#x}`, …) as [`Piece::Var`]: the
//! name, the embedded words whose substitutions also run, and what the expansion does
//! that matters to the analysis (assigns, evaluates, prints an error message).

use super::Piece;
use brush_parser::word::{Parameter, ParameterExpr};

fn parameter_name(parameter: &Parameter) -> String {
    match parameter {
        Parameter::Positional(n) => n.to_string(),
        Parameter::Special(special) => special.to_string(),
        Parameter::Named(name) => name.clone(),
        Parameter::NamedWithIndex { name, .. } | Parameter::NamedWithAllIndices { name, .. } => {
            name.clone()
        }
    }
}

pub(super) fn convert_parameter(expr: ParameterExpr) -> Piece {
    use ParameterExpr as P;
    let assigns = matches!(expr, P::AssignDefaultValues { .. });
    let evaluates = match &expr {
        P::Parameter { indirect, .. } => *indirect,
        P::Substring { .. } => true,
        _ => false,
    };
    let error_message = matches!(expr, P::IndicateErrorIfNullOrUnset { .. });
    let var = |parameter: &Parameter, plain: bool, inner: Vec<Option<String>>| Piece::Var {
        name: parameter_name(parameter),
        plain,
        inner: inner.into_iter().flatten().collect(),
        assigns,
        evaluates: evaluates || matches!(parameter, Parameter::NamedWithIndex { .. }),
        error_message,
    };
    match expr {
        P::Parameter {
            parameter,
            indirect,
        } => {
            let plain = !indirect && matches!(parameter, Parameter::Named(_));
            let mut inner = Vec::new();
            if let Parameter::NamedWithIndex { index, .. } = &parameter {
                inner.push(Some(index.clone()));
            }
            var(&parameter, plain, inner)
        }
        P::UseDefaultValues {
            parameter,
            default_value: v,
            ..
        }
        | P::AssignDefaultValues {
            parameter,
            default_value: v,
            ..
        }
        | P::IndicateErrorIfNullOrUnset {
            parameter,
            error_message: v,
            ..
        }
        | P::UseAlternativeValue {
            parameter,
            alternative_value: v,
            ..
        }
        | P::RemoveSmallestSuffixPattern {
            parameter,
            pattern: v,
            ..
        }
        | P::RemoveLargestSuffixPattern {
            parameter,
            pattern: v,
            ..
        }
        | P::RemoveSmallestPrefixPattern {
            parameter,
            pattern: v,
            ..
        }
        | P::RemoveLargestPrefixPattern {
            parameter,
            pattern: v,
            ..
        }
        | P::UppercaseFirstChar {
            parameter,
            pattern: v,
            ..
        }
        | P::UppercasePattern {
            parameter,
            pattern: v,
            ..
        }
        | P::LowercaseFirstChar {
            parameter,
            pattern: v,
            ..
        }
        | P::LowercasePattern {
            parameter,
            pattern: v,
            ..
        } => var(&parameter, false, vec![v]),
        // `${#NAME}` is the value's length, not the value: named `#NAME` so it is not
        // taken for an expansion of `NAME` (the secrets pack), and stays dynamic.
        P::ParameterLength { parameter, .. } => Piece::Var {
            name: format!("#{}", parameter_name(&parameter)),
            plain: false,
            inner: vec![],
            assigns: false,
            evaluates: false,
            error_message: false,
        },
        P::Transform { parameter, .. } => var(&parameter, false, vec![]),
        P::Substring {
            parameter,
            offset,
            length,
            ..
        } => var(
            &parameter,
            false,
            vec![Some(offset.value), length.map(|l| l.value)],
        ),
        P::ReplaceSubstring {
            parameter,
            pattern,
            replacement,
            ..
        } => var(&parameter, false, vec![Some(pattern), replacement]),
        P::VariableNames { prefix, .. } => Piece::Var {
            name: prefix,
            plain: false,
            inner: vec![],
            assigns: false,
            evaluates: false,
            error_message: false,
        },
        P::MemberKeys { variable_name, .. } => Piece::Var {
            name: variable_name,
            plain: false,
            inner: vec![],
            assigns: false,
            evaluates: false,
            error_message: false,
        },
    }
}
