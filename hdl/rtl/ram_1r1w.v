// A simple dual-port RAM (one synchronous read port, one write port with a per-word write
// mask), written so that FPGA tools map it onto block RAM: the register file and data
// memory of F_P values (WIDTH = 1024, WORD = 32 so the host can write one 32-bit word of
// an element) and the program memory (WIDTH = WORD = 32). Read data appears the cycle
// after re_i; a read and a write of the same address in one cycle return the old value.
`default_nettype none

module ram_1r1w #(
  parameter integer WIDTH = 1024,
  parameter integer DEPTH = 32,
  parameter integer WORD  = 32,
  parameter integer AW    = $clog2(DEPTH)
) (
  input  wire                  clk_i,
  input  wire                  re_i,
  input  wire [AW-1:0]         raddr_i,
  output reg  [WIDTH-1:0]      rdata_o,
  input  wire                  we_i,
  input  wire [AW-1:0]         waddr_i,
  input  wire [WIDTH-1:0]      wdata_i,
  input  wire [WIDTH/WORD-1:0] wmask_i
);
  reg [WIDTH-1:0] mem_q [0:DEPTH-1];
  integer k;

  always @(posedge clk_i) begin
    if (we_i) begin
      for (k = 0; k < WIDTH / WORD; k = k + 1) begin
        if (wmask_i[k]) begin
          mem_q[waddr_i][k*WORD +: WORD] <= wdata_i[k*WORD +: WORD];
        end
      end
    end
    if (re_i) begin
      rdata_o <= mem_q[raddr_i];
    end
  end
endmodule

`default_nettype wire
