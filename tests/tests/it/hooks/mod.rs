//! Integration tests: the hook executables as Claude Code runs them.

mod edges;
mod fail_closed;
mod own_tools;
mod real_inputs;
mod review_fixes;
