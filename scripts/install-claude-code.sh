#!/bin/sh
# Installs the real Claude Code CLI, pinned, into <repo>/.e2e/ for the end-to-end tests
# (tests/tests/it/e2e). Idempotent: does nothing when the pinned version is already there.
#
# It exits 0 even when npm is missing or the install fails, printing a loud line saying why;
# the e2e tests then print `SKIP e2e: …` locally, and FAIL when `CI` is set (.ci/run sets
# it), so a CI run can never pass having skipped them. On success the last line of stdout
# is the absolute path of the `claude` binary.
#
# Why pinned exactly: from 2.1.198 on the package declares node >= 22, and with an older node a
# range install silently picks 2.1.197, whose hook behaviour differs. The native binary lives in
# the optional dependency `@anthropic-ai/claude-code-linux-x64`; we install with
# --ignore-scripts and run that binary directly (node is not needed at run time).

set -u

CLAUDE_CODE_VERSION="2.1.329"
repo_root=$(cd "$(dirname "$0")/.." && pwd)
prefix="$repo_root/.e2e"
platform_pkg="claude-code-linux-x64"
binary="$prefix/node_modules/@anthropic-ai/$platform_pkg/claude"
manifest="$prefix/node_modules/@anthropic-ai/$platform_pkg/package.json"

skip() {
    echo "!!! E2E SKIPPED: cannot install Claude Code $CLAUDE_CODE_VERSION: $1" >&2
    echo "!!! the end-to-end tests against the real CLI will print SKIP (with CI set: FAIL)" >&2
    exit 0
}

installed_version() {
    # The version field of the platform package's manifest, without needing node.
    [ -f "$manifest" ] || return 1
    sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$manifest" | head -n 1
}

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) skip "only linux-x64 is wired up (this is $(uname -s)-$(uname -m))" ;;
esac

if [ -x "$binary" ] && [ "$(installed_version)" = "$CLAUDE_CODE_VERSION" ]; then
    echo "Claude Code $CLAUDE_CODE_VERSION already installed" >&2
    echo "$binary"
    exit 0
fi

command -v npm >/dev/null 2>&1 || skip "npm is not on PATH"

mkdir -p "$prefix" || skip "cannot create $prefix"
# A private package.json so npm installs here and never walks up to another project.
[ -f "$prefix/package.json" ] || printf '{ "name": "claude-budget-e2e", "private": true }\n' >"$prefix/package.json"

started=$(date +%s)
echo "installing @anthropic-ai/claude-code@$CLAUDE_CODE_VERSION into $prefix ..." >&2
if ! npm install --prefix "$prefix" --no-save --ignore-scripts --no-audit --no-fund \
    --loglevel=error "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION" >&2; then
    skip "npm install failed (no registry access?)"
fi
elapsed=$(($(date +%s) - started))

[ -x "$binary" ] || skip "npm finished but $binary is missing (optional dependency not installed?)"
got=$(installed_version)
[ "$got" = "$CLAUDE_CODE_VERSION" ] || skip "installed version is '$got', wanted $CLAUDE_CODE_VERSION"

echo "installed Claude Code $CLAUDE_CODE_VERSION in ${elapsed}s" >&2
echo "$binary"
