//! One row per behaviour of SPEC §4.3.

use super::*;

fn argv(command: &str) -> Vec<String> {
    shlex::split(command).unwrap_or_else(|| panic!("bad test command {command}"))
}

fn meets(rule: &str, command: &str, erring: bool) -> bool {
    let rule = CommandRule::compile(rule, Origin::builtin("test")).unwrap();
    rule.matches(&argv(command), erring)
}

/// (rule, command, matches as a deny rule, matches as an allow rule)
const ROWS: &[(&str, &str, bool, bool)] = &[
    // prefix match of positional words
    ("git push", "git push origin main", true, true),
    ("git push", "git pull", false, false),
    ("git push origin", "git push upstream", false, false),
    ("cargo test", "cargo", false, false),
    // program compared by basename
    ("rm", "/usr/bin/rm -f x", true, true),
    ("/bin/rm", "rm x", true, true),
    // `*` in a word, word `*`, `**`
    ("mkfs*", "mkfs.ext4 /dev/sda1", true, true),
    (
        "cargo test -p *-export",
        "cargo test -p billing-export",
        true,
        true,
    ),
    ("git * main", "git push main", true, true),
    ("git * main", "git push", false, false),
    (
        "aws ** delete*",
        "aws ec2 delete-vpc --vpc-id x",
        true,
        true,
    ),
    ("aws ** delete*", "aws ec2 describe-vpcs", false, false),
    // flags: order-free, unbundled on both sides, `--flag=value`
    ("rm -rf", "rm -f -r x", true, true),
    ("rm -rf", "rm -fr x", true, true),
    ("rm -rf", "rm x -rf", true, true),
    ("rm -rf", "rm -r x", false, false),
    (
        "git push --force",
        "git push --force=yes origin",
        true,
        true,
    ),
    (
        "git push --force",
        "git push --force-with-lease",
        false,
        false,
    ),
    ("git clean -f", "git clean -fdx", true, true),
    // deny rules skip flags (and a possible value) between positional words; allow rules do not
    ("tool deploy", "tool --env prod deploy", true, false),
    ("git push", "git --bogus push", true, true),
    ("git stash drop", "git stash -q drop", true, true),
    ("git stash drop", "git stash --message m drop", true, false),
    ("git checkout ** .", "git checkout -- .", true, true),
    ("git checkout ** .", "git checkout main -- .", true, true),
    // known global options are set aside for every rule
    (
        "git status",
        "git -C /tmp/x -c color.ui=never status",
        true,
        true,
    ),
    ("git log", "git --no-pager log", true, true),
    (
        "git log",
        "git --git-dir=.git --work-tree . log",
        true,
        true,
    ),
    (
        "kubectl apply",
        "kubectl -n prod --context c apply -f x.yaml",
        true,
        true,
    ),
    ("kubectl get pods", "kubectl get -n prod pods", true, true),
    (
        "kubectl get pods",
        "kubectl --kubeconfig k get pods",
        true,
        true,
    ),
    ("helm install", "helm -n x install r chart", true, true),
    ("docker ps", "docker -H tcp://h ps", true, true),
    ("cargo test", "cargo +nightly test", true, true),
    (
        "cargo test",
        "cargo --color always --config x=1 test",
        true,
        true,
    ),
    (
        "terraform apply",
        "terraform -chdir=infra apply",
        true,
        true,
    ),
    ("gh pr merge", "gh -R o/r pr merge 1", true, true),
    ("npm install", "npm --prefix p install", true, true),
    ("aws s3 ls", "aws --profile p --region r s3 ls", true, true),
    (
        "gcloud compute list",
        "gcloud --project p compute list",
        true,
        true,
    ),
    // a global option of another program is not set aside for strict rules
    ("ls", "ls -la", true, true),
    ("make test", "make -j4 test", true, true),
    ("make test", "make -f other.mk test", true, false),
    // `re:` rules test the words joined by single spaces
    (
        "re:^git push .*--force",
        "git   push origin --force",
        true,
        true,
    ),
    ("re:^dd( .*)? of=/dev/sd", "dd if=x of=/dev/sda", true, true),
    (
        "re:^dd( .*)? of=/dev/sd",
        "dd if=x of=/dev/null",
        false,
        false,
    ),
];

