// SimDevice: the Verilated sakke_core (hdl/rtl/), clocked by the host. Each register or
// memory beat is one clock cycle, as on the core's synchronous host ports.
#include <stdexcept>
#include <string>

#include "sakke-backend-fpga/cxx/device.h"

#ifdef SAKKE_HAVE_VERILATOR

#include "Vsakke_core.h"
#include "verilated.h"

namespace sakke_fpga {
namespace {

// STATUS is polled this often while waiting: coarse enough to cost little simulation.
constexpr uint64_t kPollCycles = 64;
// Read data comes one (registers) or two (card memory) cycles after the request; a port
// that has not answered after this many is broken, and the shim says so instead of
// clocking forever.
constexpr int kReadLatencyLimit = 16;

class SimDevice final : public Device {
 public:
  SimDevice() : ctx_(new VerilatedContext), top_(new Vsakke_core(ctx_.get())) {
    top_->clk_i = 0;
    top_->rst_ni = 0;
    idle_inputs();
    top_->eval();
    tick();
    tick();
    top_->rst_ni = 1;
    top_->eval();
  }

  ~SimDevice() override { top_->final(); }

  uint32_t read_reg(uint32_t offset) override {
    top_->reg_req_i = 1;
    top_->reg_we_i = 0;
    top_->reg_addr_i = offset & 0xFFF;
    tick();
    top_->reg_req_i = 0;
    await_valid(top_->reg_rvalid_o, "register");
    return top_->reg_rdata_o;
  }

  void write_reg(uint32_t offset, uint32_t value) override {
    top_->reg_req_i = 1;
    top_->reg_we_i = 1;
    top_->reg_addr_i = offset & 0xFFF;
    top_->reg_wdata_i = value;
    tick();
    idle_inputs();
  }

  void write_mem(uint32_t addr, rust::Slice<const uint32_t> words) override {
    for (uint32_t w : words) {
      top_->mem_req_i = 1;
      top_->mem_we_i = 1;
      top_->mem_addr_i = addr & 0xFFFFFF;
      top_->mem_wdata_i = w;
      tick();
      addr += 4;
    }
    idle_inputs();
  }

  void read_mem(uint32_t addr, rust::Slice<uint32_t> words) override {
    for (uint32_t& w : words) {
      top_->mem_req_i = 1;
      top_->mem_we_i = 0;
      top_->mem_addr_i = addr & 0xFFFFFF;
      tick();
      top_->mem_req_i = 0;
      await_valid(top_->mem_rvalid_o, "card memory");
      w = top_->mem_rdata_o;
      addr += 4;
    }
  }

  uint32_t wait_idle(uint64_t max_cycles) override {
    for (;;) {
      uint32_t status = read_reg(kRegStatus);
      if (!(status & kStatusBusy)) return status;
      uint64_t lo = read_reg(kRegCyclesLo);
      uint64_t cycles = (uint64_t{read_reg(kRegCyclesHi)} << 32) | lo;
      if (cycles >= max_cycles) return status | kStatusTimeout;
      for (uint64_t i = 0; i < kPollCycles; ++i) tick();
    }
  }

  uint64_t clocked_cycles() const override { return cycles_; }

 private:
  void idle_inputs() {
    top_->reg_req_i = 0;
    top_->reg_we_i = 0;
    top_->mem_req_i = 0;
    top_->mem_we_i = 0;
  }

  void await_valid(const CData& valid, const char* port) {
    for (int i = 0; !valid; ++i) {
      if (i == kReadLatencyLimit) {
        throw std::runtime_error(std::string("no read data from the ") + port + " port");
      }
      tick();
    }
  }

  // One rising edge: inputs set before it are sampled by it.
  void tick() {
    top_->clk_i = 1;
    top_->eval();
    top_->clk_i = 0;
    top_->eval();
    ++cycles_;
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vsakke_core> top_;
  uint64_t cycles_ = 0;
};

}  // namespace

std::unique_ptr<Device> new_sim_device() { return std::make_unique<SimDevice>(); }

}  // namespace sakke_fpga

#else

namespace sakke_fpga {
std::unique_ptr<Device> new_sim_device() {
  throw std::runtime_error("built without Verilator");
}
}  // namespace sakke_fpga

#endif
