// Word-serial FIOS Montgomery multiplier: res = a * b * 2^-N mod P.
//
// N = 1024 bits (RFC 6509 parameter set 1), split into S = N / W words of W bits; W is a
// parameter (any divisor of N; 64 by default, 32 is DSP48-friendlier). With R = 2^N this is
// the same Montgomery form as the CPU reference (crates/pairing/src/fp.rs).
//
// Schedule, per outer word b_i (S of them):
//   M1     u = (t_0 + a_0 * b_i) mod 2^W
//   M2     m = u * PINV mod 2^W                 (PINV = -P^-1 mod 2^W)
//   INNER  S cycles, j = 0..S-1: (c, t_{j-1}) = t_j + a_j * b_i + m * p_j + c
//   TOP    (t_S, t_{S-1}) = t_S + c
// then FIOS' final step, word-serial: S + 1 cycles of t - P with a borrow chain, and one
// cycle to pick t or t - P. Cycles per product, start pulse to done pulse:
//   S * (S + 3) + (S + 1) + 2        = 323 for W = 64 (S = 16), 1155 for W = 32.
// Multipliers instantiated: three W x W (a_j * b_i, m * p_j, and the low half u * PINV);
// a_0 * b_i in M1 goes through the a_j * b_i multiplier. The carry chain per cycle is 2W+1
// bits wide. Inputs below P give a result below P.
`default_nettype none

module mont_mul #(
  parameter integer       N = 1024,
  parameter integer       W = 64,
  parameter [N-1:0]       P = {N{1'b1}}
) (
  input  wire          clk_i,
  input  wire          rst_ni,
  input  wire          clear_i,   // synchronous soft reset: abandon the product
  input  wire          start_i,   // one-cycle pulse; a_i, b_i sampled on it
  input  wire [N-1:0]  a_i,
  input  wire [N-1:0]  b_i,
  output reg  [N-1:0]  res_o,
  output reg           done_o,    // one-cycle pulse, res_o valid from then on
  output reg           busy_o
);
  localparam integer S  = N / W;
  localparam integer CW = $clog2(S + 2);

  // -P^-1 mod 2^W by Newton's iteration x <- x * (2 - p0 * x): each step doubles the
  // number of correct low bits, starting from x = 1 (correct mod 2 as P is odd).
  function automatic [W-1:0] neg_inv(input [W-1:0] p0);
    reg [W-1:0] x;
    integer k;
    begin
      x = {{(W-1){1'b0}}, 1'b1};
      for (k = 0; k < 8; k = k + 1) begin
        x = x * ({{(W-2){1'b0}}, 2'd2} - p0 * x);
      end
      neg_inv = ~x + {{(W-1){1'b0}}, 1'b1};
    end
  endfunction

  localparam [W-1:0] PINV = neg_inv(P[W-1:0]);

  localparam [2:0] StIdle = 3'd0, StM1 = 3'd1, StM2 = 3'd2, StInner = 3'd3,
                   StTop = 3'd4, StSub = 3'd5, StFin = 3'd6;

  reg [2:0]      state_q;
  reg [N-1:0]    a_q;        // multiplicand; reused for t - P in StSub
  reg [N-1:0]    b_q;
  reg [N+W-1:0]  t_q;        // S + 1 words
  reg [W-1:0]    m_q;
  reg [W:0]      carry_q;    // W + 1 bits: t + a*b + m*p + c < 2^(2W+1)
  reg            borrow_q;
  reg [CW-1:0]   i_q;
  reg [CW-1:0]   j_q;

  // Word selects.
  wire [W-1:0] aw_j = a_q[j_q*W +: W];
  wire [W-1:0] bw_i = b_q[i_q*W +: W];
  wire [W-1:0] pw_j = (j_q < S[CW-1:0]) ? P[j_q*W +: W] : {W{1'b0}};
  wire [W-1:0] tw_j = t_q[j_q*W +: W];
  wire [W-1:0] tw_0 = t_q[W-1:0];
  wire [W-1:0] tw_s = t_q[N +: W];

  // Multipliers, (2W+1)-bit results so that the sums below cannot overflow.
  wire [W-1:0]   a_sel   = (state_q == StM1) ? a_q[W-1:0] : aw_j;
  wire [2*W:0]   prod_ab = {{(W+1){1'b0}}, a_sel} * {{(W+1){1'b0}}, bw_i};
  wire [2*W:0]   prod_mp = {{(W+1){1'b0}}, m_q} * {{(W+1){1'b0}}, pw_j};
  wire [W-1:0]   prod_m  = m_q * PINV;  // low half only
  wire [2*W:0]   sum_in  = {{(W+1){1'b0}}, tw_j} + prod_ab + prod_mp
                           + {{W{1'b0}}, carry_q};
  wire [W:0]     sum_top = {1'b0, tw_s} + carry_q;
  wire [W-1:0]   u_m1    = tw_0 + prod_ab[W-1:0];
  // One word of t - P, with the borrow in and out.
  wire [W+1:0]   diff_j  = {2'b00, tw_j} - {2'b00, pw_j} - {{(W+1){1'b0}}, borrow_q};

  wire [CW-1:0] j_prev = j_q - 1'b1;

  wire last_i = (i_q == S[CW-1:0] - 1'b1);
  wire last_j = (j_q == S[CW-1:0] - 1'b1);

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= StIdle;
      a_q      <= {N{1'b0}};
      b_q      <= {N{1'b0}};
      t_q      <= {(N+W){1'b0}};
      m_q      <= {W{1'b0}};
      carry_q  <= {(W+1){1'b0}};
      borrow_q <= 1'b0;
      i_q      <= {CW{1'b0}};
      j_q      <= {CW{1'b0}};
      res_o    <= {N{1'b0}};
      done_o   <= 1'b0;
      busy_o   <= 1'b0;
    end else if (clear_i) begin
      state_q  <= StIdle;
      done_o   <= 1'b0;
      busy_o   <= 1'b0;
    end else begin
      done_o <= 1'b0;
      case (state_q)
        StIdle: begin
          if (start_i) begin
            a_q     <= a_i;
            b_q     <= b_i;
            t_q     <= {(N+W){1'b0}};
            i_q     <= {CW{1'b0}};
            j_q     <= {CW{1'b0}};
            busy_o  <= 1'b1;
            state_q <= StM1;
          end
        end
        StM1: begin
          m_q     <= u_m1;
          state_q <= StM2;
        end
        StM2: begin
          m_q     <= prod_m;
          carry_q <= {(W+1){1'b0}};
          j_q     <= {CW{1'b0}};
          state_q <= StInner;
        end
        StInner: begin
          // Word 0 of the sum is zero by the choice of m: it is shifted out.
          if (j_q != {CW{1'b0}}) begin
            t_q[j_prev*W +: W] <= sum_in[W-1:0];
          end
          carry_q <= sum_in[2*W:W];
          j_q     <= j_q + 1'b1;
          if (last_j) begin
            state_q <= StTop;
          end
        end
        StTop: begin
          t_q[(S-1)*W +: W] <= sum_top[W-1:0];
          t_q[N +: W]       <= {{(W-1){1'b0}}, sum_top[W]};
          i_q               <= i_q + 1'b1;
          if (last_i) begin
            j_q      <= {CW{1'b0}};
            borrow_q <= 1'b0;
            state_q  <= StSub;
          end else begin
            state_q  <= StM1;
          end
        end
        StSub: begin
          // Words 0..S of t - P into a_q (word S only yields the final borrow).
          if (j_q < S[CW-1:0]) begin
            a_q[j_q*W +: W] <= diff_j[W-1:0];
          end
          borrow_q <= diff_j[W+1];
          j_q      <= j_q + 1'b1;
          if (j_q == S[CW-1:0]) begin
            state_q <= StFin;
          end
        end
        StFin: begin
          // A borrow out of word S means t < P: keep t.
          res_o   <= borrow_q ? t_q[N-1:0] : a_q;
          done_o  <= 1'b1;
          busy_o  <= 1'b0;
          state_q <= StIdle;
        end
        default: state_q <= StIdle;
      endcase
    end
  end

  // prod_mp's top bit, prod_ab's upper half outside StInner and the top word of diff_j's
  // spare bit are structurally unused.
  wire unused_ok = &{1'b0, prod_ab[2*W:W], prod_mp[2*W], diff_j[W]};
endmodule

`default_nettype wire
