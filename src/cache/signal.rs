//! "The refresh has reported back": a counter plus the wakers of the async
//! callers waiting for it to move, kept under the owner's mutex. Std only,
//! so it works on any runtime.

use std::mem;
use std::task::{Context, Poll, Waker};

#[derive(Debug, Default)]
pub(crate) struct Signal {
    epoch: u64,
    next_waiter: u64,
    wakers: Vec<(u64, Waker)>,
}

impl Signal {
    /// The current count; waiters wait for it to change.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Moves the count on and returns the wakers to wake (after the
    /// owner's mutex is released).
    #[must_use = "wake the returned wakers"]
    pub(crate) fn raise(&mut self) -> Vec<Waker> {
        self.epoch = self.epoch.wrapping_add(1);
        mem::take(&mut self.wakers)
            .into_iter()
            .map(|(_, waker)| waker)
            .collect()
    }

    /// Ready once the count differs from `seen`; otherwise registers the
    /// task's waker under `slot` (allocated on first use).
    pub(crate) fn poll_changed(
        &mut self,
        seen: u64,
        slot: &mut Option<u64>,
        cx: &mut Context<'_>,
    ) -> Poll<()> {
        if self.epoch != seen {
            if let Some(id) = slot.take() {
                self.forget(id);
            }
            return Poll::Ready(());
        }
        match slot.and_then(|id| self.wakers.iter_mut().find(|(w, _)| *w == id)) {
            Some((_, waker)) => waker.clone_from(cx.waker()),
            None => {
                let id = *slot.get_or_insert_with(|| {
                    self.next_waiter = self.next_waiter.wrapping_add(1);
                    self.next_waiter
                });
                self.wakers.push((id, cx.waker().clone()));
            }
        }
        Poll::Pending
    }

    /// Drops the waker registered under `slot` (a cancelled waiter).
    pub(crate) fn forget(&mut self, slot: u64) {
        self.wakers.retain(|(id, _)| *id != slot);
    }
}
