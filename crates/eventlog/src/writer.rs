//! The write queue: one thread owns the writing connection and commits
//! batches from all clients.
//!
//! When several requests arrive together their batches share one commit
//! (group commit): SQLite and its full-text index pay per transaction, so
//! this is what lets ingest keep up with many concurrent clients. A batch is
//! still stored entirely or not at all (see [`Writer::store`]), and no client
//! gets its answer before the commit that holds its events.
//!
//! A second thread checkpoints the write-ahead log shortly after commits,
//! without blocking anyone (PASSIVE), so the copy into the database file and
//! its fsync mostly happen off the writer's path. The writer still runs
//! SQLite's own checkpoint once the log holds [`WRITER_CHECKPOINT_PAGES`]
//! pages: only a checkpoint right after a commit lets the log restart from
//! its beginning, so without it the log would grow for as long as ingest
//! continues. By then the background thread has copied most pages, so the
//! writer's checkpoint is short.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use crate::db::{NewEvent, Stored, Writer};

/// Batches waiting beyond this make submitters wait (back-pressure).
const QUEUE_DEPTH: usize = 256;
/// A commit takes queued batches until it holds this many events.
const GROUP_EVENTS: usize = 5_000;

/// A deletion the writer runs as one short transaction of its own, between
/// ingest commits: large deletions are sent as many of these, so ingest
/// waits for at most one of them at a time.
#[derive(Debug, Clone)]
pub enum Deletion {
    /// These storage keys (erasure).
    Keys(Vec<i64>),
    /// At most `limit` of the oldest events with keys below `below` (retention).
    Older {
        /// The first key kept.
        below: i64,
        /// How many at most.
        limit: usize,
    },
}

enum Job {
    Store {
        events: Vec<NewEvent>,
        reply: oneshot::Sender<Result<Stored, String>>,
    },
    Delete {
        what: Deletion,
        reply: oneshot::Sender<Result<Deleted, String>>,
    },
}

/// What one deletion did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deleted {
    /// Events deleted.
    pub count: usize,
    /// How long the writer spent on it.
    pub took: Duration,
    /// Whether ingest batches were waiting for the writer when it ended.
    pub ingest_waiting: bool,
}

/// A handle for submitting batches to the writer thread. The thread stops
/// when every handle is dropped, after finishing what was queued.
#[derive(Clone)]
pub struct WriteQueue {
    jobs: mpsc::SyncSender<Job>,
    /// Ingest batches queued and not yet taken by the writer.
    waiting: Arc<AtomicUsize>,
}

