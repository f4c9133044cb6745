//! Property tests: wrapping never loses a command or an effect; renaming through quotes
//! keeps argv[0]; arbitrary input never panics and stays within bounds.
