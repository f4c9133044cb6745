//! The part of Rust's process start-up a hook needs, done by hand.
//!
//! On glibc Linux the hook executables are entered as C's `main` (see `src/bin/*.rs`), which
//! skips Rust's own start-up. That start-up costs each hook call ~0.08 ms on a 2-core VM
//! (measured with two otherwise identical static programs, 1,500 interleaved spawns: 0.65
//! against 0.57 ms), nearly all of it spent where a hook gains nothing: glibc's
//! `pthread_getattr_np` reads and `sscanf`s `/proc/self/maps` so that a stack overflow can
//! be reported by name, and an alternate signal stack is mapped and unmapped for that
//! report. Of what it does, two things matter to a hook, and [`prepare`] keeps them:
//!
//! * The standard descriptors are open. Were stdout closed, the first file the hook opens
//!   (its session state) would get descriptor 1 and the reply would be written into it.
//! * A reader that went away is an error, not death by `SIGPIPE`: the pre-tool-use hook
//!   writes its deadline note to stderr before it decides, and a signal there would end it
//!   with no decision (which Claude Code treats as "go ahead").
//!
//! What is given up is the "has overflowed its stack" message: an overflow still ends the
//! process by a signal, as Rust's handler ends it by `abort`.

/// Makes the standard descriptors and `SIGPIPE` safe for the rest of the call. Idempotent:
/// where Rust's start-up did run (other targets), it changes nothing that matters. `Err`:
/// a closed standard descriptor could not be given `/dev/null` (the caller fails under its
/// policy; Rust's start-up aborts, which lets a call through).
pub(crate) fn prepare() -> Result<(), String> {
    #[cfg(target_os = "linux")]
    {
        open_standard_descriptors()?;
        // A handler (rather than SIG_IGN, which needs `unsafe` to set) turns the signal into
        // EPIPE for the write just the same.
        let _ = signal_hook::flag::register(
            signal_hook::consts::SIGPIPE,
            std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
        );
    }
    Ok(())
}

/// Gives each closed standard descriptor `/dev/null`, as Rust's start-up does; one `poll`
/// when all three are open, as they are under Claude Code.
#[cfg(target_os = "linux")]
fn open_standard_descriptors() -> Result<(), String> {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;

    let (stdin, stdout, stderr) = (std::io::stdin(), std::io::stdout(), std::io::stderr());
    let mut fds = [
        PollFd::new(stdin.as_fd(), PollFlags::empty()),
        PollFd::new(stdout.as_fd(), PollFlags::empty()),
        PollFd::new(stderr.as_fd(), PollFlags::empty()),
    ];
    let all_open = poll(&mut fds, PollTimeout::ZERO).is_ok_and(|_| {
        !fds.iter().any(|fd| {
            fd.revents()
                .is_some_and(|r| r.contains(PollFlags::POLLNVAL))
        })
    });
    if all_open {
        return Ok(());
    }
    // `open` takes the lowest free descriptor: while it returns one of the standard ones,
    // that one was closed and is kept; the first above them is closed again. (Also the way
    // when `poll` itself failed.)
    loop {
        let null = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/null")
            .map_err(|e| format!("a closed standard stream could not be given /dev/null ({e})"))?;
        if std::os::fd::AsRawFd::as_raw_fd(&null) > 2 {
            return Ok(());
        }
        // Kept open for the life of the process.
        let _ = std::os::fd::IntoRawFd::into_raw_fd(null);
    }
}
