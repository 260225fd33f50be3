//! Instructions and allocations per call of every per-request step, ours
//! beside the `oauth2` crate 5.0 and beside a hand-written floor
//! (benches/floor/): figures that the load of a shared machine cannot blur.
//!
//! ```sh
//! bash scripts/instructions.sh          # the whole table, under callgrind
//! ```
//!
//! By hand: `<executable> <step>-<side> <count>` under `valgrind
//! --tool=callgrind --toggle-collect=instructions::measured`, where one
//! call is `Ir / count`; `<executable> list` prints every mode. Each mode
//! first checks, outside anything counted, that its side's output equals
//! ours: the same request bytes, the same parsed fields. Then it prepares
//! the inputs a call consumes and makes each call inside [`measured`], the
//! only function callgrind collects in, and prints the allocations made
//! inside those calls. Run by `cargo bench`, it does nothing.
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

/// Allocator calls made inside measured calls.
#[derive(Debug, Clone, Copy, Default)]
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

    fn add_since(&mut self, before: Self) {
        let now = Self::so_far();
        self.allocations += now.allocations - before.allocations;
        self.reallocations += now.reallocations - before.reallocations;
    }
}

/// Calls `op` `count` times, each output dropped, and returns the
/// allocator calls made inside the calls: [`repeat_with`] for a step that
/// consumes no input.
pub fn repeat<O>(count: usize, mut op: impl FnMut() -> O) -> Allocations {
    repeat_with(count, || (), |()| op())
}

/// Calls `op` `count` times, each time on a fresh input from `prepare`,
/// and returns the allocator calls made inside the calls: making the input
/// is not counted; all `op` does with it, dropping its output included, is.
/// [`WARMUP`] calls outside [`measured`] come first.
pub fn repeat_with<I, O>(
    count: usize,
    mut prepare: impl FnMut() -> I,
    mut op: impl FnMut(I) -> O,
) -> Allocations {
    for _ in 0..WARMUP {
        drop(black_box(op(prepare())));
    }
    let mut made = Allocations::default();
    for _ in 0..count {
        let input = prepare();
        let before = Allocations::so_far();
        measured(&mut op, input);
        made.add_since(before);
    }
    made
}

/// Calls made before the counted ones, so that they all meet glibc's heap
/// in the state it settles in: the first ten or so of a fresh heap cost
/// up to 2 % less, which would make the figure depend on the count.
const WARMUP: usize = 100;

/// One call of a step, its output dropped: the function callgrind collects
/// in (`--toggle-collect=instructions::measured`, callees included), one
/// instance per step and side.
#[inline(never)]
fn measured<I, O>(op: &mut impl FnMut(I) -> O, input: I) {
    drop(black_box(op(input)));
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
