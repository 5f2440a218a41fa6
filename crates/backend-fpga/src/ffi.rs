//! The cxx bridge to the C++ shim (cxx/device.h).

#[cxx::bridge(namespace = "sakke_fpga")]
pub(crate) mod bridge {
    unsafe extern "C++" {
        include!("sakke-backend-fpga/cxx/device.h");

        type Device;

        fn read_reg(self: Pin<&mut Device>, offset: u32) -> Result<u32>;
        fn write_reg(self: Pin<&mut Device>, offset: u32, value: u32) -> Result<()>;
        fn write_mem(self: Pin<&mut Device>, addr: u32, words: &[u32]) -> Result<()>;
        fn read_mem(self: Pin<&mut Device>, addr: u32, words: &mut [u32]) -> Result<()>;
        fn wait_idle(self: Pin<&mut Device>, max_cycles: u64) -> Result<u32>;
        fn clocked_cycles(self: &Device) -> u64;

        fn new_sim_device() -> Result<UniquePtr<Device>>;
        fn new_xdma_device(user: &str, h2c: &str, c2h: &str) -> Result<UniquePtr<Device>>;
    }
}

// SAFETY: both C++ devices own their state outright (a Verilated model with its own
// VerilatedContext; file descriptors and one mapping) and keep nothing tied to the
// thread that made them, so one may move between threads. Nothing here makes them Sync:
// callers share a device behind a Mutex (backend.rs), one call at a time.
unsafe impl Send for bridge::Device {}
