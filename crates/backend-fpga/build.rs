//! Builds the C++ shim with cxx-build and, when Verilator is installed, the Verilated core
//! from hdl/rtl/ into OUT_DIR. Without Verilator the crate still builds: the simulated
//! device then reports "built without Verilator". `VERILATOR` names the binary
//! (default `verilator`; a path that does not exist builds without it).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let rtl = manifest.join("../../hdl/rtl");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let verilator = std::env::var("VERILATOR").unwrap_or_else(|_| "verilator".into());

    println!("cargo::rustc-check-cfg=cfg(sakke_verilator)");
    println!("cargo:rerun-if-env-changed=VERILATOR");
    println!("cargo:rerun-if-changed=src/ffi.rs");
    println!("cargo:rerun-if-changed=cxx");
    println!("cargo:rerun-if-changed={}", rtl.display());

    let mut sources: Vec<PathBuf> = std::fs::read_dir(&rtl)
        .expect("hdl/rtl")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "v"))
        .collect();
    sources.sort();
    for s in &sources {
        println!("cargo:rerun-if-changed={}", s.display());
    }

    let mut build = cxx_build::bridge("src/ffi.rs");
    build
        .file("cxx/sim_device.cc")
        .file("cxx/xdma_device.cc")
        .std("c++17")
        // The model is simulated cycle by cycle: optimise it whatever the Rust profile.
        .opt_level(2)
        .warnings(false);

    if let Some(root) = verilator_root(&verilator) {
        verilate(&verilator, &sources, &out.join("vobj"));
        let obj = out.join("vobj");
        let include = root.join("include");
        for f in std::fs::read_dir(&obj).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|x| x == "cpp") {
                build.file(p);
            }
        }
        build
            .file(include.join("verilated.cpp"))
            .file(include.join("verilated_threads.cpp"))
            .include(&obj)
            .include(&include)
            .include(include.join("vltstd"))
            .define("SAKKE_HAVE_VERILATOR", None)
            .define("VM_TRACE", "0")
            .flag_if_supported("-faligned-new");
        println!("cargo:rustc-cfg=sakke_verilator");
        println!("cargo:rustc-link-lib=pthread");
    } else {
        println!("cargo:warning=Verilator not found ({verilator}): fpga-sim is unavailable");
    }
    build.compile("sakke_fpga_shim");
}

/// VERILATOR_ROOT of a working Verilator, or None.
fn verilator_root(verilator: &str) -> Option<PathBuf> {
    let out = Command::new(verilator)
        .arg("--getenv")
        .arg("VERILATOR_ROOT")
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let root = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    root.join("include/verilated.cpp").exists().then_some(root)
}

fn verilate(verilator: &str, sources: &[PathBuf], obj: &Path) {
    let _ = std::fs::remove_dir_all(obj);
    let status = Command::new(verilator)
        .args([
            "--cc",
            "-O3",
            "-Wall",
            "--top-module",
            "sakke_core",
            "--prefix",
            "Vsakke_core",
        ])
        .arg("--Mdir")
        .arg(obj)
        .args(sources)
        .status()
        .expect("run verilator");
    assert!(status.success(), "verilator --cc failed");
}
