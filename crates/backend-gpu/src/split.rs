//! Cutting a batch into dispatches that fit the device's limits, and laying each
//! dispatch's workgroups on a 2-D grid.

/// Invocations per workgroup; must match `@workgroup_size` in shaders/field_kernels.wgsl.
pub const WORKGROUP_SIZE: usize = 64;

/// The most elements one dispatch may hold: every binding of `bytes_per_element` bytes
/// per element must fit the storage-binding and buffer size limits, and the workgroups
/// must fit a grid of `max_groups_per_dim`^2.
pub fn max_elements_per_dispatch(
    max_binding_bytes: u64,
    max_buffer_bytes: u64,
    max_groups_per_dim: u32,
    bytes_per_element: u64,
) -> usize {
    let by_memory = max_binding_bytes.min(max_buffer_bytes) / bytes_per_element;
    let by_grid = u64::from(max_groups_per_dim).pow(2) * WORKGROUP_SIZE as u64;
    usize::try_from(by_memory.min(by_grid)).unwrap_or(usize::MAX)
}

/// The (start, length) of each dispatch for `len` elements, `per_dispatch` at most each.
pub fn chunks(len: usize, per_dispatch: usize) -> impl Iterator<Item = (usize, usize)> {
    assert!(
        per_dispatch > 0,
        "a dispatch must hold at least one element"
    );
    (0..len)
        .step_by(per_dispatch)
        .map(move |start| (start, per_dispatch.min(len - start)))
}

/// Workgroups (x, y) covering `elements` invocations with x, y <= `max_groups_per_dim`:
/// one row while it fits, then as many full rows as needed. The shader numbers elements
/// row by row and skips those past the count.
pub fn grid(elements: usize, max_groups_per_dim: u32) -> (u32, u32) {
    let groups = elements.div_ceil(WORKGROUP_SIZE).max(1);
    let x = groups.min(max_groups_per_dim as usize);
    let y = groups.div_ceil(x);
    assert!(
        y <= max_groups_per_dim as usize,
        "dispatch of {elements} elements exceeds the grid"
    );
    (x as u32, y as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_batch_in_order() {
        let got: Vec<_> = chunks(10, 4).collect();
        assert_eq!(got, vec![(0, 4), (4, 4), (8, 2)]);
        assert_eq!(chunks(0, 4).count(), 0);
        assert_eq!(chunks(8, 4).collect::<Vec<_>>(), vec![(0, 4), (4, 4)]);
    }

    #[test]
    fn grid_stays_within_the_dimension_limit() {
        assert_eq!(grid(1, 65_535), (1, 1));
        assert_eq!(grid(64, 65_535), (1, 1));
        assert_eq!(grid(65, 65_535), (2, 1));
        // 65,536 workgroups: two rows.
        assert_eq!(grid(64 * 65_536, 65_535), (65_535, 2));
        // 41 workgroups on a 7 x 7 grid: six rows of seven.
        assert_eq!(grid(64 * 40 + 1, 7), (7, 6));
    }

    #[test]
    fn dispatch_size_respects_every_limit() {
        // 128 MiB bindings of 128-byte elements: 2^20 elements.
        assert_eq!(
            max_elements_per_dispatch(128 << 20, 256 << 20, 65_535, 128),
            1 << 20
        );
        // A smaller buffer limit wins.
        assert_eq!(
            max_elements_per_dispatch(128 << 20, 1 << 20, 65_535, 128),
            8192
        );
        // A tiny grid wins.
        assert_eq!(
            max_elements_per_dispatch(128 << 20, 256 << 20, 2, 128),
            4 * 64
        );
    }
}
