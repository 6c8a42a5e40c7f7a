//! Work cut into parts and run on the machine's cores: the index, the snapshot's columns and
//! the bulk import's scan each hand their parts here.

/// How many threads to cut work into: one per core, at most `most`.
pub(crate) fn cores(most: usize) -> usize {
    std::thread::available_parallelism().map_or(1, |t| t.get().min(most))
}

/// Runs `work` on each item, the first on this thread and the others on threads of their own,
/// and returns the results in the items' order. A panic on another thread goes on here.
pub(crate) fn on_threads<T: Send, R: Send>(
    items: impl IntoIterator<Item = T>,
    work: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    let mut items = items.into_iter();
    let first = items.next();
    std::thread::scope(|scope| {
        let work = &work;
        let others: Vec<_> = items.map(|item| scope.spawn(move || work(item))).collect();
        first
            .map(work)
            .into_iter()
            .chain(others.into_iter().map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }))
            .collect()
    })
}
