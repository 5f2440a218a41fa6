// The micro-program sequencer: fetches 32-bit instructions from program memory and runs
// them over the register file (working F_P values) and the data memory (operands, tables
// and results the host reads and writes). Control flow is the program's alone: the only
// branch is HALT, so the instruction stream, and with it the cycle count, never depends
// on data (constant time by construction).
//
// Instruction word (fields the opcode does not use must be zero):
//   [31:28] op   [27:22] rd   [21:16] ra   [15:10] rb   [15:0] addr (LOAD, STORE)
//   0 HALT                     stop; status done
//   1 LOAD  rd, [addr]         rd <- mem[addr]
//   2 STORE [addr], ra         mem[addr] <- ra
//   3 MUL   rd, ra, rb         rd <- ra * rb * 2^-N mod P   (Montgomery)
//   4 ADD   rd, ra, rb         rd <- ra + rb mod P
//   5 SUB   rd, ra, rb         rd <- ra - rb mod P
//   6 MOV   rd, ra             rd <- ra
// A malformed instruction stops the program with an error code (ErrXxx below) and the
// program counter it stopped at. Cycles per instruction: LOAD, STORE, MOV 5; ADD, SUB 9;
// MUL 7 plus the multiplier's latency.
`default_nettype none

module sequencer #(
  parameter integer N          = 1024,
  parameter integer NREG       = 32,
  parameter integer DM_DEPTH   = 256,
  parameter integer IMEM_DEPTH = 4096,
  parameter integer RAW        = $clog2(NREG),
  parameter integer DAW        = $clog2(DM_DEPTH),
  parameter integer IAW        = $clog2(IMEM_DEPTH)
) (
  input  wire            clk_i,
  input  wire            rst_ni,
  input  wire            clear_i,       // synchronous soft reset: abandon the program
  input  wire            start_i,       // one-cycle pulse: run from entry_i
  input  wire [15:0]     entry_i,
  input  wire            hang_i,        // fault injection: stall before the next instruction

  output reg             imem_re_o,
  output reg  [IAW-1:0]  imem_raddr_o,
  input  wire [31:0]     imem_rdata_i,

  output reg             rf_re_o,
  output reg  [RAW-1:0]  rf_raddr_o,
  input  wire [N-1:0]    rf_rdata_i,
  output reg             rf_we_o,
  output reg  [RAW-1:0]  rf_waddr_o,
  output reg  [N-1:0]    rf_wdata_o,

  output reg             dm_re_o,
  output reg  [DAW-1:0]  dm_raddr_o,
  input  wire [N-1:0]    dm_rdata_i,
  output reg             dm_we_o,
  output reg  [DAW-1:0]  dm_waddr_o,
  output reg  [N-1:0]    dm_wdata_o,

  output reg             mul_start_o,
  output reg             as_start_o,
  output reg             as_sub_o,
  output reg  [N-1:0]    opa_o,
  output reg  [N-1:0]    opb_o,
  input  wire [N-1:0]    mul_res_i,
  input  wire            mul_done_i,
  input  wire [N-1:0]    as_res_i,
  input  wire            as_done_i,

  output reg             busy_o,
  output reg             done_o,        // the last run ended in HALT
  output reg             err_o,         // the last run ended in an error
  output reg  [7:0]      err_code_o,
  output reg  [15:0]     err_pc_o
);
  localparam [3:0] OpHalt = 4'd0, OpLoad = 4'd1, OpStore = 4'd2, OpMul = 4'd3,
                   OpAdd = 4'd4, OpSub = 4'd5, OpMov = 4'd6;

  localparam [7:0] ErrOpcode   = 8'd1,  // no such opcode
                   ErrReserved = 8'd2,  // a field the opcode does not use is not zero
                   ErrReg      = 8'd3,  // register index >= NREG
                   ErrAddr     = 8'd4,  // data memory address >= DM_DEPTH
                   ErrPc       = 8'd5;  // ran past the end of program memory (pc: the last address)

  localparam [2:0] StIdle = 3'd0, StFetch = 3'd1, StFWait = 3'd2, StDecode = 3'd3,
                   StRd1 = 3'd4, StRd2 = 3'd5, StRd3 = 3'd6, StWait = 3'd7;

  reg [2:0]  state_q;
  reg [16:0] pc_q;
  reg [3:0]  op_q;
  reg [RAW-1:0] rd_q;
  reg [RAW-1:0] rb_q;
  reg [DAW-1:0] addr_q;

  wire [3:0]  op   = imem_rdata_i[31:28];
  wire [5:0]  rd   = imem_rdata_i[27:22];
  wire [5:0]  ra   = imem_rdata_i[21:16];
  wire [5:0]  rb   = imem_rdata_i[15:10];
  wire [15:0] addr = imem_rdata_i[15:0];

  wire rd_bad   = ({26'd0, rd} >= NREG);
  wire ra_bad   = ({26'd0, ra} >= NREG);
  wire rb_bad   = ({26'd0, rb} >= NREG);
  wire addr_bad = ({16'd0, addr} >= DM_DEPTH);

  // The decoder's verdict on the fetched instruction: 0 when it is well formed.
  reg [7:0] fault;
  always @(*) begin
    fault = 8'd0;
    case (op)
      OpHalt:  if (imem_rdata_i[27:0] != 28'd0) fault = ErrReserved;
      OpLoad:  if (ra != 6'd0) fault = ErrReserved;
               else if (rd_bad) fault = ErrReg;
               else if (addr_bad) fault = ErrAddr;
      OpStore: if (rd != 6'd0) fault = ErrReserved;
               else if (ra_bad) fault = ErrReg;
               else if (addr_bad) fault = ErrAddr;
      OpMul, OpAdd, OpSub:
               if (imem_rdata_i[9:0] != 10'd0) fault = ErrReserved;
               else if (rd_bad || ra_bad || rb_bad) fault = ErrReg;
      OpMov:   if (imem_rdata_i[15:0] != 16'd0) fault = ErrReserved;
               else if (rd_bad || ra_bad) fault = ErrReg;
      default: fault = ErrOpcode;
    endcase
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= StIdle;
      pc_q         <= 17'd0;
      op_q         <= OpHalt;
      rd_q         <= {RAW{1'b0}};
      rb_q         <= {RAW{1'b0}};
      addr_q       <= {DAW{1'b0}};
      imem_re_o    <= 1'b0;
      imem_raddr_o <= {IAW{1'b0}};
      rf_re_o      <= 1'b0;
      rf_raddr_o   <= {RAW{1'b0}};
      rf_we_o      <= 1'b0;
      rf_waddr_o   <= {RAW{1'b0}};
      rf_wdata_o   <= {N{1'b0}};
      dm_re_o      <= 1'b0;
      dm_raddr_o   <= {DAW{1'b0}};
      dm_we_o      <= 1'b0;
      dm_waddr_o   <= {DAW{1'b0}};
      dm_wdata_o   <= {N{1'b0}};
      mul_start_o  <= 1'b0;
      as_start_o   <= 1'b0;
      as_sub_o     <= 1'b0;
      opa_o        <= {N{1'b0}};
      opb_o        <= {N{1'b0}};
      busy_o       <= 1'b0;
      done_o       <= 1'b0;
      err_o        <= 1'b0;
      err_code_o   <= 8'd0;
      err_pc_o     <= 16'd0;
    end else if (clear_i) begin
      state_q     <= StIdle;
      imem_re_o   <= 1'b0;
      rf_re_o     <= 1'b0;
      rf_we_o     <= 1'b0;
      dm_re_o     <= 1'b0;
      dm_we_o     <= 1'b0;
      mul_start_o <= 1'b0;
      as_start_o  <= 1'b0;
      busy_o      <= 1'b0;
      done_o      <= 1'b0;
      err_o       <= 1'b0;
      err_code_o  <= 8'd0;
    end else begin
      case (state_q)
        StIdle: begin
          if (start_i) begin
            pc_q       <= {1'b0, entry_i};
            busy_o     <= 1'b1;
            done_o     <= 1'b0;
            err_o      <= 1'b0;
            err_code_o <= 8'd0;
            state_q    <= StFetch;
          end
        end
        StFetch: begin
          rf_we_o <= 1'b0;
          dm_we_o <= 1'b0;
          if ({15'd0, pc_q} >= IMEM_DEPTH) begin
            busy_o     <= 1'b0;
            err_o      <= 1'b1;
            err_code_o <= ErrPc;
            err_pc_o   <= pc_q[15:0] - 16'd1;  // the last address run (pc may be 2^16)
            state_q    <= StIdle;
          end else begin
            imem_re_o    <= 1'b1;
            imem_raddr_o <= pc_q[IAW-1:0];
            state_q      <= StFWait;
          end
        end
        StFWait: begin
          imem_re_o <= 1'b0;
          state_q   <= StDecode;
        end
        StDecode: begin
          if (!hang_i) begin
            op_q   <= op;
            rd_q   <= rd[RAW-1:0];
            rb_q   <= rb[RAW-1:0];
            addr_q <= addr[DAW-1:0];
            if (fault != 8'd0) begin
              busy_o     <= 1'b0;
              err_o      <= 1'b1;
              err_code_o <= fault;
              err_pc_o   <= pc_q[15:0];
              state_q    <= StIdle;
            end else if (op == OpHalt) begin
              busy_o  <= 1'b0;
              done_o  <= 1'b1;
              state_q <= StIdle;
            end else if (op == OpLoad) begin
              dm_re_o    <= 1'b1;
              dm_raddr_o <= addr[DAW-1:0];
              state_q    <= StRd1;
            end else begin
              rf_re_o    <= 1'b1;
              rf_raddr_o <= ra[RAW-1:0];
              state_q    <= StRd1;
            end
          end
        end
        StRd1: begin
          dm_re_o <= 1'b0;
          if (op_q == OpMul || op_q == OpAdd || op_q == OpSub) begin
            rf_raddr_o <= rb_q;
          end else begin
            rf_re_o <= 1'b0;
          end
          state_q <= StRd2;
        end
        StRd2: begin
          rf_re_o <= 1'b0;
          case (op_q)
            OpLoad: begin
              rf_we_o    <= 1'b1;
              rf_waddr_o <= rd_q;
              rf_wdata_o <= dm_rdata_i;
              pc_q       <= pc_q + 17'd1;
              state_q    <= StFetch;
            end
            OpStore: begin
              dm_we_o    <= 1'b1;
              dm_waddr_o <= addr_q;
              dm_wdata_o <= rf_rdata_i;
              pc_q       <= pc_q + 17'd1;
              state_q    <= StFetch;
            end
            OpMov: begin
              rf_we_o    <= 1'b1;
              rf_waddr_o <= rd_q;
              rf_wdata_o <= rf_rdata_i;
              pc_q       <= pc_q + 17'd1;
              state_q    <= StFetch;
            end
            default: begin
              opa_o   <= rf_rdata_i;
              state_q <= StRd3;
            end
          endcase
        end
        StRd3: begin
          opb_o       <= rf_rdata_i;
          mul_start_o <= (op_q == OpMul);
          as_start_o  <= (op_q != OpMul);
          as_sub_o    <= (op_q == OpSub);
          state_q     <= StWait;
        end
        StWait: begin
          mul_start_o <= 1'b0;
          as_start_o  <= 1'b0;
          if ((op_q == OpMul) ? mul_done_i : as_done_i) begin
            rf_we_o    <= 1'b1;
            rf_waddr_o <= rd_q;
            rf_wdata_o <= (op_q == OpMul) ? mul_res_i : as_res_i;
            pc_q       <= pc_q + 17'd1;
            state_q    <= StFetch;
          end
        end
        default: state_q <= StIdle;
      endcase
    end
  end

endmodule

`default_nettype wire
