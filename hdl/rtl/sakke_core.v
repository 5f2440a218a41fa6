// The pairing core's top level: register window, program memory, data memory, register
// file, sequencer, Montgomery multiplier and adder/subtractor.
//
// Two host ports, both synchronous single-beat (req/we/addr/wdata in; rdata with rvalid
// later), standing for the two sides of an XDMA design:
//   reg_*  the AXI4-Lite register window (host_regs.v), one cycle read latency;
//   mem_*  card memory, which XDMA's host-to-card and card-to-host channels reach, two
//          cycles read latency. Byte addresses, 32-bit words, little-endian word order:
//            0x000000 + 4 * i               program memory, instruction i
//            0x100000 + 128 * e + 4 * k     data memory, 32-bit word k of F_P element e
// Card memory belongs to the sequencer from a start to the end of the run: host writes
// then are dropped and host reads return 0.
`default_nettype none

module sakke_core #(
  parameter integer N          = 1024,
  parameter integer W          = 64,
  parameter integer NREG       = 32,
  parameter integer DM_DEPTH   = 4096,
  parameter integer IMEM_DEPTH = 65536,
  // RFC 6509 Appendix A parameter set 1.
  parameter [N-1:0] P          = 1024'h997ABB1F0A563FDA65C61198DAD0657A416C0CE19CB48261BE9AE358B3E01A2EF40AAB27E2FC0F1B228730D531A59CB0E791B39FF7C88A19356D27F4A666A6D0E26C6487326B4CD4512AC5CD65681CE1B6AFF4A831852A82A7CF3C521C3C09AA9F94D6AF56971F1FFCE3E82389857DB080C5DF10AC7ACE87666D807AFEA85FEB
) (
  input  wire        clk_i,
  input  wire        rst_ni,

  input  wire        reg_req_i,
  input  wire        reg_we_i,
  input  wire [11:0] reg_addr_i,
  input  wire [31:0] reg_wdata_i,
  output wire [31:0] reg_rdata_o,
  output wire        reg_rvalid_o,

  input  wire        mem_req_i,
  input  wire        mem_we_i,
  input  wire [23:0] mem_addr_i,
  input  wire [31:0] mem_wdata_i,
  output reg  [31:0] mem_rdata_o,
  output reg         mem_rvalid_o
);
  localparam integer RAW   = $clog2(NREG);
  localparam integer DAW   = $clog2(DM_DEPTH);
  localparam integer IAW   = $clog2(IMEM_DEPTH);
  localparam integer WORDS = N / 32;
  localparam integer KW    = $clog2(WORDS);
  localparam [7:0]   CfgW  = W[7:0];
  localparam [7:0]   CfgR  = NREG[7:0];
  localparam [7:0]   CfgD  = DAW[7:0];
  localparam [7:0]   CfgI  = IAW[7:0];

  // Sequencer side.
  wire            start, clear, hang, busy, done, err;
  wire [15:0]     entry, err_pc;
  wire [7:0]      err_code;
  wire            s_imem_re, s_rf_re, s_rf_we, s_dm_re, s_dm_we;
  wire [IAW-1:0]  s_imem_raddr;
  wire [RAW-1:0]  s_rf_raddr, s_rf_waddr;
  wire [DAW-1:0]  s_dm_raddr, s_dm_waddr;
  wire [N-1:0]    s_rf_wdata, s_dm_wdata, rf_rdata, dm_rdata;
  wire [31:0]     imem_rdata;
  wire            mul_busy;
  wire            mul_start, as_start, as_sub, mul_done, as_done;
  wire [N-1:0]    opa, opb, mul_res, as_res;

  // Host side of card memory: decode the byte address.
  wire            h_dm      = mem_addr_i[20];
  wire [IAW-1:0]  h_insn    = mem_addr_i[IAW+1:2];
  wire            h_insn_ok = !h_dm && ({14'd0, mem_addr_i[19:2]} < IMEM_DEPTH);
  wire [DAW-1:0]  h_elem    = mem_addr_i[DAW+6:7];
  wire            h_elem_ok = h_dm && ({19'd0, mem_addr_i[19:7]} < DM_DEPTH);
  wire [KW-1:0]   h_word    = mem_addr_i[6:2];
  // The sequencer owns card memory from the cycle a start is pending until the cycle a
  // soft reset is (so a host access right after either sees the state after it).
  wire            owned     = (busy && !clear) || start;
  wire            h_rd      = mem_req_i && !mem_we_i && !owned;
  wire            h_wr      = mem_req_i && mem_we_i && !owned;

  reg             rd_pend_q;  // a host read is one cycle into the RAM
  reg             rd_live_q;  // ... and was allowed (not busy, in range)
  reg             rd_dm_q;
  reg  [KW-1:0]   rd_word_q;

  host_regs #(
    .CONFIG ({CfgI, CfgD, CfgR, CfgW})
  ) u_regs (
    .clk_i, .rst_ni,
    .req_i      (reg_req_i),
    .we_i       (reg_we_i),
    .addr_i     (reg_addr_i),
    .wdata_i    (reg_wdata_i),
    .rdata_o    (reg_rdata_o),
    .rvalid_o   (reg_rvalid_o),
    .busy_i     (busy),
    .done_i     (done),
    .err_i      (err),
    .err_code_i (err_code),
    .err_pc_i   (err_pc),
    .start_o    (start),
    .entry_o    (entry),
    .clear_o    (clear),
    .hang_o     (hang)
  );

  ram_1r1w #(.WIDTH(32), .DEPTH(IMEM_DEPTH), .WORD(32)) u_imem (
    .clk_i,
    .re_i    (owned ? s_imem_re : (h_rd && h_insn_ok)),
    .raddr_i (owned ? s_imem_raddr : h_insn),
    .rdata_o (imem_rdata),
    .we_i    (h_wr && h_insn_ok),
    .waddr_i (h_insn),
    .wdata_i (mem_wdata_i),
    .wmask_i (1'b1)
  );

  ram_1r1w #(.WIDTH(N), .DEPTH(DM_DEPTH), .WORD(32)) u_dm (
    .clk_i,
    .re_i    (owned ? s_dm_re : (h_rd && h_elem_ok)),
    .raddr_i (owned ? s_dm_raddr : h_elem),
    .rdata_o (dm_rdata),
    .we_i    (owned ? s_dm_we : (h_wr && h_elem_ok)),
    .waddr_i (owned ? s_dm_waddr : h_elem),
    .wdata_i (owned ? s_dm_wdata : {WORDS{mem_wdata_i}}),
    .wmask_i (owned ? {WORDS{1'b1}} : ({{(WORDS-1){1'b0}}, 1'b1} << h_word))
  );

  ram_1r1w #(.WIDTH(N), .DEPTH(NREG), .WORD(N)) u_rf (
    .clk_i,
    .re_i    (s_rf_re),
    .raddr_i (s_rf_raddr),
    .rdata_o (rf_rdata),
    .we_i    (s_rf_we),
    .waddr_i (s_rf_waddr),
    .wdata_i (s_rf_wdata),
    .wmask_i (1'b1)
  );

  sequencer #(
    .N(N), .NREG(NREG), .DM_DEPTH(DM_DEPTH), .IMEM_DEPTH(IMEM_DEPTH)
  ) u_seq (
    .clk_i, .rst_ni,
    .clear_i      (clear),
    .start_i      (start),
    .entry_i      (entry),
    .hang_i       (hang),
    .imem_re_o    (s_imem_re),
    .imem_raddr_o (s_imem_raddr),
    .imem_rdata_i (imem_rdata),
    .rf_re_o      (s_rf_re),
    .rf_raddr_o   (s_rf_raddr),
    .rf_rdata_i   (rf_rdata),
    .rf_we_o      (s_rf_we),
    .rf_waddr_o   (s_rf_waddr),
    .rf_wdata_o   (s_rf_wdata),
    .dm_re_o      (s_dm_re),
    .dm_raddr_o   (s_dm_raddr),
    .dm_rdata_i   (dm_rdata),
    .dm_we_o      (s_dm_we),
    .dm_waddr_o   (s_dm_waddr),
    .dm_wdata_o   (s_dm_wdata),
    .mul_start_o  (mul_start),
    .as_start_o   (as_start),
    .as_sub_o     (as_sub),
    .opa_o        (opa),
    .opb_o        (opb),
    .mul_res_i    (mul_res),
    .mul_done_i   (mul_done),
    .as_res_i     (as_res),
    .as_done_i    (as_done),
    .busy_o       (busy),
    .done_o       (done),
    .err_o        (err),
    .err_code_o   (err_code),
    .err_pc_o     (err_pc)
  );

  mont_mul #(.N(N), .W(W), .P(P)) u_mul (
    .clk_i, .rst_ni,
    .clear_i (clear),
    .start_i (mul_start),
    .a_i     (opa),
    .b_i     (opb),
    .res_o   (mul_res),
    .done_o  (mul_done),
    .busy_o  (mul_busy)
  );

  fp_addsub #(.N(N), .P(P)) u_addsub (
    .clk_i, .rst_ni,
    .clear_i (clear),
    .start_i (as_start),
    .sub_i   (as_sub),
    .a_i     (opa),
    .b_i     (opb),
    .res_o   (as_res),
    .done_o  (as_done)
  );

  // Host reads of card memory: select the 32-bit word the cycle after the RAM read.
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_pend_q    <= 1'b0;
      rd_live_q    <= 1'b0;
      rd_dm_q      <= 1'b0;
      rd_word_q    <= {KW{1'b0}};
      mem_rdata_o  <= 32'd0;
      mem_rvalid_o <= 1'b0;
    end else begin
      rd_pend_q    <= mem_req_i && !mem_we_i;
      rd_live_q    <= h_rd && (h_dm ? h_elem_ok : h_insn_ok);
      rd_dm_q      <= h_dm;
      rd_word_q    <= h_word;
      mem_rvalid_o <= rd_pend_q;
      if (rd_pend_q) begin
        mem_rdata_o <= !rd_live_q ? 32'd0
                     : rd_dm_q ? dm_rdata[rd_word_q*32 +: 32] : imem_rdata;
      end
    end
  end

  wire unused_ok = &{1'b0, mem_addr_i[23:21], mem_addr_i[1:0], mul_busy};
endmodule

`default_nettype wire
