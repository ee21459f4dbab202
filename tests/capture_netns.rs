//! Live capture for real, in network namespaces this test makes and removes: a veth pair
//! joins a "capture" namespace (`cap0`) and a "sender" namespace (`snd0`). Python's
//! AF_PACKET socket sends hand-made frames from the sender (and, to check that our own
//! frames are left out, from the capture namespace itself); the capture runs in a child
//! process, this test executable re-run inside the capture namespace with `ip netns exec`
//! (its `helper` test, driven by line commands on stdin). IPv6 is disabled in both
//! namespaces, so the kernel adds no traffic of its own and every captured frame is one
//! the test sent. Nothing touches the machine's own interfaces.
//!
//! Needs root (namespaces, packet sockets), iproute2 and python3; without them the tests
//! fail, saying so. Children are killed by PID and namespaces removed, also on failure.
#![cfg(target_os = "linux")]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::Ipv6Addr;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use v6sentinel::capture::{self, Backend, CaptureError, LiveCapture};
use v6sentinel::wire::build::{Addressing, icmpv6_frame, router_solicit, udp_frame};
use v6sentinel::wire::icmpv6::{Icmpv6Repr, Message};
use v6sentinel::wire::ndisc::{NdiscRepr, RaFlags};
use v6sentinel::wire::ndopt::{NdOption, NdOptions};
use v6sentinel::wire::{self, Mac};

/// Set in the environment of the helper process.
const HELPER_ENV: &str = "V6S_CAPTURE_NETNS_HELPER";
/// The capture side's MAC.
const CAP_MAC: &str = "02:76:36:ca:00:01";
/// The sender's MAC.
const SND_MAC: &str = "02:76:36:5e:00:02";
/// A MAC nobody has: the source of the frame the capture namespace sends itself.
const OTHER_MAC: &str = "02:76:36:0f:00:03";
/// How long a capture waits after the last frame before it reports.
const IDLE_MS: u64 = 700;

// ----- the helper process: runs inside the capture namespace -----

/// Not a test on its own: the tests below run it in the capture namespace (`ip netns
/// exec NS <this executable> helper --exact --ignored`), and it does nothing without
/// their environment. Commands, one per line on stdin; answers on stdout after `@@ `:
/// `open BACKEND IFACE` → `ok` | `err KIND MESSAGE`; `collect` → `frame TS ORIG_LEN HEX`
/// lines then `done N` (or `err ...`); `count` → `done N`; `stats` → `stats RECEIVED
/// KERNEL_PASSED DROPPED FILTERED` (`-` for none); `close` → `ok`.
#[test]
#[ignore = "helper: run by the tests of this file inside a network namespace"]
fn helper() {
    if std::env::var_os(HELPER_ENV).is_none() {
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _enter = rt.enter();
    let mut cap: Option<LiveCapture> = None;
    let say = |s: &str| println!("@@ {s}");
    for line in std::io::stdin().lines() {
        let line = line.unwrap();
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["open", backend, iface] => {
                match capture::open(iface, backend.parse::<Backend>().unwrap()) {
                    Ok(c) => {
                        cap = Some(c);
                        say("ok");
                    }
                    Err(e) => say(&format!("err {} {e}", kind(&e))),
                }
            }
            [what @ ("collect" | "count")] => {
                let cap = cap.as_mut().unwrap();
                let mut n = 0;
                let result = rt.block_on(async {
                    loop {
                        let idle = Duration::from_millis(IDLE_MS);
                        match tokio::time::timeout(idle, cap.recv()).await {
                            Err(_) => return Ok(()),
                            Ok(Err(e)) => return Err(e),
                            Ok(Ok(f)) => {
                                n += 1;
                                if *what == "collect" {
                                    say(&format!(
                                        "frame {} {} {}",
                                        f.ts_micros,
                                        f.orig_len,
                                        hex(f.data)
                                    ));
                                }
                            }
                        }
                    }
                });
                match result {
                    Ok(()) => say(&format!("done {n}")),
                    Err(e) => say(&format!("err {} {e}", kind(&e))),
                }
            }
            ["stats"] => {
                let s = cap.as_mut().unwrap().stats().unwrap();
                let opt = |v: Option<u64>| v.map_or("-".to_owned(), |v| v.to_string());
                say(&format!(
                    "stats {} {} {} {}",
                    s.received,
                    opt(s.kernel_passed),
                    opt(s.dropped_by_kernel),
                    s.filtered
                ));
            }
            ["close"] => {
                cap = None;
                say("ok");
            }
            _ => say(&format!("err Protocol unknown command {line:?}")),
        }
    }
}

