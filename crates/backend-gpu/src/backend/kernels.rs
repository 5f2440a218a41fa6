//! Every kernel a backend uses, compiled once per process for each arithmetic path:
//! pipeline creation dominates opening a backend on slow drivers (about a minute for
//! all of them on lavapipe), and a process that opens the backend twice (`sakke bench`
//! opens a tabled and an untabled one) should not pay it twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::context::{ContextOptions, GpuContext};
use crate::error::GpuError;
use crate::field::FieldKernels;
use crate::gt_pow::GtPowKernels;
use crate::miller::MillerKernels;
use crate::miller_table::TableMillerKernels;
use crate::path::ArithPath;
use crate::scalar_mul::ScalarMulKernels;

/// The compiled kernels of one path on one device.
#[derive(Clone)]
pub(super) struct Kernels {
    pub(super) ctx: Arc<GpuContext>,
    pub(super) path: ArithPath,
    pub(super) field: FieldKernels,
    pub(super) miller: MillerKernels,
    pub(super) table_miller: TableMillerKernels,
    pub(super) scalar_mul: ScalarMulKernels,
    pub(super) gt_pow: GtPowKernels,
}

/// What a set of kernels is compiled for.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    path: Option<ArithPath>,
    timeout: Duration,
}

impl Kernels {
    /// The process's kernels for `path` (None: the adapter's best), compiling them on
    /// first use. `broken_field` swaps in deliberately wrong field kernels (for the
    /// self-test's own test), never shared with a working backend.
    pub(super) fn shared(
        path: Option<ArithPath>,
        timeout: Duration,
        broken_field: bool,
    ) -> Result<Kernels, GpuError> {
        static SHARED: Mutex<Option<HashMap<Key, Kernels>>> = Mutex::new(None);
        let key = Key { path, timeout };
        // Held while compiling, so that two threads opening at once compile once.
        let mut shared = SHARED.lock().unwrap_or_else(|p| p.into_inner());
        let map = shared.get_or_insert_with(HashMap::new);
        let kernels = match map.get(&key) {
            Some(k) => k.clone(),
            None => {
                let k = Kernels::compile(path, timeout)?;
                map.insert(key, k.clone());
                k
            }
        };
        if !broken_field {
            return Ok(kernels);
        }
        // The broken field kernels replace the working ones in this copy only.
        Ok(Kernels {
            field: FieldKernels::new_broken_for_test(Arc::clone(&kernels.ctx), kernels.path)?,
            ..kernels
        })
    }

    fn compile(path: Option<ArithPath>, timeout: Duration) -> Result<Kernels, GpuError> {
        let ctx = Arc::new(GpuContext::open_with(&ContextOptions { timeout })?);
        let path = path.unwrap_or(ArithPath::best(ctx.report().shader_int64));
        Ok(Kernels {
            path,
            field: FieldKernels::new(Arc::clone(&ctx), path)?,
            miller: MillerKernels::new(Arc::clone(&ctx), path)?,
            table_miller: TableMillerKernels::new(Arc::clone(&ctx), path)?,
            scalar_mul: ScalarMulKernels::new(Arc::clone(&ctx), path)?,
            gt_pow: GtPowKernels::new(Arc::clone(&ctx), path)?,
            ctx,
        })
    }

    /// Clones whose dispatches hold at most `max` items.
    pub(super) fn capped(&self, max: usize) -> Kernels {
        Kernels {
            ctx: Arc::clone(&self.ctx),
            path: self.path,
            field: self.field.clone().with_max_elements_per_dispatch(max),
            miller: self.miller.clone().with_max_elements_per_dispatch(max),
            table_miller: self
                .table_miller
                .clone()
                .with_max_elements_per_dispatch(max),
            scalar_mul: self.scalar_mul.clone().with_max_elements_per_dispatch(max),
            gt_pow: self.gt_pow.clone().with_max_elements_per_dispatch(max),
        }
    }
}
