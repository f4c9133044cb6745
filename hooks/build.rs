//! Relinks the hook executables when `hot-symbols.txt` changes: the linker reads it (the
//! RUSTFLAGS of `scripts/hook-rustflags`), and Cargo does not know that file otherwise.
fn main() {
    println!("cargo:rerun-if-changed=hot-symbols.txt");
}