fn kind(e: &CaptureError) -> &'static str {
    match e {
        CaptureError::Permission { .. } => "Permission",
        CaptureError::NoSuchInterface { .. } => "NoSuchInterface",
        CaptureError::InterfaceDown { .. } => "InterfaceDown",
        CaptureError::NotEthernet { .. } => "NotEthernet",
        CaptureError::Bind { .. } => "Bind",
        _ => "Other",
    }
}

fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

// ----- the namespaces -----

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn ip(args: &[&str]) -> String {
    run(Command::new("ip").args(args))
}

/// Fails, naming what is missing, unless this runs as root with iproute2 and python3.
fn require_root_and_tools() {
    let uid = Command::new("id").arg("-u").output().map(|o| o.stdout);
    assert!(
        matches!(&uid, Ok(u) if u == b"0\n"),
        "capture_netns needs root: it creates network namespaces and packet sockets \
         (run the tests as root, with iproute2 and python3 installed)"
    );
    for (tool, package) in [("ip", "iproute2"), ("python3", "python3")] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "capture_netns needs {tool} (Debian package {package})"
        );
    }
}

const PREFIX: &str = "v6scap-";

/// Removes namespaces a killed earlier run of this file left (their PID is gone).
fn remove_stale_namespaces() {
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else {
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or_default();
        let Some(pid) = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
}

/// Two namespaces joined by a veth pair (`cap0` in `cap`, `snd0` in `snd`), plus a veth
/// pair left down in `cap` (`down0`). Dropping it kills the helpers and removes both.
struct Lab {
    cap: String,
    snd: String,
    made: Vec<String>,
    helpers: Vec<Helper>,
}

impl Lab {
    fn new(tag: &str) -> Lab {
        require_root_and_tools();
        remove_stale_namespaces();
        let base = format!("{PREFIX}{}-{tag}", std::process::id());
        let mut lab = Lab {
            cap: format!("{base}-cap"),
            snd: format!("{base}-snd"),
            made: Vec::new(),
            helpers: Vec::new(),
        };
        for ns in [lab.cap.clone(), lab.snd.clone()] {
            let _ = Command::new("ip").args(["netns", "del", &ns]).output();
            ip(&["netns", "add", &ns]);
            lab.made.push(ns.clone());
            // No IPv6 on the devices: the kernel sends nothing (no ND, no MLD).
            run(Command::new("ip").args(["netns", "exec", &ns]).args([
                "sh",
                "-c",
                "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 && \
                 echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6",
            ]));
            ip(&["-n", &ns, "link", "set", "lo", "up"]);
        }
        ip(&[
            "-n", &lab.cap, "link", "add", "cap0", "address", CAP_MAC, "type", "veth", "peer",
            "name", "snd0", "address", SND_MAC, "netns", &lab.snd,
        ]);
        ip(&[
            "-n", &lab.cap, "link", "add", "down0", "type", "veth", "peer", "name", "down1",
        ]);
        ip(&["-n", &lab.cap, "link", "set", "cap0", "up"]);
        ip(&["-n", &lab.snd, "link", "set", "snd0", "up"]);
        lab
    }

    /// Starts the capture helper in the capture namespace, behind `wrapper` (e.g.
    /// `setpriv ...`), and returns its index in `helpers`.
    fn helper(&mut self, wrapper: &[&str]) -> usize {
        let h = Helper::spawn(&self.cap, wrapper);
        self.helpers.push(h);
        self.helpers.len() - 1
    }

    /// Sends each frame `repeat` times, in order, from interface `iface` of `ns`.
    fn send(&self, ns: &str, iface: &str, frames: &[Vec<u8>], repeat: usize) {
        const SCRIPT: &str = "import socket, sys\n\
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n\
            s.bind((sys.argv[1], 0))\n\
            frames = [bytes.fromhex(h) for h in sys.argv[3:]]\n\
            for _ in range(int(sys.argv[2])):\n\
            \x20   for f in frames:\n\
            \x20       s.send(f)\n";
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", ns, "python3", "-c", SCRIPT, iface])
            .arg(repeat.to_string())
            .args(frames.iter().map(|f| hex(f)));
        run(&mut cmd);
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for h in &mut self.helpers {
            h.kill();
        }
        for ns in self.made.iter().rev() {
            // Anything else still running in a namespace goes too, by PID.
            if let Ok(out) = Command::new("ip").args(["netns", "pids", ns]).output() {
                for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                    let _ = Command::new("kill").args(["-KILL", pid]).status();
                }
            }
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

/// The capture helper: this executable's `helper` test in the capture namespace.
struct Helper {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Helper {
    fn spawn(ns: &str, wrapper: &[&str]) -> Helper {
        let exe = std::env::current_exe().unwrap();
        let mut child = Command::new("ip")
            .args(["netns", "exec", ns])
            .args(wrapper)
            .arg(exe)
            .args([
                "helper",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(HELPER_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut err_pipe = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // libtest may have begun the line (`test helper ... `).
                if let Some(at) = line.find("@@ ") {
                    if tx.send(line[at + 3..].to_owned()).is_err() {
                        return;
                    }
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut err_pipe, &mut s);
            sink.lock().unwrap().push_str(&s);
        });
        Helper {
            child,
            stdin,
            lines,
            stderr,
        }
    }

    /// Sends one command and returns the answer lines, the last being `ok`, `done N`,
    /// `stats ...` or `err ...`.
    fn ask(&mut self, command: &str) -> Vec<String> {
        writeln!(self.stdin, "{command}").unwrap();
        self.stdin.flush().unwrap();
        let mut answer = Vec::new();
        loop {
            match self.lines.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => {
                    let last = !line.starts_with("frame ");
                    answer.push(line);
                    if last {
                        return answer;
                    }
                }
                Err(e) => {
                    self.kill();
                    std::thread::sleep(Duration::from_millis(200));
                    panic!(
                        "capture helper: no answer to {command:?} ({e}); its stderr:\n{}",
                        self.stderr.lock().unwrap()
                    );
                }
            }
        }
    }

    fn ok(&mut self, command: &str) {
        let answer = self.ask(command);
        assert_eq!(answer, ["ok"], "{command}");
    }

    /// The frames captured until the capture has been idle for [`IDLE_MS`].
    fn collect(&mut self) -> Vec<Captured> {
        let answer = self.ask("collect");
        let (last, frames) = answer.split_last().unwrap();
        assert!(last.starts_with("done "), "collect: {last}");
        frames
            .iter()
            .map(|l| {
                let w: Vec<&str> = l.split(' ').collect();
                Captured {
                    ts_micros: w[1].parse().unwrap(),
                    orig_len: w[2].parse().unwrap(),
                    data: unhex(w[3]),
                }
            })
            .collect()
    }

    fn stats(&mut self) -> Stats {
        let answer = self.ask("stats");
        let w: Vec<&str> = answer[0].split(' ').collect();
        assert_eq!(w[0], "stats", "{answer:?}");
        let opt = |s: &str| (s != "-").then(|| s.parse().unwrap());
        Stats {
            received: w[1].parse().unwrap(),
            kernel_passed: opt(w[2]),
            dropped_by_kernel: opt(w[3]),
            filtered: w[4].parse().unwrap(),
        }
    }

    fn kill(&mut self) {
        // `ip netns exec` execs the command, so this PID is the helper itself.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Captured {
    ts_micros: i64,
    orig_len: usize,
    data: Vec<u8>,
}

#[derive(Debug)]
struct Stats {
    received: u64,
    kernel_passed: Option<u64>,
    dropped_by_kernel: Option<u64>,
    filtered: u64,
}

fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64
}

// ----- the frames -----

fn mac(s: &str) -> Mac {
    s.parse().unwrap()
}

fn addressing(src: &str, dst_ip: Ipv6Addr) -> Addressing {
    let src_mac = mac(src);
    Addressing {
        src_mac,
        dst_mac: Mac::for_ipv6_multicast(&dst_ip),
        src_ip: src_mac.link_local_eui64(),
        dst_ip,
        hop_limit: 255,
    }
}

/// A Router Advertisement to all nodes; `lifetime` tells them apart.
fn ra(src: &str, lifetime: u16) -> Vec<u8> {
    let src_mac = mac(src).octets();
    let message = Icmpv6Repr::Ndisc {
        code: 0,
        repr: NdiscRepr::RouterAdvert {
            hop_limit: 64,
            flags: RaFlags(0x40),
            router_lifetime: lifetime,
            reachable_time: 0,
            retrans_time: 0,
            options: NdOptions::from_list(vec![NdOption::SourceLinkLayerAddr(&src_mac)]),
        },
    };
    icmpv6_frame(&addressing(src, "ff02::1".parse().unwrap()), &message).unwrap()
}

/// Another ICMPv6 message, to all nodes.
fn icmp(msg_type: u8, body: &[u8]) -> Vec<u8> {
    let message = Icmpv6Repr::Other {
        msg_type: Message::from(msg_type),
        code: 0,
        body,
    };
    icmpv6_frame(&addressing(SND_MAC, "ff02::1".parse().unwrap()), &message).unwrap()
}

fn udp(src_port: u16, dst_port: u16, dst: &str) -> Vec<u8> {
    let addr = addressing(SND_MAC, dst.parse().unwrap());
    udp_frame(&addr, src_port, dst_port, &[1, 0x12, 0x34, 0x56]).unwrap()
}

/// `frame` (untagged) with an extension header of type `kind` in front of its upper
/// layer: the shape RA-Guard evasion takes.
fn behind(kind: u8, frame: &[u8]) -> Vec<u8> {
    let next = frame[20];
    let ext = match kind {
        44 => vec![next, 0, 0, 0, 0, 0, 0, 1], // an atomic fragment
        43 => vec![next, 0, 0, 0, 0, 0, 0, 0], // routing type 0, no segments left
        _ => vec![next, 0, 1, 4, 0, 0, 0, 0],  // options: PadN
    };
    let mut f = frame[..54].to_vec();
    f[20] = kind;
    let len = u16::from_be_bytes([f[18], f[19]]) + 8;
    f[18..20].copy_from_slice(&len.to_be_bytes());
    f.extend_from_slice(&ext);
    f.extend_from_slice(&frame[54..]);
    f
}

/// `frame` with VLAN tags (TPID, VID) after the MACs, outermost first.
fn tagged(frame: &[u8], tags: &[(u16, u16)]) -> Vec<u8> {
    let mut f = frame[..12].to_vec();
    for (tpid, vid) in tags {
        f.extend_from_slice(&tpid.to_be_bytes());
        f.extend_from_slice(&vid.to_be_bytes());
    }
    f.extend_from_slice(&frame[12..]);
    f
}

/// A TCP SYN to all nodes (port 80).
fn tcp() -> Vec<u8> {
    let mut f = ra(SND_MAC, 1)[..54].to_vec();
    f[20] = 6;
    f[18..20].copy_from_slice(&20u16.to_be_bytes());
    f.extend_from_slice(&[
        0xc0, 0x01, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff,
    ]);
    f.extend_from_slice(&[0, 0, 0, 0]);
    f
}

/// An IPv4 UDP datagram to port 547 (not IPv6: turned away).
fn ipv4_udp() -> Vec<u8> {
    let mut f = mac("ff:ff:ff:ff:ff:ff").octets().to_vec();
    f.extend_from_slice(&mac(SND_MAC).octets());
    f.extend_from_slice(&[0x08, 0x00, 0x45, 0, 0, 32, 0, 0, 0, 0, 64, 17, 0, 0]);
    f.extend_from_slice(&[192, 0, 2, 1, 255, 255, 255, 255, 0x02, 0x23, 0x02, 0x23]);
    f.extend_from_slice(&[0, 12, 0, 0, 1, 2, 3, 4]);
    f
}

/// What the sender sends and whether the filter must let it through.
fn cases() -> Vec<(&'static str, Vec<u8>, bool)> {
    let ra1 = ra(SND_MAC, 1800);
    let mut short = ra1[..14].to_vec();
    short.extend_from_slice(&[0x60, 0, 0, 0, 0, 8]); // cut before the next header
    vec![
        ("RA", ra1.clone(), true),
        (
            "RS",
            router_solicit(mac(SND_MAC), mac(SND_MAC).link_local_eui64()).unwrap(),
            true,
        ),
        ("NS", icmp(135, &[0; 20]), true),
        ("NA", icmp(136, &[0; 20]), true),
        ("Redirect", icmp(137, &[0; 36]), true),
        ("DHCPv6 Solicit", udp(546, 547, "ff02::1:2"), true),
        ("DHCPv6 Advertise", udp(547, 546, "ff02::1"), true),
        ("RA behind Hop-by-Hop", behind(0, &ra(SND_MAC, 2)), true),
        ("RA behind Routing", behind(43, &ra(SND_MAC, 3)), true),
        ("RA behind Fragment", behind(44, &ra(SND_MAC, 4)), true),
        (
            "RA behind Destination Options",
            behind(60, &ra(SND_MAC, 5)),
            true,
        ),
        ("IPv6 cut before its next header", short, true),
        (
            "RA in 802.1Q",
            tagged(&ra(SND_MAC, 6), &[(0x8100, 10)]),
            true,
        ),
        (
            "RA in 802.1ad+802.1Q",
            tagged(&ra(SND_MAC, 7), &[(0x88a8, 30), (0x8100, 10)]),
            true,
        ),
        (
            "RA in 0x9100+802.1Q",
            tagged(&ra(SND_MAC, 8), &[(0x9100, 5), (0x8100, 7)]),
            true,
        ),
        ("echo request", icmp(128, &[0, 1, 0, 1]), false),
        ("MLDv2 report", icmp(143, &[0, 0, 0, 0]), false),
        ("router renumbering", icmp(138, &[0; 12]), false),
        ("TCP SYN", tcp(), false),
        (
            "TCP SYN in 802.1ad+802.1Q",
            tagged(&tcp(), &[(0x88a8, 30), (0x8100, 10)]),
            false,
        ),
        ("DNS over UDP", udp(5353, 53, "ff02::fb"), false),
        ("IPv4 UDP to 547", ipv4_udp(), false),
    ]
}

fn check_capture(got: &[Captured], want: &[(&str, Vec<u8>)], before: i64, after: i64) {
    let mut seen: BTreeMap<Vec<u8>, usize> = BTreeMap::new();
    for c in got {
        *seen.entry(c.data.clone()).or_default() += 1;
        assert!(
            (before - 1_000_000..=after + 1_000_000).contains(&c.ts_micros),
            "timestamp {} outside [{before}, {after}]",
            c.ts_micros
        );
        assert_eq!(c.orig_len, c.data.len());
    }
    for (name, frame) in want {
        assert_eq!(
            seen.remove(frame),
            Some(1),
            "{name} was not captured once, byte for byte"
        );
    }
    let extra: Vec<String> = seen.keys().map(|k| hex(k)).collect();
    assert!(extra.is_empty(), "frames that should not pass: {extra:#?}");
}

// ----- the tests -----

#[test]
fn afpacket_filter_tags_timestamps_and_own_frames() {
    let mut lab = Lab::new("f");
    let h = lab.helper(&[]);
    lab.helpers[h].ok("open afpacket cap0");
    let cases = cases();
    let before = now_micros();
    let frames: Vec<Vec<u8>> = cases.iter().map(|c| c.1.clone()).collect();
    lab.send(&lab.snd, "snd0", &frames, 1);
    // Sent by the capture namespace itself, from a MAC that is not cap0's: left out
    // because of its direction, not its source.
    let own = ra(OTHER_MAC, 9);
    lab.send(&lab.cap, "cap0", &[own], 1);
    let asked = now_micros();
    let got = lab.helpers[h].collect();
    let after = now_micros();
    // Kernel receive timestamps: from before the frames were read.
    assert!(got.iter().all(|c| c.ts_micros <= asked), "{got:?}");
    let want: Vec<(&str, Vec<u8>)> = cases
        .iter()
        .filter(|c| c.2)
        .map(|c| (c.0, c.1.clone()))
        .collect();
    check_capture(&got, &want, before, after);
    // What came through dissects: the RA, the hidden one, the tagged ones.
    let first = wire::dissect(&got.iter().find(|c| c.data == want[0].1).unwrap().data);
    assert!(first.router_advert().is_some() && first.error.is_none());
    let hidden = wire::dissect(&want[7].1);
    assert!(hidden.behind_extension_headers() && hidden.router_advert().is_some());
    let qinq = wire::dissect(&want[13].1);
    assert_eq!(qinq.ethernet.unwrap().tags().len(), 2);
    assert!(qinq.router_advert().is_some());

    let stats = lab.helpers[h].stats();
    let n = want.len() as u64;
    assert_eq!(stats.received, n, "{stats:?}");
    assert_eq!(stats.kernel_passed, Some(n), "{stats:?}");
    assert_eq!(stats.dropped_by_kernel, Some(0), "{stats:?}");
    assert_eq!(stats.filtered, 0, "{stats:?}");

    // The ALLMULTI membership holds while the capture is open, and goes with it.
    let allmulti = || {
        let out = ip(&["-d", "-n", &lab.cap, "-o", "link", "show", "cap0"]);
        let count = out
            .split_whitespace()
            .skip_while(|w| *w != "allmulti")
            .nth(1);
        count
            .unwrap_or_else(|| panic!("no allmulti count: {out}"))
            .to_owned()
    };
    assert_eq!(allmulti(), "1");
    lab.helpers[h].ok("close");
    assert_eq!(allmulti(), "0");
}

#[test]
fn afpacket_counts_kernel_drops() {
    let mut lab = Lab::new("d");
    let h = lab.helper(&[]);
    lab.helpers[h].ok("open afpacket cap0");
    // Far more than a 4 MiB receive buffer holds, while the helper does not read.
    let burst = 30_000u64;
    lab.send(&lab.snd, "snd0", &[ra(SND_MAC, 1800)], burst as usize);
    let mid = lab.helpers[h].stats();
    let dropped = mid.dropped_by_kernel.unwrap();
    assert!(
        dropped > 0,
        "no drop counted after a burst of {burst}: {mid:?}"
    );
    assert!(mid.kernel_passed.unwrap() <= burst, "{mid:?}");
    let answer = lab.helpers[h].ask("count");
    let read: u64 = answer[0].strip_prefix("done ").unwrap().parse().unwrap();
    let end = lab.helpers[h].stats();
    eprintln!("burst of {burst}: {mid:?}, then {end:?}");
    // The counters reset in the kernel on every read; the totals must still add up.
    assert_eq!(end.received, read, "{end:?}");
    assert_eq!(end.dropped_by_kernel, Some(dropped), "{end:?}");
    assert_eq!(end.kernel_passed, Some(read + dropped), "{end:?}");
    assert_eq!(end.kernel_passed, mid.kernel_passed, "{end:?}");
}

#[test]
fn afpacket_errors_name_the_cause() {
    // Also: the interface going down or away under a running capture.
    let mut lab = Lab::new("e");
    let h = lab.helper(&[]);
    for backend in ["afpacket", "pnet"] {
        let a = lab.helpers[h].ask(&format!("open {backend} nosuch0"));
        assert!(a[0].starts_with("err NoSuchInterface "), "{backend}: {a:?}");
        assert!(a[0].contains("nosuch0"), "{a:?}");
        let a = lab.helpers[h].ask(&format!("open {backend} down0"));
        assert!(a[0].starts_with("err InterfaceDown "), "{backend}: {a:?}");
    }
    // Taken down under a running capture, the interface is reported down; back up, the
    // same capture goes on.
    lab.helpers[h].ok("open afpacket cap0");
    ip(&["-n", &lab.cap, "link", "set", "cap0", "down"]);
    let a = lab.helpers[h].ask("collect");
    assert!(a.last().unwrap().starts_with("err InterfaceDown "), "{a:?}");
    ip(&["-n", &lab.cap, "link", "set", "cap0", "up"]);
    let frame = ra(SND_MAC, 600);
    lab.send(&lab.snd, "snd0", std::slice::from_ref(&frame), 1);
    let got = lab.helpers[h].collect();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].data, frame);
    // Removed under a running capture, it is reported missing.
    ip(&[
        "-n", &lab.cap, "link", "add", "gone0", "type", "veth", "peer", "name", "gone1",
    ]);
    ip(&["-n", &lab.cap, "link", "set", "gone0", "up"]);
    lab.helpers[h].ok("open afpacket gone0");
    ip(&["-n", &lab.cap, "link", "del", "gone0"]);
    let a = lab.helpers[h].ask("collect");
    assert!(
        a.last().unwrap().starts_with("err NoSuchInterface "),
        "{a:?}"
    );

    // Root without CAP_NET_RAW.
    let p = lab.helper(&["setpriv", "--inh-caps=-net_raw", "--bounding-set=-net_raw"]);
    for backend in ["afpacket", "pnet"] {
        let a = lab.helpers[p].ask(&format!("open {backend} cap0"));
        assert!(a[0].starts_with("err Permission "), "{backend}: {a:?}");
        assert!(
            a[0].contains("root") && a[0].contains("CAP_NET_RAW"),
            "{a:?}"
        );
    }
}

#[test]
fn pnet_filters_in_user_space() {
    let mut lab = Lab::new("p");
    let h = lab.helper(&[]);
    lab.helpers[h].ok("open pnet cap0");
    let ra1 = ra(SND_MAC, 1800);
    let hidden = behind(0, &ra(SND_MAC, 2));
    let before = now_micros();
    lab.send(
        &lab.snd,
        "snd0",
        &[ra1.clone(), tcp(), icmp(128, &[0; 4]), hidden.clone()],
        1,
    );
    // Our own frame (cap0's MAC) is left out.
    lab.send(&lab.cap, "cap0", &[ra(CAP_MAC, 9)], 1);
    let got = lab.helpers[h].collect();
    let after = now_micros();
    check_capture(&got, &[("RA", ra1), ("hidden RA", hidden)], before, after);
    let stats = lab.helpers[h].stats();
    assert_eq!(stats.received, 2, "{stats:?}");
    assert_eq!((stats.kernel_passed, stats.dropped_by_kernel), (None, None));
    assert!(stats.filtered >= 3, "TCP, echo and our own RA: {stats:?}");
    lab.helpers[h].ok("close");
}
