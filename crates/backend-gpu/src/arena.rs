//! Resident tables: one device buffer cut into equal slots, so that one dispatch can
//! serve jobs with different tables (each invocation reads its own slot). Which slots
//! hold which key, and when one is evicted, is the backend's cache's business; a
//! [`Slot`] returns to the arena, wiped, when its last handle is dropped.

use std::sync::{Arc, Mutex};

use crate::context::GpuContext;
use crate::error::GpuError;

/// Equal-sized table slots in one storage buffer.
pub struct TableArena {
    ctx: Arc<GpuContext>,
    buffer: wgpu::Buffer,
    slot_words: usize,
    slots: usize,
    free: Mutex<Vec<u32>>,
}

impl TableArena {
    /// An arena of as many slots of `slot_words` words as fit `budget_bytes` and the
    /// device's binding size (the whole buffer is one binding). None if not one fits.
    pub fn new(
        ctx: Arc<GpuContext>,
        label: &str,
        slot_words: usize,
        budget_bytes: usize,
    ) -> Option<Arc<TableArena>> {
        let slot_bytes = (slot_words * 4) as u64;
        let limits = ctx.limits();
        let max = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size);
        let slots = (budget_bytes as u64).min(max) / slot_bytes;
        // Slot offsets are u32 word indices in the shaders.
        let slots = slots.min(u64::from(u32::MAX) / slot_words as u64) as usize;
        if slots == 0 {
            return None;
        }
        let buffer = ctx.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: slots as u64 * slot_bytes,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        Some(Arc::new(TableArena {
            ctx,
            buffer,
            slot_words,
            slots,
            // Lowest slot first.
            free: Mutex::new((0..slots as u32).rev().collect()),
        }))
    }

    /// Slots in all.
    pub fn slots(&self) -> usize {
        self.slots
    }

    /// Bytes of one slot.
    pub fn slot_bytes(&self) -> usize {
        self.slot_words * 4
    }

    /// Slots not in use.
    pub fn free_slots(&self) -> usize {
        lock(&self.free).len()
    }

    /// The buffer the kernels bind: slot s starts at word s * slot_words.
    pub fn buffer(&self) -> &wgpu::Buffer {
        &self.buffer
    }

    pub fn slot_words(&self) -> usize {
        self.slot_words
    }

    /// Uploads `words` (exactly one slot's worth) into a free slot. None when every slot
    /// is held (by the cache or by a batch still using an evicted table): the caller then
    /// computes without a table.
    pub fn upload(self: &Arc<Self>, words: &[u32]) -> Result<Option<Slot>, GpuError> {
        assert_eq!(words.len(), self.slot_words, "a table fills its slot");
        let Some(index) = lock(&self.free).pop() else {
            return Ok(None);
        };
        let slot = Slot {
            arena: Arc::clone(self),
            index,
        };
        self.ctx.queue().write_buffer(
            &self.buffer,
            slot.offset_bytes(),
            bytemuck::cast_slice(words),
        );
        self.ctx.check()?;
        Ok(Some(slot))
    }
}

/// One occupied slot. Dropping it overwrites the slot with zeros (tables of secret
/// points are secret) and frees it.
pub struct Slot {
    arena: Arc<TableArena>,
    index: u32,
}

impl Slot {
    /// The slot's number, as the kernels take it.
    pub fn index(&self) -> u32 {
        self.index
    }

    fn offset_bytes(&self) -> u64 {
        u64::from(self.index) * self.arena.slot_bytes() as u64
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let arena = &self.arena;
        let mut encoder =
            arena
                .ctx
                .device()
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("wipe table slot"),
                });
        encoder.clear_buffer(
            &arena.buffer,
            self.offset_bytes(),
            Some(arena.slot_bytes() as u64),
        );
        // Queue order puts the wipe before any later upload into the slot; a device that
        // is lost has nothing left to wipe.
        arena.ctx.queue().submit([encoder.finish()]);
        lock(&arena.free).push(self.index);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
