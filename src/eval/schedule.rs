//! An ordered, bounded scheduler: items `0..len` made on threads and taken in order.
//!
//! [`map_in_order`] owns how many threads make items, how far they may run ahead of
//! the taking (in items and in bytes), and the hand-over of what they made, so that a
//! long run is mapped in bounded memory and taken in its order. What an item is, and
//! how it is made or weighed, is the caller's ([`crate::eval::evaluation`] maps
//! scenarios).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Items a thread makes before handing them over together: one hand-over (a wake of
/// the taking thread) per batch, not per item.
pub(crate) const BATCH: usize = 64;

/// Batches each thread may be ahead of the item taken next: enough to keep the
/// threads busy, few enough to bound memory.
pub(crate) const AHEAD: usize = 4;

/// Bytes of made items that may wait to be taken before the threads hold back: a
/// batch of scenarios whose metric lines are 1 MiB each renders to hundreds of MiB.
pub(crate) const BUDGET: usize = 32 << 20;

/// Bytes of made items after which a thread hands over the part of its run it has,
/// rather than holding the run whole.
const PART_BYTES: usize = 4 << 20;

/// Bytes of a made item from which threads claim items one at a time: in runs of 64
/// such items, the budget would leave one thread working at a time.
const HEAVY: usize = 256 << 10;

/// How long the first item of a short run must take for the rest to be made on
/// threads: starting one costs tens of microseconds.
pub(crate) const SLOW: Duration = Duration::from_millis(5);

/// What the threads share: how far the taking is.
#[derive(Debug)]
struct Flow {
    /// The item taken next.
    due: usize,
    /// Bytes handed over and not taken yet.
    waiting: usize,
}

/// Consecutive made items, handed over together and taken in order.
struct Part<T> {
    /// The index of the first of them.
    start: usize,
    /// How many indices they cover.
    count: usize,
    items: Vec<T>,
    bytes: usize,
}

impl<T> Part<T> {
    /// Returns an empty part starting at item `start`.
    fn at(start: usize) -> Part<T> {
        Part {
            start,
            count: 0,
            items: Vec::new(),
            bytes: 0,
        }
    }
}

/// The [`Flow`] the threads share, and the condition variable its changes are announced on.
#[derive(Debug)]
struct Shared {
    flow: Mutex<Flow>,
    changed: Condvar,
}

impl Shared {
    /// Returns the flow of a taking that starts at item `first`.
    fn new(first: usize) -> Shared {
        Shared {
            flow: Mutex::new(Flow {
                due: first,
                waiting: 0,
            }),
            changed: Condvar::new(),
        }
    }

    /// Waits while `held` holds and no stop is asked; returns false on a stop.
    fn wait_while(&self, stop: &AtomicBool, held: impl Fn(&Flow) -> bool) -> bool {
        let mut now = self.flow.lock().unwrap_or_else(PoisonError::into_inner);
        while held(&now) && !stop.load(Ordering::Relaxed) {
            now = self
                .changed
                .wait(now)
                .unwrap_or_else(PoisonError::into_inner);
        }
        !stop.load(Ordering::Relaxed)
    }

    /// Changes the flow and wakes the threads waiting on it.
    fn update(&self, change: impl FnOnce(&mut Flow)) {
        change(&mut self.flow.lock().unwrap_or_else(PoisonError::into_inner));
        self.changed.notify_all();
    }
}

