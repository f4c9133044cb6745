//! Integration tests: the hook executables as Claude Code runs them.

mod commandless_calls_and_stop_limits;
mod fail_closed;
mod real_inputs;
