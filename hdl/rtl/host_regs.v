// The control register window, modelled on the AXI4-Lite user BAR of a Xilinx XDMA design
// and reduced to a synchronous single-beat port (req/we/addr/wdata in, rdata one cycle
// later with rvalid) so that a Verilated model is easy to drive. Byte offsets:
//   0x00 ID          R   0x53414B45 ("SAKE")
//   0x04 VERSION     R   major << 16 | minor
//   0x08 CONTROL     W   bit 0 start at program address 0, bit 1 soft reset
//   0x0C STATUS      R   bit 0 busy (or a start pending), bit 1 done, bit 2 error,
//                        bits 15:8 error code
//   0x10 DOORBELL    RW  write: start at program address wdata[15:0]; read: last entry
//   0x14 CYCLES_LO   R   cycles of the current or last run; reading it latches CYCLES_HI
//   0x18 CYCLES_HI   R
//   0x1C LAST_ERROR  R   pc << 16 | code of the last error; kept over a soft reset
//   0x20 FAULT       RW  bit 0: hang the sequencer (fault injection); a soft reset clears it
//   0x24 CONFIG      R   W | NREG << 8 | log2(DM_DEPTH) << 16 | log2(IMEM_DEPTH) << 24
// Reads of other offsets return 0; writes to them are ignored.
`default_nettype none

module host_regs #(
  parameter [31:0]  CONFIG = 32'd0
) (
  input  wire        clk_i,
  input  wire        rst_ni,
  input  wire        req_i,
  input  wire        we_i,
  input  wire [11:0] addr_i,
  input  wire [31:0] wdata_i,
  output reg  [31:0] rdata_o,
  output reg         rvalid_o,

  input  wire        busy_i,
  input  wire        done_i,
  input  wire        err_i,
  input  wire [7:0]  err_code_i,
  input  wire [15:0] err_pc_i,

  output reg         start_o,   // one-cycle pulse, ignored by the sequencer while busy
  output reg  [15:0] entry_o,
  output reg         clear_o,   // one-cycle soft reset pulse
  output reg         hang_o
);
  localparam [31:0] Id      = 32'h5341_4B45;
  localparam [31:0] Version = 32'h0001_0000;

  localparam [11:0] AddrId = 12'h000, AddrVersion = 12'h004, AddrControl = 12'h008,
                    AddrStatus = 12'h00C, AddrDoorbell = 12'h010, AddrCyclesLo = 12'h014,
                    AddrCyclesHi = 12'h018, AddrLastError = 12'h01C, AddrFault = 12'h020,
                    AddrConfig = 12'h024;

  reg [63:0] cycles_q;
  reg [31:0] cycles_hi_q;   // CYCLES_HI as latched by the last CYCLES_LO read
  reg [31:0] last_err_q;
  reg        err_seen_q;    // err_i's previous value, to catch each new error once

  wire wr = req_i && we_i;
  wire unused_ok = &{1'b0, wdata_i[31:16]};
  wire rd = req_i && !we_i;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rdata_o     <= 32'd0;
      rvalid_o    <= 1'b0;
      start_o     <= 1'b0;
      entry_o     <= 16'd0;
      clear_o     <= 1'b0;
      hang_o      <= 1'b0;
      cycles_q    <= 64'd0;
      cycles_hi_q <= 32'd0;
      last_err_q  <= 32'd0;
      err_seen_q  <= 1'b0;
    end else begin
      start_o  <= 1'b0;
      clear_o  <= 1'b0;
      rvalid_o <= rd;

      if (wr && addr_i == AddrControl) begin
        if (wdata_i[1]) begin
          clear_o <= 1'b1;
          hang_o  <= 1'b0;
        end else if (wdata_i[0]) begin
          start_o <= 1'b1;
          entry_o <= 16'd0;
        end
      end
      if (wr && addr_i == AddrDoorbell) begin
        start_o <= 1'b1;
        entry_o <= wdata_i[15:0];
      end
      if (wr && addr_i == AddrFault) begin
        hang_o <= wdata_i[0];
      end

      if (start_o && !busy_i) begin
        cycles_q <= 64'd0;
      end else if (busy_i) begin
        cycles_q <= cycles_q + 64'd1;
      end

      err_seen_q <= err_i;
      if (err_i && !err_seen_q) begin
        last_err_q <= {err_pc_i, 8'd0, err_code_i};
      end

      if (rd) begin
        case (addr_i)
          AddrId:        rdata_o <= Id;
          AddrVersion:   rdata_o <= Version;
          // A start the sequencer has not yet taken reads as busy, and a pending soft reset as
          // idle, so a host polling right after either never sees the state before it.
          AddrStatus:    rdata_o <= {16'd0, err_code_i, 5'd0, err_i, done_i, (busy_i | start_o) & ~clear_o};
          AddrDoorbell:  rdata_o <= {16'd0, entry_o};
          AddrCyclesLo:  begin
                           rdata_o     <= cycles_q[31:0];
                           cycles_hi_q <= cycles_q[63:32];
                         end
          AddrCyclesHi:  rdata_o <= cycles_hi_q;
          AddrLastError: rdata_o <= last_err_q;
          AddrFault:     rdata_o <= {31'd0, hang_o};
          AddrConfig:    rdata_o <= CONFIG;
          default:       rdata_o <= 32'd0;
        endcase
      end
    end
  end
endmodule

`default_nettype wire