/// Makes items `0..len` on up to `threads` threads (`None`: one per core, which is
/// only looked up when there is work for more than one) and hands them, in index
/// order, to `take`; `make` returns `None` for an index that gives no item, and
/// `weigh` says how many bytes an item holds.
///
/// The threads are never more than a few batches, nor more than about [`BUDGET`]
/// bytes of items, ahead of `take`. A run of one batch is made on the calling
/// thread, its first item alone, and the rest on threads only if that one took
/// `slow` or longer. The first error of `take` stops the threads and is returned.
pub(crate) fn map_in_order<T: Send, E>(
    len: usize,
    threads: Option<usize>,
    slow: Duration,
    make: impl Fn(usize) -> Option<T> + Sync,
    weigh: impl Fn(&T) -> usize + Sync,
    mut take: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E> {
    // Items from `first` on go in batches of `batch`. Threads pay off only where
    // the work hides starting them: a run of one batch is made here, the first item
    // alone, and the rest one item a batch on threads only if that one took long (a
    // large log read for charts or `over: all` limits).
    let (mut first, mut batch) = (0, BATCH);
    if len <= BATCH {
        let started = Instant::now();
        if let Some(made) = make(0) {
            take(made)?;
        }
        first = 1;
        if started.elapsed() < slow {
            return (first..len).filter_map(&make).try_for_each(take);
        }
        batch = 1;
    }
    let count = len.saturating_sub(first);
    let batches = count.div_ceil(batch);
    let threads = match threads {
        _ if batches <= 1 => 1,
        Some(threads) => threads.clamp(1, batches),
        // Looking it up reads the control group's files.
        None => std::thread::available_parallelism().map_or(1, |cores| cores.get().min(batches)),
    };
    if threads == 1 {
        return (first..len).filter_map(&make).try_for_each(take);
    }
    // Threads claim runs of up to `batch` items (one at a time once an item is heavy)
    // and hand them over in parts, which are taken in order. No thread claims an item
    // `window` or more past the one taken next, and none makes one while more than
    // BUDGET bytes wait to be taken, unless it goes into the part taken next, which
    // therefore always moves.
    let next = AtomicUsize::new(first);
    let stop = AtomicBool::new(false);
    let heavy = AtomicBool::new(false);
    let flow = Shared::new(first);
    let window = AHEAD * threads * BATCH;
    let (send, receive) = mpsc::channel::<Part<T>>();
    let result = std::thread::scope(|scope| {
        let mut spawned = 0;
        for _ in 0..threads {
            let send = send.clone();
            let (next, stop, heavy, flow) = (&next, &stop, &heavy, &flow);
            let (make, weigh) = (&make, &weigh);
            // Runs start at one item and double up to `batch` while no item is heavy,
            // so that no thread holds a long run of heavy ones.
            let mut claim = 1;
            let work = move || {
                let _stops = StopOnPanic { stop, flow };
                loop {
                    if heavy.load(Ordering::Relaxed) {
                        claim = 1;
                    }
                    let start = next.fetch_add(claim, Ordering::Relaxed);
                    if start >= len || !flow.wait_while(stop, |now| start >= now.due + window) {
                        break;
                    }
                    let end = (start + claim).min(len);
                    let mut part = Part::at(start);
                    for index in start..end {
                        let first_of_part = part.start;
                        let held_back =
                            |now: &Flow| now.waiting > BUDGET && now.due != first_of_part;
                        if !flow.wait_while(stop, held_back) {
                            return;
                        }
                        if let Some(made) = make(index) {
                            let bytes = weigh(&made);
                            if bytes >= HEAVY {
                                heavy.store(true, Ordering::Relaxed);
                            }
                            part.bytes += bytes;
                            part.items.push(made);
                        }
                        part.count += 1;
                        if index + 1 == end || part.bytes >= PART_BYTES {
                            let sent = std::mem::replace(&mut part, Part::at(index + 1));
                            flow.update(|now| now.waiting += sent.bytes);
                            if send.send(sent).is_err() {
                                return;
                            }
                        }
                    }
                    claim = (claim * 2).min(batch);
                }
            };
            // Where no thread can be had (a process limit), those started do all the
            // work; with none, the calling thread does it below.
            match std::thread::Builder::new().spawn_scoped(scope, work) {
                Ok(_) => spawned += 1,
                Err(_) => break,
            }
        }
        drop(send);
        if spawned == 0 {
            return None;
        }
        // A panic of `take` stops the threads, which would otherwise wait for it forever.
        let _stops = StopOnPanic {
            stop: &stop,
            flow: &flow,
        };
        // Parts arrive roughly in order; those ahead of the one due wait here.
        let mut waiting = BTreeMap::new();
        let mut result = Ok(());
        let mut due = first;
        for part in receive.iter() {
            waiting.insert(part.start, part);
            while let Some(part) = waiting.remove(&due) {
                due += part.count;
                if result.is_ok() {
                    result = part.items.into_iter().try_for_each(&mut take);
                    if result.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
                flow.update(|now| {
                    now.due = due;
                    now.waiting -= part.bytes;
                });
            }
        }
        Some(result)
    });
    match result {
        Some(result) => result,
        None => (first..len).filter_map(&make).try_for_each(take),
    }
}

/// Stops the threads of [`map_in_order`] when the thread holding it panics: a thread
/// that dies leaves the others waiting for its part or for its taking, and they must
/// end for the panic to reach the caller.
struct StopOnPanic<'a> {
    stop: &'a AtomicBool,
    flow: &'a Shared,
}

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // Under the lock, so that no thread misses the wake between its look at
            // `stop` and its wait.
            self.flow
                .update(|_| self.stop.store(true, Ordering::Relaxed));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_made_on_threads_come_in_order() {
        // More items than the threads may run ahead of the one taken (four batches
        // each); index 5 gives no item.
        let count = BATCH * AHEAD * 3 + 7;
        let make = |index: usize| (index != 5).then_some(index * 10);
        let light = |_: &usize| 10;
        let expected: Vec<usize> = (0..count).filter(|&i| i != 5).map(|i| i * 10).collect();
        for threads in [Some(1), Some(2), Some(3), None] {
            let mut seen = Vec::new();
            map_in_order(count, threads, SLOW, make, light, |item| {
                seen.push(item);
                Ok::<(), ()>(())
            })
            .unwrap();
            assert_eq!(seen, expected, "{threads:?} threads");
        }
        // The first error stops the taking and is returned; later items are not taken.
        let mut taken = 0;
        let stopped = map_in_order(count, Some(2), SLOW, make, light, |item| {
            taken += 1;
            if item == 1000 {
                Err(item)
            } else {
                Ok(())
            }
        });
        assert_eq!((stopped, taken), (Err(1000), 100));
        // A short run whose first item is slow: the rest go one a batch, still in order.
        let mut seen = Vec::new();
        map_in_order(9, Some(2), Duration::ZERO, make, light, |item| {
            seen.push(item);
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(seen, expected[..8]);
    }

    #[test]
    fn heavy_items_are_held_back_by_the_budget() {
        // Heavy items (a fifth of the budget each, as if their lines were huge) are
        // claimed one at a time and handed over one a part, the threads held back
        // while the budget is spent: still all, in order, and never more than the
        // budget's worth and one a thread waiting.
        let count = BATCH * AHEAD * 3 + 7;
        let heavy = |_: &usize| BUDGET / 5;
        // Made and not yet taken, and the most there ever were: without the budget,
        // up to the window's eight batches of 64.
        let (out, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let counted = |index: usize| {
            let now = out.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            Some(index)
        };
        let mut seen = Vec::new();
        map_in_order(count, Some(2), SLOW, counted, heavy, |item| {
            out.fetch_sub(1, Ordering::SeqCst);
            seen.push(item);
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(seen, (0..count).collect::<Vec<_>>());
        let most = most.load(Ordering::SeqCst);
        assert!(most <= 12, "{most} made items waited at once");
    }

    #[test]
    fn a_panic_of_a_thread_or_of_the_taking_ends_the_work() {
        // Without the stop on a panic, both wait forever: the taking for the part the
        // panicked thread never hands over (the others held by the window), the threads
        // for a taking that is gone.
        let count = BATCH * AHEAD * 8;
        let light = |_: &usize| 10;
        let made = std::panic::catch_unwind(|| {
            let make = |index: usize| {
                assert!(index != 3, "a bug making item {index}");
                Some(index)
            };
            map_in_order(count, Some(2), SLOW, make, light, |_| Ok::<(), ()>(()))
        });
        let taken = std::panic::catch_unwind(|| {
            map_in_order(count, Some(2), SLOW, Some, light, |item| {
                assert!(item != 70, "a bug taking item {item}");
                Ok::<(), ()>(())
            })
        });
        assert!(made.is_err(), "the panic of a thread reaches the caller");
        assert!(taken.is_err(), "the panic of the taking reaches the caller");
    }
}
