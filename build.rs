//! Compiles `rules/oui.tsv` into the vendor registry's binary form (record arrays and a
//! names blob, described in `src/oui/table.rs`), which `src/oui/mod.rs` includes, so the
//! binary never parses the table at run time.
//!
//! Every line is checked: a malformed line, a block listed twice or counts that disagree
//! with the `# counts:` comment fail the build with `rules/oui.tsv:LINE: what`.
//!
//! For a Windows target (mingw), it also makes `libPacket.a`, a *delay-import* library
//! for Npcap's `Packet.dll`, with `dlltool -y` from the list of functions
//! `pnet_datalink` imports ([`PACKET_EXPORTS`]). pnet's `#[link(name = "Packet")]`
//! resolves to it, so the executable starts without Npcap and loads `Packet.dll` at the
//! first call, which `src/capture/npcap.rs` makes sure happens only once the DLL is
//! known to be there.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

// The library's own line parser, builder and record encoding: one definition of the
// format for both. The library also uses the decoding half, which this script does not.
#[allow(dead_code)]
#[path = "src/oui/table.rs"]
mod table;

use table::{Block, Builder};

/// The table, relative to the package root (the build script's working directory).
const TABLE: &str = "rules/oui.tsv";

/// The functions of `Packet.dll` that `pnet_datalink` 0.35 declares
/// (`src/bindings/winpcap.rs`).
const PACKET_EXPORTS: &[&str] = &[
    "PacketAllocatePacket",
    "PacketCloseAdapter",
    "PacketFreePacket",
    "PacketGetAdapterNames",
    "PacketInitPacket",
    "PacketOpenAdapter",
    "PacketReceivePacket",
    "PacketSendPacket",
    "PacketSetBuff",
    "PacketSetHwFilter",
    "PacketSetMinToCopy",
    "PacketSetReadTimeout",
];

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed={TABLE}");
    println!("cargo:rerun-if-changed=src/oui/table.rs");
    println!("cargo:rerun-if-env-changed=DLLTOOL");
    let windows_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    let result = run().and_then(|()| {
        if windows_gnu {
            packet_delay_lib()
        } else {
            Ok(())
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes `Packet.def` and turns it into the delay-import library `libPacket.a` in
/// OUT_DIR, then adds OUT_DIR to the link search path.
fn packet_delay_lib() -> Result<(), String> {
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let def = out_dir.join("Packet.def");
    let mut text = String::from("LIBRARY Packet.dll\nEXPORTS\n");
    for f in PACKET_EXPORTS {
        text.push_str(&format!("    {f}\n"));
    }
    std::fs::write(&def, text).map_err(|e| format!("{}: {e}", def.display()))?;
    let arch = match std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() {
        Ok("x86_64") => ("x86_64-w64-mingw32-dlltool", "i386:x86-64"),
        Ok("x86") => ("i686-w64-mingw32-dlltool", "i386"),
        Ok(other) => return Err(format!("no Npcap delay-import library for {other}")),
        Err(_) => return Err("CARGO_CFG_TARGET_ARCH is not set".to_owned()),
    };
    let dlltool = std::env::var("DLLTOOL").unwrap_or_else(|_| arch.0.to_owned());
    let lib = out_dir.join("libPacket.a");
    let status = std::process::Command::new(&dlltool)
        .args(["-m", arch.1, "-D", "Packet.dll", "-d"])
        .arg(&def)
        .arg("-y")
        .arg(&lib)
        .status()
        .map_err(|e| {
            format!(
                "running {dlltool}: {e} (install Debian's binutils-mingw-w64-x86-64, or set \
                 DLLTOOL)"
            )
        })?;
    if !status.success() {
        return Err(format!(
            "{dlltool} failed ({status}) making {}",
            lib.display()
        ));
    }
    println!("cargo:rustc-link-search=native={}", out_dir.display());
    Ok(())
}

fn run() -> Result<(), String> {
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let text = std::fs::read_to_string(TABLE).map_err(|e| format!("{TABLE}: cannot read: {e}"))?;
    let mut builder = Builder::new();
    // (record array, key) -> the line that holds the block.
    let mut seen: HashMap<(usize, u64), usize> = HashMap::new();
    let mut counts: HashMap<Block, usize> = HashMap::new();
    let mut declared: Option<(usize, &str)> = None;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if let Some(c) = line.strip_prefix("# counts:") {
            declared = Some((line_no, c.trim()));
        }
        let entry = table::parse_line(line).map_err(|what| format!("{TABLE}:{line_no}: {what}"))?;
        let Some(entry) = entry else { continue };
        if let Some(first) = seen.insert((entry.block.table(), entry.key), line_no) {
            let digits = usize::from(entry.block.bits() / 4);
            return Err(format!(
                "{TABLE}:{line_no}: block {:0digits$X}/{} is already on line {first}",
                entry.key,
                entry.block.bits()
            ));
        }
        *counts.entry(entry.block).or_default() += 1;
        builder
            .add(entry.block, entry.key, Cow::Borrowed(entry.name))
            .map_err(|what| format!("{TABLE}:{line_no}: {what}"))?;
    }
    if seen.is_empty() {
        return Err(format!("{TABLE}: no blocks"));
    }
    if let Some((line_no, declared)) = declared {
        let actual = [Block::MaL, Block::MaM, Block::MaS, Block::Iab]
            .map(|b| format!("{b} {}", counts.get(&b).copied().unwrap_or(0)))
            .join(", ");
        if declared != actual {
            return Err(format!(
                "{TABLE}:{line_no}: the comment says `{declared}` but the table holds `{actual}`"
            ));
        }
    }
    let source = source_line(&text).unwrap_or("unknown");
    let tables = builder.finish();
    let [r24, r28, r36] = &tables.records;
    write(&out_dir, "oui-24.bin", r24)?;
    write(&out_dir, "oui-28.bin", r28)?;
    write(&out_dir, "oui-36.bin", r36)?;
    write(&out_dir, "oui-offsets.bin", &tables.offsets)?;
    write(&out_dir, "oui-names.txt", tables.names.as_bytes())?;
    write(&out_dir, "oui-source.txt", source.as_bytes())
}

/// The text after `# source:` in the leading comment lines, trimmed.
fn source_line(text: &str) -> Option<&str> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix("# source:"))
        .map(str::trim)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), String> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).map_err(|e| format!("{}: cannot write: {e}", path.display()))
}
