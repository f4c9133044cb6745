//! `claude-budget check` names the contradictions of a budget against the repository.
