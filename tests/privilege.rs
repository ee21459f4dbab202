//! `privilege::drop_privileges` for real, on Linux (capabilities, setresuid, the
//! bounding set): see `privilege/linux.rs`. Elsewhere there is nothing to drop.

#[cfg(target_os = "linux")]
#[path = "privilege/linux.rs"]
mod linux;

#[cfg(target_os = "linux")]
fn main() -> std::process::ExitCode {
    linux::main()
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("privilege: nothing to test off Linux (the service account decides)");
}
