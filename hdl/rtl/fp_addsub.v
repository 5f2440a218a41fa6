// Modular addition and subtraction over F_P: res = a + b mod P, or a - b mod P.
//
// Two cycles from start to done: a full-width add (or subtract) into N + 1 bits, then
// one conditional correction by P. Inputs must be below P; so is the result. The
// full-width carry chains are the simple form: a word-serial variant would trade cycles
// for timing on silicon.
`default_nettype none

module fp_addsub #(
  parameter integer N = 1024,
  parameter [N-1:0] P = {N{1'b1}}
) (
  input  wire          clk_i,
  input  wire          rst_ni,
  input  wire          clear_i,  // synchronous soft reset
  input  wire          start_i,  // one-cycle pulse; a_i, b_i and sub_i sampled on it
  input  wire          sub_i,    // 0: a + b, 1: a - b
  input  wire [N-1:0]  a_i,
  input  wire [N-1:0]  b_i,
  output reg  [N-1:0]  res_o,
  output reg           done_o    // one-cycle pulse
);
  reg          stage_q;   // the correction cycle is pending
  reg          sub_q;
  reg  [N:0]   sum_q;     // a + b, or a - b with the borrow in bit N

  wire [N:0]   raw      = sub_i ? ({1'b0, a_i} - {1'b0, b_i}) : ({1'b0, a_i} + {1'b0, b_i});
  wire [N+1:0] minus_p  = {1'b0, sum_q} - {2'b00, P};
  wire [N-1:0] plus_p   = sum_q[N-1:0] + P;
  // Addition: subtract P unless that borrows. Subtraction: add P back if a < b.
  wire [N-1:0] fixed    = sub_q ? (sum_q[N] ? plus_p : sum_q[N-1:0])
                                : (minus_p[N+1] ? sum_q[N-1:0] : minus_p[N-1:0]);

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      stage_q <= 1'b0;
      sub_q   <= 1'b0;
      sum_q   <= {(N+1){1'b0}};
      res_o   <= {N{1'b0}};
      done_o  <= 1'b0;
    end else if (clear_i) begin
      stage_q <= 1'b0;
      done_o  <= 1'b0;
    end else begin
      done_o <= 1'b0;
      if (start_i) begin
        sum_q   <= raw;
        sub_q   <= sub_i;
        stage_q <= 1'b1;
      end else if (stage_q) begin
        res_o   <= fixed;
        done_o  <= 1'b1;
        stage_q <= 1'b0;
      end
    end
  end

  wire unused_ok = &{1'b0, minus_p[N]};
endmodule

`default_nettype wire
