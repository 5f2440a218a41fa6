// XdmaDevice: a card behind the Xilinx XDMA driver. The user character device maps the
// AXI4-Lite register window (BAR); the h2c / c2h channel devices move card memory, the
// file offset being the card address. Ordinary files stand in for all three in the tests.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

#include "sakke-backend-fpga/cxx/device.h"

namespace sakke_fpga {
namespace {

// The register window's size: host_regs.v decodes 12 address bits.
constexpr size_t kWindowBytes = 0x1000;
// Polling cannot trust the cycle counter alone (a dead card stops it): it also gives up
// after this much host time plus the cycle budget at the slowest clock we target.
constexpr double kSlowestHz = 50e6;
constexpr double kGraceSeconds = 1.0;

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

class Fd {
 public:
  Fd(const std::string& path, int flags) : path_(path), fd_(::open(path.c_str(), flags)) {
    if (fd_ < 0) fail("cannot open", path);
  }
  ~Fd() { ::close(fd_); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_;
};

class XdmaDevice final : public Device {
 public:
  XdmaDevice(std::string user, std::string h2c, std::string c2h)
      : user_(user, O_RDWR | O_SYNC), h2c_(h2c, O_WRONLY), c2h_(c2h, O_RDONLY) {
    void* p = ::mmap(nullptr, kWindowBytes, PROT_READ | PROT_WRITE, MAP_SHARED, user_.get(), 0);
    if (p == MAP_FAILED) fail("cannot map", user_.path());
    regs_ = static_cast<volatile uint32_t*>(p);
  }

  ~XdmaDevice() override { ::munmap(const_cast<uint32_t*>(regs_), kWindowBytes); }

  uint32_t read_reg(uint32_t offset) override { return regs_[index(offset)]; }

  void write_reg(uint32_t offset, uint32_t value) override { regs_[index(offset)] = value; }

  void write_mem(uint32_t addr, rust::Slice<const uint32_t> words) override {
    transfer(h2c_, const_cast<uint32_t*>(words.data()), words.size() * 4, addr, true);
  }

  void read_mem(uint32_t addr, rust::Slice<uint32_t> words) override {
    transfer(c2h_, words.data(), words.size() * 4, addr, false);
  }

  uint32_t wait_idle(uint64_t max_cycles) override {
    using clock = std::chrono::steady_clock;
    const auto deadline =
        clock::now() + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(
                           kGraceSeconds + static_cast<double>(max_cycles) / kSlowestHz));
    for (;;) {
      uint32_t status = read_reg(kRegStatus);
      if (!(status & kStatusBusy)) return status;
      uint64_t lo = read_reg(kRegCyclesLo);
      uint64_t cycles = (uint64_t{read_reg(kRegCyclesHi)} << 32) | lo;
      if (cycles >= max_cycles || clock::now() >= deadline) return status | kStatusTimeout;
      std::this_thread::sleep_for(std::chrono::microseconds(10));
    }
  }

  uint64_t clocked_cycles() const override { return 0; }

 private:
  static size_t index(uint32_t offset) {
    if (offset % 4 != 0 || offset >= kWindowBytes) {
      throw std::runtime_error("register offset out of the window: " + std::to_string(offset));
    }
    return offset / 4;
  }

  // pwrite / pread until done: the XDMA driver may move less than asked per call.
  static void transfer(const Fd& fd, uint32_t* data, size_t bytes, uint32_t addr, bool out) {
    auto* p = reinterpret_cast<char*>(data);
    size_t done = 0;
    while (done < bytes) {
      ssize_t n = out ? ::pwrite(fd.get(), p + done, bytes - done, addr + done)
                      : ::pread(fd.get(), p + done, bytes - done, addr + done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail(out ? "write to" : "read from", fd.path());
      if (n == 0) {
        errno = EIO;
        fail("short transfer on", fd.path());
      }
      done += static_cast<size_t>(n);
    }
  }

  Fd user_, h2c_, c2h_;
  volatile uint32_t* regs_;
};

}  // namespace

std::unique_ptr<Device> new_xdma_device(rust::Str user, rust::Str h2c, rust::Str c2h) {
  return std::make_unique<XdmaDevice>(std::string(user), std::string(h2c), std::string(c2h));
}

}  // namespace sakke_fpga
