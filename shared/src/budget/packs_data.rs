//! The built-in packs' rules (SPEC §4.8) as constant data, so loading a budget that
//! extends them parses nothing. Rules are written in the budget file's command and glob
//! languages (SPEC §4.2–4.3); every rule has a stable id (`pack:destructive/git-reset-hard`).

use super::packs::{PackData, RuleData, Section};
use crate::verdict::Verdict::Deny;

const fn rule(
    id: &'static str,
    section: Section,
    verdict: crate::verdict::Verdict,
    pattern: &'static str,
    message: &'static str,
) -> RuleData {
    RuleData {
        id,
        section,
        verdict,
        pattern,
        message,
    }
}

/// Built-in pack `deploy`: commands that change shared infrastructure. SQL DROP/TRUNCATE
/// through database CLIs is recognised by the shell analysis.
const DEPLOY: PackData = PackData {
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

/// Built-in pack `destructive`: commands that destroy work or history.
/// Rules are written in the budget file's command language (SPEC §4.3). The semantic checks
/// that words cannot express (recursive deletes outside the project, `+refspec` pushes,
/// pipe-to-shell, git config keys that run programs) live in the shell analysis.
const DESTRUCTIVE: PackData = PackData {
    name: "destructive",
    description: "commands that destroy work, history or disks",
    rules: &[
        rule(
            "git-reset-hard",
            Section::Run,
            Deny,
            "git reset --hard",
            "discards uncommitted work; use `git stash` or ask the user",
        ),
        rule(
            "git-clean-force",
            Section::Run,
            Deny,
            "git clean -f",
            "deletes untracked files; list them with `git clean -n` and ask the user",
        ),
        rule(
            "git-clean-force-long",
            Section::Run,
            Deny,
            "git clean --force",
            "deletes untracked files; list them with `git clean -n` and ask the user",
        ),
        rule(
            "git-checkout-dot",
            Section::Run,
            Deny,
            "git checkout ** .",
            "discards every uncommitted change; restore single files you changed yourself",
        ),
        // `git restore .` (but not `--staged`, which only unstages) is a semantic check:
        // see `shell::programs::git::destructive_forms`.
        rule(
            "git-push-force",
            Section::Run,
            Deny,
            "git push --force",
            "rewrites shared history; push without force or ask the user",
        ),
        rule(
            "git-push-force-short",
            Section::Run,
            Deny,
            "git push -f",
            "rewrites shared history; push without force or ask the user",
        ),
        rule(
            "git-push-force-with-lease",
            Section::Run,
            Deny,
            "git push --force-with-lease",
            "rewrites shared history; push without force or ask the user",
        ),
        rule(
            "git-branch-force-delete",
            Section::Run,
            Deny,
            "git branch -D",
            "deletes a branch even when unmerged; use `git branch -d` or ask the user",
        ),
        rule(
            "git-branch-delete-force",
            Section::Run,
            Deny,
            "git branch -d -f",
            "deletes a branch even when unmerged; use `git branch -d` or ask the user",
        ),
        rule(
            "git-branch-delete-force-long",
            Section::Run,
            Deny,
            "git branch --delete --force",
            "deletes a branch even when unmerged; use `git branch -d` or ask the user",
        ),
        rule(
            "git-stash-drop",
            Section::Run,
            Deny,
            "git stash drop",
            "loses stashed work; leave the stash in place",
        ),
        rule(
            "git-stash-clear",
            Section::Run,
            Deny,
            "git stash clear",
            "loses all stashed work; leave the stash in place",
        ),
        rule(
            "chmod-recursive-777",
            Section::Run,
            Deny,
            "chmod -R 777",
            "makes a whole tree world-writable; set the permissions a file needs",
        ),
        rule(
            "chmod-recursive-777-long",
            Section::Run,
            Deny,
            "chmod --recursive 777",
            "makes a whole tree world-writable; set the permissions a file needs",
        ),
        rule(
            "chmod-recursive-a-rwx",
            Section::Run,
            Deny,
            "chmod -R a+rwx",
            "makes a whole tree world-writable; set the permissions a file needs",
        ),
        rule(
            "mkfs",
            Section::Run,
            Deny,
            "mkfs*",
            "formats a file system; stop and ask the user",
        ),
        rule(
            "dd-to-device",
            Section::Run,
            Deny,
            "re:^dd( .*)? of=/dev/(sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|md|dm-|loop|mapper/)",
            "overwrites a block device; stop and ask the user",
        ),
    ],
};

/// Built-in pack `secrets`: reading credentials. Printing the environment or secret-named
/// variables is recognised by the shell analysis, not by these rules.
const SECRETS: PackData = PackData {
    name: "secrets",
    description: "reading credentials and private keys",
    rules: &[
        rule(
            "dotenv",
            Section::Read,
            Deny,
            ".env",
            "environment files hold secrets; ask the user for the value you need",
        ),
        rule(
            "dotenv-variants",
            Section::Read,
            Deny,
            ".env.*",
            "environment files hold secrets; ask the user for the value you need",
        ),
        rule(
            "pem-files",
            Section::Read,
            Deny,
            "*.pem",
            "private keys and certificates stay unread",
        ),
        rule(
            "key-files",
            Section::Read,
            Deny,
            "*.key",
            "private keys stay unread",
        ),
        rule(
            "pkcs12-files",
            Section::Read,
            Deny,
            "*.p12",
            "private keys stay unread",
        ),
        rule(
            "ssh-private-keys",
            Section::Read,
            Deny,
            "id_{rsa,dsa,ecdsa,ed25519}*",
            "ssh keys stay unread",
        ),
        rule(
            "ssh-dir",
            Section::Read,
            Deny,
            "~/.ssh/**",
            "ssh keys and config stay unread",
        ),
        rule(
            "aws-dir",
            Section::Read,
            Deny,
            "~/.aws/**",
            "cloud credentials stay unread",
        ),
        rule(
            "gcloud-dir",
            Section::Read,
            Deny,
            "~/.config/gcloud/**",
            "cloud credentials stay unread",
        ),
        rule(
            "azure-dir",
            Section::Read,
            Deny,
            "~/.azure/**",
            "cloud credentials stay unread",
        ),
        rule(
            "kube-config",
            Section::Read,
            Deny,
            "~/.kube/config",
            "cluster credentials stay unread",
        ),
        rule(
            "docker-config",
            Section::Read,
            Deny,
            "~/.docker/config.json",
            "registry credentials stay unread",
        ),
        rule(
            "gh-hosts",
            Section::Read,
            Deny,
            "~/.config/gh/hosts.yml",
            "GitHub tokens stay unread",
        ),
        rule(
            "netrc",
            Section::Read,
            Deny,
            ".netrc",
            "login credentials stay unread",
        ),
        rule(
            "npmrc",
            Section::Read,
            Deny,
            ".npmrc",
            "registry tokens stay unread",
        ),
        rule(
            "pypirc",
            Section::Read,
            Deny,
            ".pypirc",
            "registry tokens stay unread",
        ),
        rule(
            "git-credentials",
            Section::Read,
            Deny,
            ".git-credentials",
            "git credentials stay unread",
        ),
        rule(
            "cargo-credentials",
            Section::Read,
            Deny,
            "~/.cargo/credentials*",
            "registry tokens stay unread",
        ),
        rule(
            "gcp-service-account",
            Section::Read,
            Deny,
            "*service-account*.json",
            "cloud credentials stay unread",
        ),
    ],
};

/// Every built-in pack, in the order `extends` documents them.
pub(super) const PACKS: &[PackData] = &[DEPLOY, DESTRUCTIVE, SECRETS];
