//! Integration tests: the hook executables as Claude Code runs them.

mod budget_cache;
mod commandless_calls_and_stop_limits;
mod deadline;
mod edges;
mod fail_closed;
mod own_tools;
mod real_inputs;
mod standard_streams;
