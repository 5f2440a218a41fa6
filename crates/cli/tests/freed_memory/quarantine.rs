//! A global allocator that, while recording, copies every block being freed into a
//! quarantine arena before giving it back to the system allocator, and the search of
//! that arena.
//!
//! `realloc` is deliberately left to `GlobalAlloc`'s default (allocate, copy, free), so
//! the old contents of every buffer that grew or moved are kept as well: that is how a
//! growing `Vec` leaves copies of what it held behind. Every new block is cleared, so
//! that what a freed block holds was written by its last owner: a leftover is charged to
//! the operation that left it, never to whoever got the block next.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering::SeqCst};

use memchr::memmem;

/// Room for every block freed during one operation. Touched only as far as it is used;
/// an operation that frees more makes the scan inconclusive (a failure), never a pass.
const ARENA_BYTES: usize = 512 << 20;
/// Each kept block is stored as its length, then its bytes.
const HEADER: usize = size_of::<usize>();

static ARENA: AtomicPtr<u8> = AtomicPtr::new(ptr::null_mut());
static USED: AtomicUsize = AtomicUsize::new(0);
static RECORDING: AtomicBool = AtomicBool::new(false);
static OVERFLOWED: AtomicBool = AtomicBool::new(false);
/// Frees being copied right now, so that [`stop`] can wait for them.
static COPYING: AtomicUsize = AtomicUsize::new(0);

pub struct Quarantine;

unsafe impl GlobalAlloc for Quarantine {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        if RECORDING.load(SeqCst) {
            COPYING.fetch_add(1, SeqCst);
            if RECORDING.load(SeqCst) {
                unsafe { keep(block, layout.size()) };
            }
            COPYING.fetch_sub(1, SeqCst);
        }
        unsafe { System.dealloc(block, layout) }
    }
}

/// Appends a copy of the `len` bytes at `block` to the arena.
unsafe fn keep(block: *const u8, len: usize) {
    let at = USED.fetch_add(HEADER + len, SeqCst);
    if at.saturating_add(HEADER + len) > ARENA_BYTES {
        OVERFLOWED.store(true, SeqCst);
        return;
    }
    let base = ARENA.load(SeqCst);
    unsafe {
        ptr::copy_nonoverlapping(len.to_ne_bytes().as_ptr(), base.add(at), HEADER);
        ptr::copy_nonoverlapping(block, base.add(at + HEADER), len);
    }
}

/// Starts keeping every freed block, forgetting those kept before.
pub fn start() {
    if ARENA.load(SeqCst).is_null() {
        let layout = Layout::from_size_align(ARENA_BYTES, 4096).expect("arena layout");
        let arena = unsafe { System.alloc(layout) };
        assert!(
            !arena.is_null(),
            "cannot allocate the {ARENA_BYTES}-byte arena"
        );
        ARENA.store(arena, SeqCst);
    }
    USED.store(0, SeqCst);
    OVERFLOWED.store(false, SeqCst);
    RECORDING.store(true, SeqCst);
}

/// Stops recording and returns what was kept, valid until the next [`start`].
pub fn stop() -> Freed {
    RECORDING.store(false, SeqCst);
    while COPYING.load(SeqCst) != 0 {
        std::hint::spin_loop();
    }
    let used = USED.load(SeqCst);
    if OVERFLOWED.load(SeqCst) || used > ARENA_BYTES {
        return Freed::Overflowed { needed: used };
    }
    let base = ARENA.load(SeqCst);
    let bytes = if used == 0 {
        &[][..]
    } else {
        // Written only while recording, which has stopped.
        unsafe { std::slice::from_raw_parts(base, used) }
    };
    Freed::Kept(Blocks(bytes))
}

/// The freed blocks of one recording.
pub enum Freed {
    Kept(Blocks),
    /// More was freed than the arena holds: nothing can be concluded.
    Overflowed {
        needed: usize,
    },
}

pub struct Blocks(&'static [u8]);

impl Blocks {
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let mut rest = self.0;
        std::iter::from_fn(move || {
            let (len, tail) = rest.split_first_chunk::<HEADER>()?;
            let (block, tail) = tail.split_at(usize::from_ne_bytes(*len));
            rest = tail;
            Some(block)
        })
    }

    pub fn get(&self, index: usize) -> &[u8] {
        self.iter().nth(index).unwrap_or_default()
    }

    pub fn count(&self) -> usize {
        self.iter().count()
    }

    pub fn total_bytes(&self) -> usize {
        self.iter().map(<[u8]>::len).sum()
    }

    /// The freed blocks that contain `needle`: (index, size) of each.
    pub fn holding(&self, needle: &[u8]) -> Vec<(usize, usize)> {
        let finder = memmem::Finder::new(needle);
        self.iter()
            .enumerate()
            .filter(|(_, block)| finder.find(block).is_some())
            .map(|(i, block)| (i, block.len()))
            .collect()
    }
}
