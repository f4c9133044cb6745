//! The hook executables' shared edge: read stdin, load the budget, call the library,
//! write one reply, choose the exit code.