#[test]
fn command_rules_match_as_documented() {
    for (rule, command, deny, allow) in ROWS {
        assert_eq!(
            meets(rule, command, true),
            *deny,
            "deny rule `{rule}` vs `{command}`"
        );
        assert_eq!(
            meets(rule, command, false),
            *allow,
            "allow rule `{rule}` vs `{command}`"
        );
    }
}

#[test]
fn bad_rules_are_reported_with_the_user_input() {
    let rows = [
        ("re:(unclosed", "invalid regex `(unclosed`"),
        ("git 'push", "unbalanced quotes in `git 'push`"),
        ("", "empty command rule"),
    ];
    for (rule, want) in rows {
        let error = CommandRule::compile(rule, Origin::builtin("t"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.starts_with(want), "{rule}: {error}");
    }
}

#[test]
fn hostile_commands_with_many_flags_match_in_linear_time() {
    let mut command = vec!["tool".to_string()];
    command.extend((0..10_000).flat_map(|i| [format!("--f{i}"), format!("v{i}")]));
    command.push("deploy".into());
    let rule = CommandRule::compile("tool deploy", Origin::builtin("t")).unwrap();
    assert!(rule.matches(&command, true));
    assert!(!rule.matches(&command, false));
}

#[test]
fn the_global_options_table_names_the_documented_programs() {
    let programs: Vec<&str> = global_options_table().iter().map(|g| g.program).collect();
    for program in [
        "git",
        "kubectl",
        "helm",
        "docker",
        "cargo",
        "terraform",
        "gh",
        "npm",
        "aws",
        "gcloud",
    ] {
        assert!(programs.contains(&program), "{program} missing");
    }
}

/// The shortcut before the full match (`may_meet`) is only ever a "no" the full match
/// would also give: every rule of the table and of the built-in packs, against every
/// command of the table and a spread of everyday ones, in both modes.
#[test]
fn the_presence_shortcut_never_changes_whether_a_rule_matches() {
    let mut rules: Vec<CommandRule> = ROWS
        .iter()
        .map(|(rule, ..)| CommandRule::compile(rule, Origin::builtin("test")).unwrap())
        .collect();
    for text in [
        "git push --force",
        "git push -f origin *",
        "git -C * reset --hard",
        "git clean -fdx",
        "git clean -f -d",
        "rm -rf /",
        "kubectl delete ns *",
        "kubectl -n prod apply",
        "cargo publish",
        "npm publish --access public",
        "terraform -chdir=* destroy",
        "docker run --privileged",
        "git commit --no-verify",
        "git * --force-with-lease",
    ] {
        rules.push(CommandRule::compile(text, Origin::builtin("test")).unwrap());
    }
    let mut commands: Vec<&str> = ROWS.iter().map(|(_, command, ..)| *command).collect();
    commands.extend([
        "git status",
        "git push origin main --force",
        "git push -uf origin main",
        "git -C ../other reset --hard HEAD~1",
        "git clean -xdf",
        "git clean -d -f",
        "rm -r -f /",
        "kubectl --namespace prod delete ns x",
        "terraform -chdir=infra destroy -auto-approve",
        "docker run --rm --privileged alpine",
        "git commit -n -m x --no-verify",
        "git push --force-with-lease=main",
        "cargo test -p billing",
        "npm publish",
    ]);
    let mut met = 0;
    for rule in &rules {
        for command in &commands {
            for erring in [true, false] {
                let argv = argv(command);
                let full = rule.matches_without_shortcut(&argv, erring);
                assert_eq!(
                    rule.matches(&argv, erring),
                    full,
                    "`{}` vs `{command}` (erring: {erring})",
                    rule.text
                );
                met += usize::from(full);
            }
        }
    }
    assert!(
        met > 40,
        "the spread meets too few rules to show anything: {met}"
    );
}
