//! Pack `deploy`: commands that change shared infrastructure (rule data), and SQL that drops
//! or truncates data sent through a database CLI (semantic check).

use super::{PackData, PackHit, Section, hit, rule};
use crate::shell::Analysis;
use crate::verdict::Verdict::Deny;

/// Built-in pack `deploy`: commands that change shared infrastructure. SQL DROP/TRUNCATE
/// through database CLIs is recognised by the shell analysis.
pub(crate) const PACK: PackData = PackData {
    name: "deploy",
    description: "commands that change shared infrastructure",
    rules: &[
        rule(
            "terraform-apply",
            Section::Run,
            Deny,
            "terraform apply",
            "changes real infrastructure; run `terraform plan` and ask the user",
        ),
        rule(
            "terraform-destroy",
            Section::Run,
            Deny,
            "terraform destroy",
            "destroys real infrastructure; stop and ask the user",
        ),
        rule(
            "tofu-apply",
            Section::Run,
            Deny,
            "tofu apply",
            "changes real infrastructure; run `tofu plan` and ask the user",
        ),
        rule(
            "tofu-destroy",
            Section::Run,
            Deny,
            "tofu destroy",
            "destroys real infrastructure; stop and ask the user",
        ),
        rule(
            "kubectl-apply",
            Section::Run,
            Deny,
            "kubectl apply",
            "changes a cluster; use `kubectl diff` and ask the user",
        ),
        rule(
            "kubectl-delete",
            Section::Run,
            Deny,
            "kubectl delete",
            "deletes cluster resources; stop and ask the user",
        ),
        rule(
            "helm-install",
            Section::Run,
            Deny,
            "helm install",
            "deploys to a cluster; use `helm template` and ask the user",
        ),
        rule(
            "helm-upgrade",
            Section::Run,
            Deny,
            "helm upgrade",
            "deploys to a cluster; use `helm diff` or `helm template` and ask the user",
        ),
        rule(
            "helm-uninstall",
            Section::Run,
            Deny,
            "helm uninstall",
            "removes a release from a cluster; stop and ask the user",
        ),
        rule(
            "helm-delete",
            Section::Run,
            Deny,
            "helm delete",
            "removes a release from a cluster; stop and ask the user",
        ),
        rule(
            "aws-delete",
            Section::Run,
            Deny,
            "aws ** delete*",
            "deletes cloud resources; stop and ask the user",
        ),
        rule(
            "aws-s3-rm",
            Section::Run,
            Deny,
            "aws s3 rm",
            "deletes cloud objects; stop and ask the user",
        ),
        rule(
            "aws-s3-rb",
            Section::Run,
            Deny,
            "aws s3 rb",
            "deletes a bucket; stop and ask the user",
        ),
        rule(
            "gcloud-delete",
            Section::Run,
            Deny,
            "gcloud ** delete",
            "deletes cloud resources; stop and ask the user",
        ),
        rule(
            "az-delete",
            Section::Run,
            Deny,
            "az ** delete",
            "deletes cloud resources; stop and ask the user",
        ),
    ],
};

const DATABASES: &[&str] = &[
    "psql",
    "mysql",
    "mariadb",
    "sqlite3",
    "sqlite",
    "mongosh",
    "mongo",
    "redis-cli",
    "sqlcmd",
    "clickhouse-client",
    "cockroach",
    "duckdb",
    "cqlsh",
    "pgcli",
    "mycli",
];

fn destroys_data(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    upper
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .any(|w| {
            matches!(
                w,
                "DROP" | "TRUNCATE" | "FLUSHALL" | "FLUSHDB" | "DROPDATABASE"
            )
        })
        || upper.contains(".DROP(")
}

/// The semantic checks of the pack on one analysis.
pub(crate) fn checks(analysis: &Analysis) -> Vec<PackHit> {
    let mut hits = Vec::new();
    let refuse = |text: &str| {
        hit(
            "database-drop",
            format!("`{text}` drops or truncates data"),
            "write a migration for review, or ask the user",
        )
    };
    for command in &analysis.commands {
        let is_db = command
            .argv
            .first()
            .is_some_and(|n| DATABASES.contains(&n.as_str()));
        if is_db && command.argv[1..].iter().any(|a| destroys_data(a)) {
            hits.push(refuse(&command.text));
        }
    }
    for feed in &analysis.feeds {
        if DATABASES.contains(&feed.program.as_str())
            && feed.text.as_deref().is_some_and(destroys_data)
        {
            hits.push(refuse(&feed.command));
        }
    }
    hits
}
