//! The security team's rollout questions (issue 15): a managed layer that tightens and never
//! loosens, retention and `prune`, incident lookup (`why`), a packet that tells the truth,
//! rollout metrics (`stats`, its HTML page in a real browser).

mod managed;
mod outcome;
mod packet;
mod prune;
mod stats;
mod why;
