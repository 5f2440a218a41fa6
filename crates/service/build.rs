//! Generates the gRPC code from `proto/sakke/v1/sakke.proto` at build time, with the
//! `protoc` from `protoc-bin-vendored`: the code can never drift from the .proto, and a
//! machine with only cargo (no system `protoc`) builds it. Checking the generated code
//! in would need a regeneration script and a staleness test for the same guarantee.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    std::env::set_var("PROTOC", protoc_bin_vendored::protoc_bin_path()?);
    println!("cargo:rerun-if-changed=proto/sakke/v1/sakke.proto");
    tonic_build::configure().compile_protos(&["proto/sakke/v1/sakke.proto"], &["proto"])?;
    Ok(())
}
