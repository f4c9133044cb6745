//! Issue 9, class 7: a secret-named variable reaching any printer through one copy
//! (assignment, `read`, `for`, `set --`, `printf -v`, `export`, `declare`) is still refused;
//! the same text in single quotes is not.

use super::{FakeFs, context};
use budget_policy::packs::pack_hits;
use budget_policy::shell::analyse;
use proptest::prelude::*;

const SECRETS: &[&str] = &[
    "GITHUB_TOKEN",
    "API_KEY",
    "DB_PASSWORD",
    "AWS_SECRET_ACCESS_KEY",
    "SESSION_COOKIE",
];

/// How the secret gets into a variable, and the name a printer then expands.
fn copy(kind: usize, secret: &str) -> (String, &'static str) {
    match kind {
        0 => (format!("x=${secret}"), "x"),
        1 => (format!("x=\"${secret}\""), "x"),
        2 => (format!("read -r x <<< \"${secret}\""), "x"),
        3 => (format!("set -- \"${secret}\""), "1"),
        4 => (format!("printf -v x %s \"${secret}\""), "x"),
        5 => (format!("export x=\"${secret}\""), "x"),
        _ => (format!("declare x=\"${{{secret}}}\""), "x"),
    }
}

fn printer(kind: usize, name: &str) -> String {
    match kind {
        0 => format!("echo \"${name}\""),
        1 => format!("echo ${name}"),
        2 => format!("printf '%s\\n' \"${name}\""),
        3 => format!("cat <<< \"${name}\""),
        4 => format!("grep . <<< \"${name}\""),
        _ => format!("echo \"v=${{{name}}}\""),
    }
}

fn secret_hits(command: &str) -> usize {
    let fs = FakeFs::project();
    let ctx = context(&fs);
    let analysis = analyse(command, &ctx);
    pack_hits("secrets", &analysis, &ctx).len()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_secret_reaching_a_printer_through_one_copy_is_refused(
        secret in prop::sample::select(SECRETS),
        how in 0usize..7,
        print in 0usize..6,
        separator in prop::sample::select(&["; ", " && ", "\n"][..]),
    ) {
        let (copied, name) = copy(how, secret);
        let command = format!("{copied}{separator}{}", printer(print, name));
        prop_assert!(secret_hits(&command) > 0, "not refused: {}", command);
    }

    #[test]
    fn a_for_loop_copy_reaching_a_printer_is_refused(
        secret in prop::sample::select(SECRETS),
        print in 0usize..6,
    ) {
        let command = format!("for t in \"${secret}\"; do {}; done", printer(print, "t"));
        prop_assert!(secret_hits(&command) > 0, "not refused: {}", command);
    }

    #[test]
    fn the_same_names_in_single_quotes_are_text(
        secret in prop::sample::select(SECRETS),
        print in 0usize..3,
    ) {
        let command = match print {
            0 => format!("echo '${secret}'"),
            1 => format!("echo \"Use \\${secret}\""),
            _ => format!("echo Token: \\${secret}"),
        };
        prop_assert_eq!(secret_hits(&command), 0, "refused text: {}", command);
    }
}
