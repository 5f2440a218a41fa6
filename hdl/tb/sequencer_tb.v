// Test bench for the sequencer, through sakke_core's host ports as a host would drive
// them: load operands and a program into card memory, ring the doorbell, poll STATUS,
// read results back. Checks LOAD, MUL, ADD, SUB, MOV and STORE against values computed
// outside (Python), then a malformed instruction (unknown opcode) -> error status with its
// code and pc in LAST_ERROR. Run by hdl/tb/run.sh; prints PASS or FAIL.
`default_nettype none

module sequencer_tb;
  reg         clk = 1'b0;
  reg         rst_n = 1'b0;
  reg         reg_req = 1'b0, reg_we = 1'b0, mem_req = 1'b0, mem_we = 1'b0;
  reg  [11:0] reg_addr = 12'd0;
  reg  [23:0] mem_addr = 24'd0;
  reg  [31:0] reg_wdata = 32'd0, mem_wdata = 32'd0;
  wire [31:0] reg_rdata, mem_rdata;
  wire        reg_rvalid, mem_rvalid;
  reg  [31:0] word;
  reg  [1023:0] elem;
  integer     k, polls, failures = 0;

  always #5 clk = ~clk;

  sakke_core u_core (
    .clk_i(clk), .rst_ni(rst_n),
    .reg_req_i(reg_req), .reg_we_i(reg_we), .reg_addr_i(reg_addr), .reg_wdata_i(reg_wdata),
    .reg_rdata_o(reg_rdata), .reg_rvalid_o(reg_rvalid),
    .mem_req_i(mem_req), .mem_we_i(mem_we), .mem_addr_i(mem_addr), .mem_wdata_i(mem_wdata),
    .mem_rdata_o(mem_rdata), .mem_rvalid_o(mem_rvalid));

  task reg_write(input [11:0] addr, input [31:0] data);
    begin
      @(negedge clk) begin reg_req = 1; reg_we = 1; reg_addr = addr; reg_wdata = data; end
      @(negedge clk) begin reg_req = 0; reg_we = 0; end
    end
  endtask
  task reg_read(input [11:0] addr, output [31:0] data);
    begin
      @(negedge clk) begin reg_req = 1; reg_we = 0; reg_addr = addr; end
      @(negedge clk) reg_req = 0;
      while (!reg_rvalid) @(negedge clk);
      data = reg_rdata;
    end
  endtask
  task mem_write(input [23:0] addr, input [31:0] data);
    begin
      @(negedge clk) begin mem_req = 1; mem_we = 1; mem_addr = addr; mem_wdata = data; end
      @(negedge clk) begin mem_req = 0; mem_we = 0; end
    end
  endtask
  task mem_read(input [23:0] addr, output [31:0] data);
    begin
      @(negedge clk) begin mem_req = 1; mem_we = 0; mem_addr = addr; end
      @(negedge clk) mem_req = 0;
      while (!mem_rvalid) @(negedge clk);
      data = mem_rdata;
    end
  endtask
  task put(input integer e, input [1023:0] v);
    for (k = 0; k < 32; k = k + 1) mem_write(24'h100000 + e * 128 + k * 4, v[k*32 +: 32]);
  endtask
  task expect_elem(input integer e, input [1023:0] want);
    begin
      for (k = 0; k < 32; k = k + 1) begin
        mem_read(24'h100000 + e * 128 + k * 4, word);
        elem[k*32 +: 32] = word;
      end
      if (elem !== want) begin failures = failures + 1; $display("FAIL element %0d", e); end
    end
  endtask
  task run_to_end(input [15:0] entry);
    begin
      reg_write(12'h010, {16'd0, entry});
      word = 32'd1; polls = 0;
      while (word[0] && polls < 1000) begin reg_read(12'h00C, word); polls = polls + 1; end
    end
  endtask

  initial begin
    repeat (2) @(negedge clk);
    rst_n = 1'b1;
    reg_read(12'h000, word);
    if (word !== 32'h53414B45) begin failures = failures + 1; $display("FAIL id %h", word); end
    put(0, 1024'h986e86cb0ab8ab67a26b7f62b1852f27e3eff9c0cf44dd3f89e7d15f17362f25244caf9c4dabb4817253edc6181879932fa91425cb0088539d2c67eda13ffe7979cb9e86830c71c2cdcc69292f45e678309d6b79965eda32dae445508201e2bd73ab48767734d7c1c7fde805ec99108ddb5b5fab8f4d3e27dda1494c73cf256d);
    put(1, 1024'h4b4d8474a3ea284d3bd0334684e55160320094ead7a94ded97491e2370c6a5b85387f61376c468aec7321cc007b37e14998092253deffa38e12b2b8f30b17d0b09208a650f3ebdd3102b938b8743feb6d4ea65d003d716849f8558a628518867a66b0d389d95847ebd299753a767779673f778aaf6fa5db8656abd72fb710734);
    mem_write(24'h000000, 32'h10000000);
    mem_write(24'h000004, 32'h10400001);
    mem_write(24'h000008, 32'h30800400);
    mem_write(24'h00000c, 32'h40c00400);
    mem_write(24'h000010, 32'h51000400);
    mem_write(24'h000014, 32'h61420000);
    mem_write(24'h000018, 32'h20020002);
    mem_write(24'h00001c, 32'h20030003);
    mem_write(24'h000020, 32'h20040004);
    mem_write(24'h000024, 32'h20050005);
    mem_write(24'h000028, 32'h00000000);
    run_to_end(16'd0);
    if (word[2:0] !== 3'b010) begin failures = failures + 1; $display("FAIL status %h", word); end
    reg_read(12'h014, word);
    $display("program of %0d instructions: %0d cycles", 11, word);
    expect_elem(2, 1024'h4ac8edd60570f7160e45d3c76fff6381b118ed56663a8a46e5de07263e72a1a6c93e431e2636d5363d73d6bec996bbb81bbd0405923abf58e297a27d3e9c05e69e65f61c3019a47a22778a24e7f62b4e05820b2d140c034b8c2bae5fb722be7a26a0d6c9625237ef922cd7aebe4dcb1e839bf04790c178332da199c32b415e0c);
    expect_elem(3, 1024'h4a415020a44c93da7875a1105b9a1b0dd48481ca0a39a8cb62960c29d41cbaae83c9fa87e1740e1516fed9b0ee265af6e197f2ab1127f87348ea6b882b8ad4b3a07fc4645fdfe2c18ccd36e75121c84d4ed7dca168b0c634d29a61a48e17617a7a817effbe333d20884397360a7b0a73ce8cf945d9cccd58dc9e86447097ccb6);
    expect_elem(4, 1024'h4d21025666ce831a669b4c1c2c9fddc7b1ef64d5f79b8f51f29eb33ba66f896cd0c4b988d6e74bd2ab21d1061064fb7e962882008d108e1abc013c5e708e816e70ab142173cdb3efbda0d59da801e7c15bb305a99287c3ae3b5eecaa59b05a55cd403b3dd99f53430ad450b2453198f76763e7009852e06f78368bd9785e1e39);
    expect_elem(5, 1024'h4ac8edd60570f7160e45d3c76fff6381b118ed56663a8a46e5de07263e72a1a6c93e431e2636d5363d73d6bec996bbb81bbd0405923abf58e297a27d3e9c05e69e65f61c3019a47a22778a24e7f62b4e05820b2d140c034b8c2bae5fb722be7a26a0d6c9625237ef922cd7aebe4dcb1e839bf04790c178332da199c32b415e0c);
    // A malformed program at 0x40: MOV then opcode 0xF.
    mem_write(24'h000100, 32'h60400000);
    mem_write(24'h000104, 32'hF0000000);
    run_to_end(16'h0040);
    if (word[2:0] !== 3'b100 || word[15:8] !== 8'd1) begin
      failures = failures + 1; $display("FAIL error status %h", word);
    end
    reg_read(12'h01C, word);
    if (word !== 32'h00410001) begin failures = failures + 1; $display("FAIL last error %h", word); end
    if (failures == 0) $display("PASS"); else $display("FAIL: %0d", failures);
    $finish;
  end
endmodule

`default_nettype wire
