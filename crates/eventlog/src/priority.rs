//! Thread priorities: the single writer is the ingest pipeline's serial
//! stage, so any CPU it loses to request handling is throughput lost for
//! every client. Request threads and the checkpointer therefore run slightly
//! below normal priority (nice +5). When the machine has CPU to spare this
//! changes nothing; on a busy one it keeps the writer fed.

/// How much lower than normal the helper threads run.
pub const HELPER_NICENESS: i32 = 5;

/// Lowers the calling thread's scheduling priority by `niceness` (Linux,
/// where priorities are per thread; a no-op elsewhere). Failure is ignored:
/// priority is an optimization, not a requirement.
pub fn lower_current_thread(niceness: i32) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: gettid has no preconditions; setpriority only reads its
        // integer arguments and changes this thread's own niceness, which an
        // unprivileged process may always raise.
        unsafe {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            let current = libc::getpriority(libc::PRIO_PROCESS, tid);
            libc::setpriority(libc::PRIO_PROCESS, tid, current.saturating_add(niceness));
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = niceness;
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn lowers_only_the_calling_thread() {
        // SAFETY: as above; reading priorities has no side effects.
        let nice_of_self = || unsafe {
            libc::getpriority(
                libc::PRIO_PROCESS,
                libc::syscall(libc::SYS_gettid) as libc::id_t,
            )
        };
        let before = nice_of_self();
        let inner = std::thread::spawn(move || {
            lower_current_thread(3);
            nice_of_self()
        })
        .join()
        .unwrap();
        assert_eq!(inner, (before + 3).min(19));
        assert_eq!(nice_of_self(), before);
    }
}
