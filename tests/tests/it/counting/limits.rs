//! Retry, spend, stop and halt through the real hooks (SPEC §6.2–§6.5): a scripted session of
//! real `claude-budget-post-tool-use` and `claude-budget-pre-tool-use` processes, the replies
//! read as Claude Code reads them.

use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};
use std::path::PathBuf;

const PRE: &str = "claude-budget-pre-tool-use";
const POST: &str = "claude-budget-post-tool-use";
const SESSION: &str = "limits";

/// The cost of the bundled batch transcript, as Claude Code itself priced it.
const BATCH_TRANSCRIPT_USD: f64 = 0.021364;

fn batch_transcript() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/transcripts/batch_two_tool_uses_v2.1.329.jsonl")
}

/// One scripted session of a project: numbered tool_use_ids, one transcript.
struct Run {
    project: TempProject,
    transcript: PathBuf,
    calls: usize,
}

/// What the pre-tool-use hook answered, as Claude Code would read it.
#[derive(Debug)]
struct Answer {
    exit: Option<i32>,
    reply: Value,
}

impl Answer {
    fn decision(&self) -> &str {
        self.reply["hookSpecificOutput"]["permissionDecision"]
            .as_str()
            .unwrap_or("none")
    }
    fn reason(&self) -> &str {
        self.reply["hookSpecificOutput"]["permissionDecisionReason"]
            .as_str()
            .unwrap_or_default()
    }
    fn context(&self) -> Option<&str> {
        self.reply["hookSpecificOutput"]["additionalContext"].as_str()
    }
    fn stop_reason(&self) -> Option<&str> {
        self.reply["stopReason"].as_str()
    }
    /// `continue: false`: Claude Code halts the agent.
    fn halts(&self) -> bool {
        self.reply["continue"] == json!(false)
    }
}

impl Run {
    fn new(budget: &str) -> Run {
        Run {
            project: TempProject::new().budget(budget),
            transcript: PathBuf::from("/nonexistent/transcript.jsonl"),
            calls: 0,
        }
    }

    fn with_transcript(mut self, path: PathBuf) -> Run {
        self.transcript = path;
        self
    }

    fn input(&mut self, event: &str, tool: &str, tool_input: Value) -> Value {
        self.calls += 1;
        json!({
            "session_id": SESSION,
            "transcript_path": self.transcript,
            "cwd": self.project.root,
            "permission_mode": "default",
            "hook_event_name": event,
            "tool_name": tool,
            "tool_input": tool_input,
            "tool_use_id": format!("toolu_{:04}", self.calls),
        })
    }

    fn pre(&mut self, tool: &str, tool_input: Value) -> Answer {
        let input = self.input("PreToolUse", tool, tool_input);
        let out = self.project.run_hook(PRE, &input);
        Answer {
            exit: out.status.code(),
            reply: stdout_json(&out).unwrap_or(Value::Null),
        }
    }

    fn bash(&mut self, command: &str) -> Answer {
        self.pre("Bash", json!({"command": command}))
    }

