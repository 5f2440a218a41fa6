//! The table-Miller kernel against `LineTable::miller_loop`: whole loops over resident
//! tables, several tables in one batch, batches split across dispatches, and slots
//! reused after their table was dropped.

mod common;

use std::sync::{Arc, OnceLock};

use backend_gpu::{
    line_table_words, ArithPath, GpuError, Slot, TableArena, TableMillerKernels, LINE_TABLE_WORDS,
};
use common::*;
use pairing::{AffinePoint, JacobianPoint, LineTable, Scalar};
use rand::{rngs::StdRng, Rng, RngCore, SeedableRng};

fn random_point(rng: &mut impl RngCore) -> AffinePoint {
    let mut bytes = [0u8; 128];
    rng.fill_bytes(&mut bytes);
    JacobianPoint::from(AffinePoint::generator())
        .mul(&Scalar::reduce_be_bytes(&bytes))
        .to_affine()
}

fn kernels(path: ArithPath) -> Option<&'static TableMillerKernels> {
    static U32: OnceLock<Result<TableMillerKernels, GpuError>> = OnceLock::new();
    static U64: OnceLock<Result<TableMillerKernels, GpuError>> = OnceLock::new();
    let slot = match path {
        ArithPath::U32 => &U32,
        ArithPath::U64 => &U64,
    };
    let ctx = context()?;
    let k = slot.get_or_init(|| TableMillerKernels::new(ctx, path));
    require(k.as_ref().map_err(Clone::clone), "the table-Miller kernel")
}

/// Tables of `keys` uploaded into a fresh arena of `slots` slots.
fn upload(keys: &[AffinePoint], slots: usize) -> (Arc<TableArena>, Vec<Slot>, Vec<LineTable>) {
    let ctx = context().expect("device");
    let arena = TableArena::new(
        ctx,
        "line tables",
        LINE_TABLE_WORDS,
        slots * LINE_TABLE_WORDS * 4,
    )
    .expect("room for the tables");
    assert_eq!(arena.slots(), slots);
    let tables: Vec<LineTable> = keys.iter().map(|k| LineTable::build(k, false)).collect();
    let held = tables
        .iter()
        .map(|t| {
            arena
                .upload(&line_table_words(t))
                .expect("upload")
                .expect("a free slot")
        })
        .collect();
    (arena, held, tables)
}

#[test]
fn mixed_tables_in_one_batch_equal_the_cpu_table_loop() {
    let Some(k) = kernels(ArithPath::U64) else {
        return;
    };
    let k = k.clone().with_max_elements_per_dispatch(4);
    let mut rng = StdRng::seed_from_u64(61);
    let keys: Vec<AffinePoint> = (0..3).map(|_| random_point(&mut rng)).collect();
    let (arena, slots, tables) = upload(&keys, 3);
    for len in [0, 1, 7] {
        let which: Vec<usize> = (0..len).map(|_| rng.gen_range(0..3)).collect();
        let mut q: Vec<AffinePoint> = (0..len).map(|_| random_point(&mut rng)).collect();
        if len > 1 {
            // Q = K: the pairing of a key with itself.
            q[0] = keys[which[0]];
        }
        let slot_ids: Vec<u32> = which.iter().map(|&w| slots[w].index()).collect();
        let got = k.miller_loop_batch(&arena, &slot_ids, &q).expect("device");
        let want: Vec<_> = which
            .iter()
            .zip(&q)
            .map(|(&w, q)| tables[w].miller_loop(q))
            .collect();
        assert_eq!(got, want, "batch of {len}");
    }
}

#[test]
fn the_u32_path_agrees_and_freed_slots_are_reused() {
    let Some(k) = kernels(ArithPath::U32) else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(62);
    let first = random_point(&mut rng);
    let (arena, mut slots, _) = upload(&[first], 1);
    assert_eq!(arena.free_slots(), 0);
    // Dropping the slot frees (and wipes) it; a new table takes its place.
    drop(slots.pop());
    assert_eq!(arena.free_slots(), 1);
    let second = random_point(&mut rng);
    let table = LineTable::build(&second, false);
    let slot = arena
        .upload(&line_table_words(&table))
        .expect("upload")
        .expect("the freed slot");
    assert!(
        arena
            .upload(&line_table_words(&table))
            .expect("upload")
            .is_none(),
        "full"
    );
    let q = [random_point(&mut rng), AffinePoint::generator()];
    let got = k
        .miller_loop_batch(&arena, &[slot.index(); 2], &q)
        .expect("device");
    assert_eq!(
        got,
        vec![table.miller_loop(&q[0]), table.miller_loop(&q[1])]
    );
    assert!(matches!(
        k.miller_loop_batch(&arena, &[slot.index()], &q),
        Err(GpuError::LengthMismatch { left: 1, right: 2 })
    ));
}
