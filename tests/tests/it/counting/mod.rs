//! Integration tests: counting.