    fn bash_failed(&mut self, command: &str, error: &str) {
        let mut input = self.input("PostToolUseFailure", "Bash", json!({"command": command}));
        input["error"] = json!(error);
        let out = self.project.run_hook(POST, &input);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn status(&self) -> Value {
        let out = self
            .project
            .command("claude-budget")
            .args(["status", "--format", "json"])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "status JSON ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }
}

const RETRY_BUDGET: &str = r#"
version = 1
[run]
allow = ["cargo build", "cargo test"]
[retry]
same_command_failures = 3
"#;

const COMPILE_ERROR: &str = "Exit code 1\nerror[E0308]: mismatched types";

#[test]
fn a_command_that_failed_three_times_is_refused_with_its_last_error_and_what_to_do() {
    let mut run = Run::new(RETRY_BUDGET);
    for attempt in 1..=3 {
        let before = run.bash("cargo build");
        assert_eq!(before.decision(), "allow", "attempt {attempt}: {before:?}");
        run.bash_failed("cargo build", COMPILE_ERROR);
    }
    for command in ["cargo build", "cargo   build"] {
        let fourth = run.bash(command);
        assert_eq!(fourth.decision(), "deny", "`{command}`: {fourth:?}");
        assert_eq!(
            fourth.exit,
            Some(0),
            "a policy deny answers with the envelope"
        );
        let reason = fourth.reason();
        for needle in [
            "retry-limit",
            "failed 3 times",
            "error[E0308]: mismatched types",
            "Stop retrying",
            "to the user",
        ] {
            assert!(reason.contains(needle), "`{needle}` missing from: {reason}");
        }
        assert!(!fourth.halts(), "a retry limit does not end the run");
    }
    let other = run.bash("cargo test");
    assert_eq!(other.decision(), "allow", "{other:?}");
}

fn spend_budget(on_exceed: &str) -> String {
    format!(
        "version = 1\n[run]\nallow = [\"cargo test\"]\n[read]\nallow = [\"**\"]\n\
         [spend]\nmax_usd = 0.02\non_exceed = \"{on_exceed}\"\n"
    )
}

#[test]
fn spend_past_max_usd_denies_and_halt_also_stops_the_run_for_good() {
    // (on_exceed, the first answer halts the agent)
    let rows = [("deny", false), ("halt", true)];
    for (on_exceed, halts) in rows {
        let mut run = Run::new(&spend_budget(on_exceed)).with_transcript(batch_transcript());
        let first = run.bash("cargo test");
        assert_eq!(first.decision(), "deny", "{on_exceed}: {first:?}");
        assert!(
            first.reason().contains("spend-exceeded") && first.reason().contains("max_usd"),
            "{on_exceed}: {}",
            first.reason()
        );
        assert_eq!(first.halts(), halts, "{on_exceed}: {first:?}");
        assert_eq!(first.stop_reason().is_some(), halts, "{on_exceed}");
        // Every later call is refused, even one the budget allows outright.
        let later = run.pre(
            "Read",
            json!({"file_path": run.project.root.join("README.md")}),
        );
        assert_eq!(later.decision(), "deny", "{on_exceed}: {later:?}");
        if halts {
            assert!(later.halts(), "{later:?}");
            assert_eq!(later.stop_reason(), first.stop_reason());
            let status = run.status();
            assert_eq!(status["stopped"].as_str(), first.stop_reason());
        } else {
            assert!(later.reason().contains("spend-exceeded"), "{later:?}");
        }
        let usd = run.status()["spend"]["usd"].as_f64().unwrap_or_default();
        assert!(
            (usd - BATCH_TRANSCRIPT_USD).abs() < 1e-6,
            "{on_exceed}: spend {usd} counted once"
        );
    }
}

const STOP_BUDGET: &str = r#"
version = 1
[run]
allow = ["cargo test", "terraform plan"]
[[stop]]
run = ["terraform apply"]
reason = "Deploying is outside this budget."
"#;

#[test]
fn a_stop_rule_halts_the_agent_and_every_later_call_is_refused_with_its_reason() {
    let mut run = Run::new(STOP_BUDGET);
    assert_eq!(run.bash("terraform plan").decision(), "allow");
    let hit = run.bash("terraform -chdir=infra apply -auto-approve");
    assert_eq!(hit.decision(), "deny", "{hit:?}");
    assert!(hit.halts(), "{hit:?}");
    assert_eq!(hit.exit, Some(0));
    let stop_reason = hit.stop_reason().unwrap_or_default().to_owned();
    assert!(
        stop_reason.contains("Deploying is outside this budget."),
        "{stop_reason}"
    );
    for later in ["cargo test", "terraform plan"] {
        let answer = run.bash(later);
        assert_eq!(answer.decision(), "deny", "`{later}`: {answer:?}");
        assert!(answer.halts(), "`{later}`: {answer:?}");
        assert_eq!(answer.stop_reason(), Some(stop_reason.as_str()));
        assert!(
            answer
                .reason()
                .contains("Deploying is outside this budget."),
            "{}",
            answer.reason()
        );
    }
    let status = run.status();
    assert_eq!(status["stopped"].as_str(), Some(stop_reason.as_str()));
    assert_eq!(status["tool_calls"], 1, "only the allowed call counts");
}

#[test]
fn warn_at_adds_one_note_for_the_agent_and_never_repeats_it() {
    let mut run = Run::new(
        "version = 1\n[run]\nallow = [\"cargo test\"]\n\
         [spend]\nmax_tool_calls = 10\nwarn_at = 0.5\n",
    );
    let noted: Vec<usize> = (1..=8)
        .filter(|_| {
            let answer = run.bash("cargo test");
            assert_eq!(answer.decision(), "allow", "{answer:?}");
            answer
                .context()
                .is_some_and(|c| c.contains("max_tool_calls"))
        })
        .collect();
    // Calls 1-5 see 0..4 earlier calls (under 50% of 10); the 6th sees 5 and is warned.
    assert_eq!(noted, vec![6], "the note comes once, at the mark");
}

const ROLLBACK_BUDGET: &str = r#"
version = 1
[edit]
allow = ["src/**", "billing/**"]
default = "deny"
[evidence]
high_risk = ["billing/**"]
"#;

#[test]
fn a_high_risk_edit_needs_a_complete_rollback_note_which_may_always_be_written() {
    let mut run = Run::new(ROLLBACK_BUDGET);
    let rates = run.project.root.join("billing/rates.rs");
    run.project
        .write("billing/rates.rs", "pub const VAT: u32 = 20;\n");
    let edit = |run: &mut Run| {
        run.pre(
            "Edit",
            json!({"file_path": rates, "old_string": "20", "new_string": "21"}),
        )
    };
    let refused = edit(&mut run);
    assert_eq!(refused.decision(), "deny", "{refused:?}");
    for needle in [
        "rollback-note-missing",
        ".claude/rollback.md",
        "does not exist",
        "## Undo path",
        "## Stop before",
    ] {
        assert!(
            refused.reason().contains(needle),
            "`{needle}` missing from: {}",
            refused.reason()
        );
    }
    // Writing the note is allowed although `[edit] default = "deny"` names no rule for it.
    let note_path = run.project.root.join(".claude/rollback.md");
    let write_note = run.pre(
        "Write",
        json!({"file_path": note_path, "content": "## Change\nVAT rate\n"}),
    );
    assert_eq!(write_note.decision(), "allow", "{write_note:?}");
    let elsewhere = run.pre(
        "Write",
        json!({"file_path": run.project.root.join("NOTES.md"), "content": "x"}),
    );
    assert_eq!(
        elsewhere.decision(),
        "deny",
        "the default still applies elsewhere"
    );

    // (note text, decision of the edit, what the reason must name)
    let rows: &[(&str, &str, &[&str])] = &[
        (
            "## Change\nVAT 20 -> 21\n## Undo path\nrevert the commit\n",
            "deny",
            &[
                "is incomplete",
                "Data risk",
                "Trigger",
                "Owner",
                "Stop before",
            ],
        ),
        (
            "## Change\nVAT 20 -> 21\n## Undo path\nrevert the commit\n## Data risk\nnone\n\
             ## Trigger\nwrong invoices\n## Owner\nbilling team\n## Stop before\ndeploying\n",
            "allow",
            &[],
        ),
    ];
    for (note, decision, needles) in rows {
        run.project.write(".claude/rollback.md", note);
        let answer = edit(&mut run);
        assert_eq!(answer.decision(), *decision, "{note}: {answer:?}");
        for needle in *needles {
            assert!(
                answer.reason().contains(needle),
                "`{needle}` missing from: {}",
                answer.reason()
            );
        }
    }
}
