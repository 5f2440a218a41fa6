// The card as the host sees it: a register window and card memory. One interface, two
// implementations: SimDevice (the Verilated core, clocked by this shim) and XdmaDevice (a
// Xilinx XDMA card through its character devices). The run protocol on top of it (ring
// the doorbell, poll STATUS, soft reset on a fault) is in Rust (src/device.rs).
#pragma once

#include <cstdint>
#include <memory>

#include "rust/cxx.h"

namespace sakke_fpga {

// Register window offsets, as hdl/rtl/host_regs.v lays them out.
constexpr uint32_t kRegStatus = 0x0C;
constexpr uint32_t kRegCyclesLo = 0x14;
constexpr uint32_t kRegCyclesHi = 0x18;
constexpr uint32_t kStatusBusy = 1u << 0;
// Set by wait_idle in the value it returns (never by the card): the card was still busy
// when the cycle limit passed.
constexpr uint32_t kStatusTimeout = 1u << 31;

class Device {
 public:
  virtual ~Device() = default;
  virtual uint32_t read_reg(uint32_t offset) = 0;
  virtual void write_reg(uint32_t offset, uint32_t value) = 0;
  // Card memory at byte address addr, 32-bit words.
  virtual void write_mem(uint32_t addr, rust::Slice<const uint32_t> words) = 0;
  virtual void read_mem(uint32_t addr, rust::Slice<uint32_t> words) = 0;
  // Lets the card run until STATUS shows it idle or its cycle counter reaches
  // max_cycles; returns STATUS, with kStatusTimeout added in the second case.
  virtual uint32_t wait_idle(uint64_t max_cycles) = 0;
  // Clock cycles this shim has driven (SimDevice); 0 for hardware.
  virtual uint64_t clocked_cycles() const = 0;
};

// Throws std::runtime_error("built without Verilator") when the crate was built without
// it; cxx turns that into a Rust error.
std::unique_ptr<Device> new_sim_device();
// Opens the register window (mmap of user) and the two DMA channels; throws on failure.
std::unique_ptr<Device> new_xdma_device(rust::Str user, rust::Str h2c, rust::Str c2h);

}  // namespace sakke_fpga