impl WriteQueue {
    /// Starts the writer thread, and the checkpointer for the database at
    /// `path` (the writer's own file). The handle joins both.
    pub fn start(mut writer: Writer, path: &Path) -> std::io::Result<(WriteQueue, JoinHandle<()>)> {
        let (jobs, rx) = mpsc::sync_channel::<Job>(QUEUE_DEPTH);
        let checkpoint_conn = Writer::open(path)
            .and_then(|c| {
                writer
                    .set_autocheckpoint(WRITER_CHECKPOINT_PAGES)
                    .map(|()| c)
            })
            .map_err(std::io::Error::other)?;
        let (committed, commits) = mpsc::sync_channel::<()>(1);
        let waiting = Arc::new(AtomicUsize::new(0));
        let waiting_in = waiting.clone();
        let checkpointer = std::thread::Builder::new()
            .name("okra-eventlog-checkpoint".into())
            .spawn(move || checkpoint_loop(&checkpoint_conn, &commits))?;
        let handle = std::thread::Builder::new()
            .name("okra-eventlog-writer".into())
            .spawn(move || {
                let mut held = None;
                while let Some(first) = held.take().or_else(|| rx.recv().ok()) {
                    let mut group = match first {
                        Job::Store { events, reply } => {
                            waiting_in.fetch_sub(1, Ordering::Relaxed);
                            vec![(events, reply)]
                        }
                        Job::Delete { what, reply } => {
                            delete(&mut writer, what, reply, &waiting_in);
                            let _ = committed.try_send(());
                            continue;
                        }
                    };
                    let mut events = group[0].0.len();
                    while events < GROUP_EVENTS {
                        match rx.try_recv() {
                            Ok(Job::Store { events: e, reply }) => {
                                waiting_in.fetch_sub(1, Ordering::Relaxed);
                                events += e.len();
                                group.push((e, reply));
                            }
                            Ok(job) => {
                                // A deletion: after this group.
                                held = Some(job);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    commit(&mut writer, group);
                    // Full means a checkpoint is already due.
                    let _ = committed.try_send(());
                }
                drop(committed);
                let _ = checkpointer.join();
            })?;
        Ok((WriteQueue { jobs, waiting }, handle))
    }

    /// Queues a batch, blocking while the queue is full. The receiver
    /// resolves once the batch is committed (or refused).
    pub fn submit_blocking(
        &self,
        events: Vec<NewEvent>,
    ) -> oneshot::Receiver<Result<Stored, String>> {
        let (reply, rx) = oneshot::channel();
        self.waiting.fetch_add(1, Ordering::Relaxed);
        if let Err(mpsc::SendError(Job::Store { reply, .. })) =
            self.jobs.send(Job::Store { events, reply })
        {
            self.waiting.fetch_sub(1, Ordering::Relaxed);
            let _ = reply.send(Err(SHUTTING_DOWN.to_owned()));
        }
        rx
    }

    /// Queues a deletion, blocking while the queue is full. The receiver
    /// resolves with the number of events deleted once it is committed.
    pub fn delete_blocking(&self, what: Deletion) -> oneshot::Receiver<Result<Deleted, String>> {
        let (reply, rx) = oneshot::channel();
        if let Err(mpsc::SendError(Job::Delete { reply, .. })) =
            self.jobs.send(Job::Delete { what, reply })
        {
            let _ = reply.send(Err(SHUTTING_DOWN.to_owned()));
        }
        rx
    }

    /// Runs a deletion from async code and waits for its commit.
    pub async fn delete(&self, what: Deletion) -> Result<Deleted, String> {
        let queue = self.clone();
        let rx = tokio::task::spawn_blocking(move || queue.delete_blocking(what))
            .await
            .map_err(|e| e.to_string())?;
        rx.await.map_err(|_| "the writer stopped".to_owned())?
    }
}

const SHUTTING_DOWN: &str = "the event store is shutting down";

fn delete(
    writer: &mut Writer,
    what: Deletion,
    reply: oneshot::Sender<Result<Deleted, String>>,
    waiting: &AtomicUsize,
) {
    let start = Instant::now();
    let result = match what {
        Deletion::Keys(keys) => writer.delete_keys(&keys),
        Deletion::Older { below, limit } => writer.delete_older(below, limit),
    }
    .map(|count| Deleted {
        count,
        took: start.elapsed(),
        ingest_waiting: waiting.load(Ordering::Relaxed) > 0,
    })
    .map_err(|e| {
        eprintln!("okra-eventlog: deleting events failed: {e}");
        format!("deleting events failed: {e}")
    });
    let _ = reply.send(result);
}

/// Log pages after which the writer checkpoints itself (64 MiB).
pub const WRITER_CHECKPOINT_PAGES: i64 = 16_384;

/// Checkpoints after commits, at most every 100 ms; a last full one (which
/// also truncates the log) when the writer stops.
fn checkpoint_loop(conn: &Writer, commits: &mpsc::Receiver<()>) {
    crate::priority::lower_current_thread(crate::priority::HELPER_NICENESS);
    while commits.recv().is_ok() {
        if let Err(e) = conn.checkpoint("PASSIVE") {
            eprintln!("okra-eventlog: checkpoint failed (will retry): {e}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if let Err(e) = conn.checkpoint("TRUNCATE") {
        eprintln!("okra-eventlog: final checkpoint failed: {e}");
    }
}

type StoreJob = (Vec<NewEvent>, oneshot::Sender<Result<Stored, String>>);

fn commit(writer: &mut Writer, group: Vec<StoreJob>) {
    let batches: Vec<&[NewEvent]> = group.iter().map(|j| j.0.as_slice()).collect();
    let results = writer.store(&batches);
    for ((_, reply), result) in group.into_iter().zip(results) {
        let result = result.map_err(|e| {
            eprintln!("okra-eventlog: storing a batch failed: {e}");
            format!("storing the batch failed: {e}")
        });
        // The client may have gone away; its events are stored anyway.
        let _ = reply.send(result);
    }
}
