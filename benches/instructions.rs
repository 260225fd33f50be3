//! Instructions and allocations per call of every per-request step, ours
//! beside the `oauth2` crate 5.0 and beside a hand-written floor
//! (benches/floor/): figures that the load of a shared machine cannot blur.
//!
//! ```sh
//! bash scripts/instructions.sh          # the whole table, under callgrind
//! ```
//!
//! By hand: `<executable> <step>-<side> <count>` under `valgrind
//! --tool=callgrind`, where one call is `(Ir(count) - Ir(0)) / count`;
//! `<executable> list` prints every mode. Each mode first checks, outside
//! the counted loop (so also at count 0), that its side's output equals
//! ours: the same request bytes, the same parsed fields. It prints the
//! allocations the loop made. Run by `cargo bench`, it does nothing.
// The counting allocator needs `unsafe impl`; nothing else may use unsafe.
#![deny(unsafe_code)]

mod common;
mod floor;
mod steps;

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use steps::STEPS;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static REALLOCATIONS: AtomicU64 = AtomicU64::new(0);

/// The system allocator, counting calls.
struct Counting;

// SAFETY: every method forwards its arguments unchanged to `System`, which
// meets `GlobalAlloc`'s contract; the only addition is a relaxed counter.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        REALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocator calls made while a loop ran.
#[derive(Debug, Clone, Copy)]
pub struct Allocations {
    allocations: u64,
    reallocations: u64,
}

impl Allocations {
    fn so_far() -> Self {
        Self {
            allocations: ALLOCATIONS.load(Ordering::Relaxed),
            reallocations: REALLOCATIONS.load(Ordering::Relaxed),
        }
    }
}

/// Calls `op` `count` times, dropping each output before the next call,
/// and returns the allocator calls the loop made.
pub fn repeat<T>(count: usize, mut op: impl FnMut() -> T) -> Allocations {
    let before = Allocations::so_far();
    for _ in 0..count {
        black_box(op());
    }
    let after = Allocations::so_far();
    Allocations {
        allocations: after.allocations - before.allocations,
        reallocations: after.reallocations - before.reallocations,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("list") {
        for step in STEPS {
            for side in step.sides {
                println!("{}-{}", step.name, side.name());
            }
        }
        return;
    }
    let (Some(mode), Some(Ok(count))) = (args.first(), args.get(1).map(|n| n.parse::<usize>()))
    else {
        eprintln!("usage: instructions list | instructions <step>-<side> <count> (under valgrind)");
        return;
    };
    let found = mode.split_once('-').and_then(|(name, side)| {
        let step = STEPS.iter().find(|step| step.name == name)?;
        let side = step.sides.iter().find(|s| s.name() == side)?;
        Some((step, *side))
    });
    let Some((step, side)) = found else {
        eprintln!("unknown mode {mode}; `instructions list` prints them");
        std::process::exit(2);
    };
    let made = (step.run)(side, count);
    println!(
        "allocations {} reallocations {} count {count}",
        made.allocations, made.reallocations
    );
}
