//! The wasm allocator: power-of-two size classes, each with a free list, carved from the end of memory. Calls
//! are short-lived and single-threaded, so blocks of a class are reused as they are, never split or merged; it is
//! about a fifth of talc's code and faster, at the cost of rounding each block up to a power of two.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::UnsafeCell;
use core::ptr::null_mut;

/// Classes 3 (8 bytes) to 31 (2 GiB), indexed by log2 of the block size.
const CLASSES: usize = 32;
const PAGE: usize = 65536;

/// The heap's state: the free-list heads and the bump region `[next, end)`.
pub struct Heap(UnsafeCell<State>);

struct State {
    free: [*mut u8; CLASSES],
    next: usize,
    end: usize,
}

// SAFETY: wasm32 without threads: there is no other thread to share with.
unsafe impl Sync for Heap {}

impl Heap {
    /// An empty heap: the first allocation claims memory past what the module was instantiated with.
    pub const fn new() -> Heap {
        Heap(UnsafeCell::new(State { free: [null_mut(); CLASSES], next: 0, end: 0 }))
    }
}

/// The class of a block big enough for `l` (at least 8 bytes, so a free block can hold the list's link).
fn class(l: Layout) -> usize {
    let size = l.size().max(l.align()).max(8);
    (usize::BITS - (size - 1).leading_zeros()) as usize
}

unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let s = &mut *self.0.get();
        let c = class(l);
        let Some(head) = s.free.get_mut(c) else { return null_mut() };
        let p = *head;
        // A reused block is as aligned as the request that first carved it; alignments above 8 are carved anew.
        if !p.is_null() && (p as usize) % l.align() == 0 {
            *head = *(p as *mut *mut u8);
            return p;
        }
        let (size, align) = (1usize << c, l.align());
        loop {
            let Some(start) = s.next.checked_add(align - 1).map(|n| n & !(align - 1)) else { return null_mut() };
            let Some(stop) = start.checked_add(size) else { return null_mut() };
            if stop <= s.end {
                s.next = stop;
                return start as *mut u8;
            }
            // Enough for the block wherever it lands, and at least 1 MiB, so growing buffers do not grow memory
            // each time.
            let Some(pages) = size.checked_add(align).map(|n| n.div_ceil(PAGE).max(16)) else { return null_mut() };
            // A failed grow answers usize::MAX, which overflows here too.
            let old = wasm32::memory_grow(0, pages);
            let (Some(base), Some(grown)) = (old.checked_mul(PAGE), pages.checked_mul(PAGE)) else { return null_mut() };
            let Some(end) = base.checked_add(grown) else { return null_mut() };
            // The first claim starts at the memory's old end; later claims extend the region they follow.
            if base != s.end {
                s.next = base;
            }
            s.end = end;
        }
    }

    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        let s = &mut *self.0.get();
        if let Some(head) = s.free.get_mut(class(l)) {
            *(p as *mut *mut u8) = *head;
            *head = p;
        }
    }

    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let Ok(nl) = Layout::from_size_align(new, l.align()) else { return null_mut() };
        // Same class: the block already has room (a Vec doubling within its power of two).
        if class(nl) == class(l) {
            return p;
        }
        let q = self.alloc(nl);
        if !q.is_null() {
            core::ptr::copy_nonoverlapping(p, q, l.size().min(new));
            self.dealloc(p, l);
        }
        q
    }
}
