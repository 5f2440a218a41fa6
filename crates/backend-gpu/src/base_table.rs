//! The device form of a fixed-base table (`pairing::BaseTable`) and the WGSL of the
//! kernel that multiplies with one (shaders/base_table_mul.wgsl): the layout of an arena
//! slot lives here, in one place for the host and the shader.

use pairing::{BaseTable, SCALAR_DIGITS};
use zeroize::Zeroizing;

use crate::limbs;
use crate::path::ArithPath;
use crate::staged;
use crate::wgsl::{self, LIMBS};

/// Words per table entry: x, y (Montgomery form), then an identity flag (all ones for
/// the identity, which only the table of the identity holds), since affine coordinates
/// cannot express the identity and the kernel must select it away.
const ENTRY_WORDS: usize = 2 * LIMBS + 1;

/// Entries per row: the multiples 1..=16 of one window's power of 32.
const ROW_ENTRIES: usize = 16;

/// Words of one table in a [`crate::TableArena`] slot: every row of [`BaseTable`], 16
/// entries each. Arenas for [`crate::ScalarMulKernels::mul_tabled_batch`] are made with
/// this slot size.
pub const BASE_TABLE_WORDS: usize = SCALAR_DIGITS * ROW_ENTRIES * ENTRY_WORDS;

/// Rows per dispatch: 42 mixed additions of 11 F_p products are 462 products, a quarter
/// of lavapipe's loop cap (2,047 products) with room for the look-ups' loops, and five
/// dispatches cover the 206 rows.
pub(crate) const ROWS_PER_DISPATCH: usize = 42;

/// F_p products per dispatch of the kernel.
pub(crate) const PRODUCTS_PER_DISPATCH: usize = ROWS_PER_DISPATCH * 11;

/// Dispatches for one multiplication.
pub(crate) const DISPATCHES: usize = SCALAR_DIGITS.div_ceil(ROWS_PER_DISPATCH);

const JACOBIAN: &str = include_str!("../../../shaders/jacobian.wgsl");
const BASE_TABLE_MUL: &str = include_str!("../../../shaders/base_table_mul.wgsl");

/// The table's entries in slot form, row by row as [`BaseTable::entries`] yields them,
/// for [`crate::TableArena::upload`]. Wiped when dropped: the table of a secret base
/// is as secret as the base.
pub fn base_table_words(table: &BaseTable) -> Zeroizing<Vec<u32>> {
    let mut words = Zeroizing::new(Vec::with_capacity(BASE_TABLE_WORDS));
    for entry in table.entries() {
        limbs::push_fp(&mut words, &entry.x());
        limbs::push_fp(&mut words, &entry.y());
        words.push(0u32.wrapping_sub(u32::from(entry.is_identity().unwrap_u8())));
    }
    assert_eq!(words.len(), BASE_TABLE_WORDS, "a table has a row per digit");
    words
}

/// The complete WGSL of the fixed-base kernel for `path`.
pub(crate) fn module_source(path: ArithPath) -> String {
    let constants = format!(
        "{}const ROWS_PER_DISPATCH: u32 = {ROWS_PER_DISPATCH}u;\n\
         const ENTRY_WORDS: u32 = {ENTRY_WORDS}u;\nconst SLOT_WORDS: u32 = {BASE_TABLE_WORDS}u;\n",
        staged::shared_constants()
    );
    wgsl::module_source(
        path,
        &[("tables", false), ("state", true)],
        &[constants.as_str(), JACOBIAN, BASE_TABLE_MUL].join("\n"),
    )
}
