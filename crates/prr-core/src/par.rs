//! A small ordered parallel map over the machine's cores, with scoped
//! threads from the standard library: work items are taken from a shared
//! counter, and results come back in input order, so output never depends
//! on scheduling.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Stack size of the worker threads (bytes).
pub const WORKER_STACK: usize = 32 * 1024 * 1024;

/// Applies `f` to every item on up to `available_parallelism()` threads
/// (at most 8) and returns the results in input order. A panic in `f` is
/// propagated to the caller.
pub fn map_ordered<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let work = || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                done.push((i, f(item)));
            }
            done
        };
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                // Checks recurse over user-controlled trees (PromQL up to
                // 256 levels): a main-thread-sized stack, not the 2 MiB
                // default of spawned threads.
                std::thread::Builder::new()
                    .stack_size(WORKER_STACK)
                    .spawn_scoped(scope, work)
                    .unwrap_or_else(|_| scope.spawn(work))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order() {
        let v: Vec<u32> = (0..1000).collect();
        assert_eq!(
            super::map_ordered(&v, |x| x * 2),
            (0..1000).map(|x| x * 2).collect::<Vec<_>>()
        );
        assert!(super::map_ordered(&Vec::<u32>::new(), |x| *x).is_empty());
    }
}
