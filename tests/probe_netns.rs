//! End-to-end tests of `v6sentinel::probe` and `v6sentinel::host` against real radvd and
//! dnsmasq, in network namespaces each test makes and removes itself: a "router"
//! namespace and a "terminal" namespace joined by one veth pair, both ends named eth0.
//! Nothing touches the machine's own interfaces. Daemons run in the foreground as
//! children of the test and are killed by PID.
//!
//! The probe runs inside the terminal namespace: the test executable runs itself under
//! `ip netns exec` with `V6S_PROBE_CHILD` set, which makes its [`child`] test carry out
//! one command there and print `CHILD ...` lines for the parent to check.
//!
//! Needs root, iproute2, radvd, dnsmasq and tcpdump; without them the tests fail and say
//! what to install (`scripts/test.sh` installs them).
#![cfg(target_os = "linux")]

use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use v6sentinel::detect::{AddressOrigin, HostObservation};
use v6sentinel::wire::Transport;
use v6sentinel::wire::dhcpv6::{DhcpOption, MessageType, OptionCode};
use v6sentinel::wire::ndisc::NdiscRepr;
use v6sentinel::wire::{Mac, Message, dissect};

/// Selects the child mode; its value is the command.
const CHILD_ENV: &str = "V6S_PROBE_CHILD";
/// The router's MAC (a BUFFALO OUI, as in the field).
const ROUTER_MAC: &str = "10:6f:3f:12:34:56";
/// The terminal's MAC.
const TERMINAL_MAC: &str = "52:54:00:aa:bb:01";

// ---------------------------------------------------------------------------------------
// The lab.

/// Fails the test, naming what to install, when a prerequisite is missing.
fn require(tools: &[(&str, &str)]) {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    assert!(
        root,
        "these tests build network namespaces: run them as root (sudo)"
    );
    let missing: Vec<String> = tools
        .iter()
        .filter(|(bin, _)| {
            !Command::new("sh")
                .args(["-c", &format!("command -v {bin}")])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(|(bin, pkg)| format!("{bin} (Debian package {pkg})"))
        .collect();
    assert!(
        missing.is_empty(),
        "missing tools: {}; install them: apt-get install {} (scripts/test.sh does)",
        missing.join(", "),
        tools.iter().map(|(_, p)| *p).collect::<Vec<_>>().join(" ")
    );
}

/// Two namespaces, router and terminal, joined by a veth pair (eth0 on each side).
struct Lab {
    router: String,
    terminal: String,
    dir: PathBuf,
    children: Vec<(String, Child)>,
    etc_netns: Vec<PathBuf>,
    /// Whether this lab created /etc/netns itself (then it removes it when empty).
    made_etc_netns: bool,
}

impl Lab {
    /// `terminal_sysctls` are set as `net.ipv6.conf.default.*` in the terminal before
    /// its eth0 exists, so eth0 inherits them.
    fn new(tag: &str, terminal_sysctls: &[&str]) -> Lab {
        require(&[
            ("ip", "iproute2"),
            ("radvd", "radvd"),
            ("dnsmasq", "dnsmasq-base"),
            ("tcpdump", "tcpdump"),
        ]);
        let prefix = format!("v6p{}{tag}", std::process::id());
        let dir = std::env::temp_dir().join(&prefix);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let lab = Lab {
            router: format!("{prefix}-r"),
            terminal: format!("{prefix}-t"),
            dir,
            children: Vec::new(),
            etc_netns: Vec::new(),
            made_etc_netns: false,
        };
        let (r, t) = (lab.router.clone(), lab.terminal.clone());
        ip(&["netns", "add", &r]);
        ip(&["netns", "add", &t]);
        lab.sysctl(
            &r,
            &[
                "net.ipv6.conf.all.forwarding=1",
                "net.ipv6.conf.default.forwarding=1",
                "net.ipv6.conf.default.accept_dad=0",
                "net.ipv6.conf.default.accept_ra=0",
            ],
        );
        let mut term = vec![
            "net.ipv6.conf.all.forwarding=0",
            "net.ipv6.conf.default.accept_dad=0",
            // Only the probe solicits: the kernel sends no RS of its own.
            "net.ipv6.conf.default.router_solicitations=0",
        ];
        term.extend_from_slice(terminal_sysctls);
        lab.sysctl(&t, &term);
        ip(&[
            "-n", &r, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", &t,
        ]);
        ip(&[
            "-n", &r, "link", "set", "dev", "eth0", "address", ROUTER_MAC,
        ]);
        ip(&[
            "-n",
            &t,
            "link",
            "set",
            "dev",
            "eth0",
            "address",
            TERMINAL_MAC,
        ]);
        for ns in [&r, &t] {
            ip(&["-n", ns, "link", "set", "dev", "lo", "up"]);
            ip(&["-n", ns, "link", "set", "dev", "eth0", "up"]);
        }
        for ns in [&r, &t] {
            lab.wait_link_local(ns);
        }
        lab
    }

    fn sysctl(&self, ns: &str, settings: &[&str]) {
        let mut cmd = vec!["sysctl", "-qw"];
        cmd.extend_from_slice(settings);
        let out = self.exec(ns, &cmd);
        assert!(
            out.status.success(),
            "sysctl {settings:?} in {ns}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn exec(&self, ns: &str, cmd: &[&str]) -> Output {
        Command::new("ip")
            .args(["netns", "exec", ns])
            .args(cmd)
            .output()
            .expect("ip netns exec runs")
    }

    fn wait_link_local(&self, ns: &str) {
        let start = Instant::now();
        loop {
            let out = self.exec(
                ns,
                &[
                    "ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "link",
                ],
            );
            let text = String::from_utf8_lossy(&out.stdout);
            if !text.is_empty() && !text.contains("tentative") {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "no link-local address in {ns}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.join(name);
        std::fs::write(&p, text).expect("write");
        p
    }

    fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(format!("{name}.log"))).unwrap_or_default()
    }

    /// Starts a foreground process in `ns`; stdout and stderr go to `DIR/name.log`.
    fn spawn(&mut self, ns: &str, name: &str, cmd: &[&str]) {
        let log = std::fs::File::create(self.dir.join(format!("{name}.log"))).expect("log");
        let err = log.try_clone().expect("log");
        let child = Command::new("ip")
            .args(["netns", "exec", ns])
            .args(cmd)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        self.children.push((name.to_owned(), child));
    }

    /// Panics with its log if a daemon has exited.
    fn assert_running(&mut self, name: &str) {
        let dir = self.dir.clone();
        for (n, child) in &mut self.children {
            if n == name {
                if let Ok(Some(status)) = child.try_wait() {
                    let log = std::fs::read_to_string(dir.join(format!("{n}.log")));
                    panic!("{n} exited ({status}): {}", log.unwrap_or_default());
                }
            }
        }
    }

    /// Stops a process started with [`spawn`](Self::spawn).
    fn stop(&mut self, name: &str) {
        if let Some(i) = self.children.iter().position(|(n, _)| n == name) {
            let (_, mut child) = self.children.remove(i);
            kill(&mut child);
        }
    }

    /// Starts tcpdump on the terminal's eth0 writing `name.pcap`, and waits until it
    /// captures.
    fn capture(&mut self, name: &str, filter: &str) -> PathBuf {
        let pcap = self.dir.join(format!("{name}.pcap"));
        let t = self.terminal.clone();
        let path = pcap.to_string_lossy().into_owned();
        self.spawn(
            &t,
            name,
            &["tcpdump", "-i", "eth0", "-n", "-U", "-w", &path, filter],
        );
        let start = Instant::now();
        while !self.log(name).contains("listening on") {
            self.assert_running(name);
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "tcpdump did not start: {}",
                self.log(name)
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        pcap
    }

    /// Runs this test executable's [`child`] in `ns` with `command`, and returns its
    /// `CHILD ` lines (the prefix removed).
    fn child(&self, ns: &str, command: &str) -> Vec<String> {
        let exe = std::env::current_exe().expect("test executable");
        let out = Command::new("ip")
            .args(["netns", "exec", ns])
            .arg(exe)
            .args(["--exact", "child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, command)
            .output()
            .expect("child runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "child {command:?} failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
            .lines()
            // The harness may print "test child ... " before the first line.
            .filter_map(|l| l.split_once("CHILD ").map(|(_, rest)| rest.to_owned()))
            .collect()
    }

    /// Gives `ns` its own /etc/resolv.conf (`ip netns exec` mounts
    /// /etc/netns/NS/resolv.conf over it).
    fn resolv_conf(&mut self, ns: &str, text: &str) {
        let dir = Path::new("/etc/netns").join(ns);
        self.made_etc_netns |= !Path::new("/etc/netns").exists();
        std::fs::create_dir_all(&dir).expect("/etc/netns/NS");
        std::fs::write(dir.join("resolv.conf"), text).expect("resolv.conf");
        self.etc_netns.push(dir);
    }
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("ip runs");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn kill(child: &mut Child) {
    let pid = child.id().to_string();
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    for _ in 0..30 {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Drop for Lab {
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            kill(child);
        }
        for ns in [&self.router, &self.terminal] {
            // Anything still running in a namespace the test made is the test's own.
            if let Ok(out) = Command::new("ip").args(["netns", "pids", ns]).output() {
                for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                    let _ = Command::new("kill").args(["-KILL", pid]).status();
                }
            }
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
        for dir in &self.etc_netns {
            let _ = std::fs::remove_dir_all(dir);
        }
        if self.made_etc_netns {
            // Fails, and leaves it, if something else was put there meanwhile.
            let _ = std::fs::remove_dir("/etc/netns");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The frames of a classic pcap file (a record cut short at the end is left out: the
/// writer may be in the middle of it).
fn pcap_frames(path: &Path) -> Vec<Vec<u8>> {
    let data = std::fs::read(path).unwrap_or_default();
    if data.len() < 24 {
        return Vec::new();
    }
    let le = match &data[..4] {
        [0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1] => true,
        [0xa1, 0xb2, 0xc3, 0xd4] | [0xa1, 0xb2, 0x3c, 0x4d] => false,
        other => panic!("not a pcap file: {other:?}"),
    };
    let u32_at = |i: usize| {
        let b: [u8; 4] = data[i..i + 4].try_into().unwrap();
        if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    assert_eq!(u32_at(20), 1, "link type is not Ethernet");
    let mut frames = Vec::new();
    let mut off = 24;
    while off + 16 <= data.len() {
        let len = u32_at(off + 8) as usize;
        let Some(frame) = data.get(off + 16..off + 16 + len) else {
            break;
        };
        frames.push(frame.to_vec());
        off += 16 + len;
    }
    frames
}

/// Waits until `pred` holds for the frames captured so far.
fn wait_frames(path: &Path, timeout: Duration, pred: impl Fn(&[Vec<u8>]) -> bool) -> bool {
    let start = Instant::now();
    loop {
        if pred(&pcap_frames(path)) {
            return true;
        }
        if start.elapsed() > timeout {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn mac(s: &str) -> Mac {
    s.parse().unwrap()
}

fn radvd(lab: &mut Lab, body: &str) {
    let conf = lab.file(
        "radvd.conf",
        &format!("interface eth0 {{\n    AdvSendAdvert on;\n    UnicastOnly on;\n{body}\n}};\n"),
    );
    let pid = lab.dir.join("radvd.pid");
    let r = lab.router.clone();
    lab.spawn(
        &r,
        "radvd",
        &[
            "radvd",
            "-n",
            "-C",
            &conf.to_string_lossy(),
            "-p",
            &pid.to_string_lossy(),
            "-u",
            "root",
            "-m",
            "stderr",
        ],
    );
    std::thread::sleep(Duration::from_millis(300));
    lab.assert_running("radvd");
}

// ---------------------------------------------------------------------------------------
// The child side.

/// Not a test of its own: the entry point of the child mode (see the module
/// documentation). Without `V6S_PROBE_CHILD` it does nothing.
#[test]
fn child() {
    let Ok(command) = std::env::var(CHILD_ENV) else {
        return;
    };
    match command.as_str() {
        "rs" => {
            let t = v6sentinel::probe::target_for("eth0").expect("target");
            println!("CHILD target {} {:?}", t.mac, t.link_local);
            v6sentinel::probe::send_router_solicitation(&t).expect("RS sent");
            println!("CHILD rs sent");
        }
        "dhcp" | "dhcp-held" => {
            // A DHCPv6 client that holds port 546 without SO_REUSEADDR (ISC dhclient).
            let _held = (command == "dhcp-held")
                .then(|| std::net::UdpSocket::bind("[::]:546").expect("hold port 546"));
            let t = v6sentinel::probe::target_for("eth0").expect("target");
            let xid = v6sentinel::probe::random_transaction_id();
            let s = v6sentinel::probe::send_dhcpv6_solicit(&t, xid).expect("Solicit sent");
            println!(
                "CHILD solicit {} {} {:?}",
                s.transaction_id.0, s.source_port, s.fallback
            );
            let xid = v6sentinel::probe::random_transaction_id();
            let s = v6sentinel::probe::send_information_request(&t, xid).expect("sent");
            println!(
                "CHILD inforeq {} {} {:?}",
                s.transaction_id.0, s.source_port, s.fallback
            );
        }
        "observe" => {
            let t = v6sentinel::probe::target_for("eth0").expect("target");
            let start = Instant::now();
            let mut obs = HostObservation::default();
            // Solicit until radvd's answer shows in the host state.
            while start.elapsed() < Duration::from_secs(15) {
                v6sentinel::probe::send_router_solicitation(&t).expect("RS sent");
                std::thread::sleep(Duration::from_millis(500));
                obs = v6sentinel::host::observe("eth0").expect("observe");
                let slaac = obs
                    .addresses
                    .iter()
                    .any(|a| a.origin == AddressOrigin::Slaac);
                if slaac && !obs.default_routers.is_empty() && !obs.routes.is_empty() {
                    break;
                }
            }
            for a in &obs.addresses {
                println!("CHILD addr {}/{} {:?}", a.addr, a.prefix_len, a.origin);
            }
            for r in &obs.default_routers {
                println!("CHILD router {r}");
            }
            for (p, gw) in &obs.routes {
                println!("CHILD route {p} {gw}");
            }
            for d in &obs.dns {
                println!("CHILD dns {d}");
            }
            let state = v6sentinel::host::snapshot("eth0").expect("snapshot");
            for a in &state.addresses {
                println!(
                    "CHILD detail {} flags={:#x} proto={:?} valid={:?} preferred={:?}",
                    a.addr, a.flags, a.proto, a.valid_lifetime, a.preferred_lifetime
                );
            }
            for r in &state.routes {
                println!(
                    "CHILD rdetail {} gw={:?} proto={} pref={:?} expires={:?}",
                    r.destination, r.gateway, r.protocol, r.preference, r.expires
                );
            }
        }
        "watch" => {
            let mut w = v6sentinel::host::Watcher::new("eth0").expect("watcher");
            let run = |args: &[&str]| {
                let ok = Command::new("ip").args(args).status().unwrap().success();
                assert!(ok, "ip {args:?}");
            };
            run(&["addr", "add", "2001:db8:ff::1/128", "dev", "lo"]);
            let lo = w.wait(Some(Duration::from_millis(1500))).expect("wait");
            println!("CHILD lo-change {lo}");
            run(&["addr", "add", "2001:db8:5::1/64", "dev", "eth0", "nodad"]);
            let eth0 = w.wait(Some(Duration::from_secs(5))).expect("wait");
            println!("CHILD eth0-change {eth0}");
            run(&[
                "route",
                "add",
                "2001:db8:6::/48",
                "via",
                "fe80::1",
                "dev",
                "eth0",
            ]);
            let route = w.wait(Some(Duration::from_secs(5))).expect("wait");
            println!("CHILD route-change {route}");
            let quiet = w.wait(Some(Duration::from_millis(500))).expect("wait");
            println!("CHILD quiet {quiet}");
        }
        other => panic!("unknown child command {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// The tests.

/// (a) The RS leaves with hop limit 255, the link-local source and the SLLA option,
/// and radvd (which drops an RS with any other hop limit) answers it with a unicast RA.
#[test]
fn router_solicitation_is_answered_by_radvd() {
    let mut lab = Lab::new("a", &[]);
    radvd(
        &mut lab,
        "    AdvDefaultLifetime 0;\n    prefix 2001:db8:1::/64 { AdvAutonomous off; };",
    );
    let pcap = lab.capture("tcpdump", "icmp6 and (ip6[40] == 133 or ip6[40] == 134)");
    let terminal_ll = mac(TERMINAL_MAC).link_local_eui64();
    let router_ll = mac(ROUTER_MAC).link_local_eui64();
    let has_ra = |frames: &[Vec<u8>]| {
        frames.iter().any(|f| {
            matches!(
                dissect(f).message,
                Message::Ndisc(NdiscRepr::RouterAdvert { .. })
            )
        })
    };
    let t = lab.terminal.clone();
    let mut answered = false;
    // radvd may still be opening its socket: up to three solicitations.
    for _ in 0..3 {
        let lines = lab.child(&t, "rs");
        assert!(lines.contains(&"rs sent".to_owned()), "{lines:?}");
        assert!(
            lines[0].contains(&format!("Some({terminal_ll})")),
            "{lines:?}"
        );
        if wait_frames(&pcap, Duration::from_secs(3), has_ra) {
            answered = true;
            break;
        }
    }
    lab.stop("tcpdump");
    let frames = pcap_frames(&pcap);
    assert!(
        answered,
        "radvd did not answer; {} frames; radvd log: {}",
        frames.len(),
        lab.log("radvd")
    );
    let mut saw_rs = false;
    for f in &frames {
        let d = dissect(f);
        assert_eq!(d.error, None, "frame does not dissect cleanly: {d:?}");
        let eth = d.ethernet.unwrap();
        let ip = d.ipv6.unwrap();
        match d.message {
            Message::Ndisc(NdiscRepr::RouterSolicit { options, .. }) => {
                saw_rs = true;
                assert_eq!(eth.src, mac(TERMINAL_MAC));
                assert_eq!(eth.dst.to_string(), "33:33:00:00:00:02");
                assert_eq!((ip.src, ip.dst), (terminal_ll, "ff02::2".parse().unwrap()));
                assert_eq!(ip.hop_limit, 255);
                assert_eq!(options.source_mac(), Some(mac(TERMINAL_MAC)));
                assert!(matches!(d.transport, Some(Transport::Icmpv6 { .. })));
            }
            Message::Ndisc(NdiscRepr::RouterAdvert {
                router_lifetime, ..
            }) => {
                assert_eq!(eth.src, mac(ROUTER_MAC));
                assert_eq!(ip.src, router_ll);
                // UnicastOnly: the answer goes to the solicitor alone.
                assert_eq!(ip.dst, terminal_ll);
                assert_eq!(ip.hop_limit, 255);
                assert_eq!(router_lifetime, 0);
            }
            ref other => panic!("unexpected message {other:?}"),
        }
    }
    assert!(saw_rs, "the RS was not captured");
}

/// The Solicit or Information-request a capture holds, and the answer to it.
fn dhcp_exchange(frames: &[Vec<u8>], xid: u32, answer: MessageType) -> Option<(u16, u16)> {
    let mut sent = None;
    let mut answered = None;
    for f in frames {
        let d = dissect(f);
        let (
            Message::Dhcpv6(repr),
            Some(Transport::Udp {
                src_port, dst_port, ..
            }),
        ) = (&d.message, d.transport)
        else {
            continue;
        };
        if repr.transaction_id().map(|x| x.0) != Some(xid) {
            continue;
        }
        if repr.msg_type() == answer {
            answered = Some(dst_port);
        } else {
            sent = Some(src_port);
        }
    }
    Some((sent?, answered?))
}

/// Parses `solicit XID PORT FALLBACK` / `inforeq ...` child lines.
fn sent_line(lines: &[String], what: &str) -> (u32, u16, String) {
    let line = lines
        .iter()
        .find(|l| l.starts_with(what))
        .unwrap_or_else(|| panic!("no {what} line in {lines:?}"));
    let f: Vec<&str> = line.split_whitespace().collect();
    (
        f[1].parse().unwrap(),
        f[2].parse().unwrap(),
        f[3..].join(" "),
    )
}

/// (b) dnsmasq answers the Solicit with an Advertise (and commits no lease) and the
/// Information-request with a Reply; with port 546 held by another client the probe
/// falls back to an ephemeral port and dnsmasq still answers.
#[test]
fn dhcpv6_solicit_is_answered_by_dnsmasq() {
    let mut lab = Lab::new("b", &[]);
    let r = lab.router.clone();
    ip(&[
        "-n",
        &r,
        "addr",
        "add",
        "2001:db8:77::1/64",
        "dev",
        "eth0",
        "nodad",
    ]);
    let leases = lab.dir.join("dnsmasq.leases");
    let pid = lab.dir.join("dnsmasq.pid");
    let leasefile = format!("--dhcp-leasefile={}", leases.display());
    let pidfile = format!("--pid-file={}", pid.display());
    lab.spawn(
        &r,
        "dnsmasq",
        &[
            "dnsmasq",
            "-k",
            "--conf-file=/dev/null",
            "--port=0",
            "--no-resolv",
            "--no-hosts",
            "--interface=eth0",
            "--dhcp-range=2001:db8:77::10,2001:db8:77::ff,64,1h",
            "--dhcp-option=option6:dns-server,[2001:db8:77::53]",
            &leasefile,
            &pidfile,
            "--user=root",
            "--log-dhcp",
            "--log-facility=-",
        ],
    );
    std::thread::sleep(Duration::from_millis(300));
    lab.assert_running("dnsmasq");
    let pcap = lab.capture("tcpdump", "udp and (port 546 or port 547)");
    let t = lab.terminal.clone();

    let mut rounds = Vec::new();
    for command in ["dhcp", "dhcp-held"] {
        let mut done = None;
        for _ in 0..3 {
            let lines = lab.child(&t, command);
            let solicit = sent_line(&lines, "solicit");
            let inforeq = sent_line(&lines, "inforeq");
            let ok = wait_frames(&pcap, Duration::from_secs(3), |f| {
                dhcp_exchange(f, solicit.0, MessageType::Advertise).is_some()
                    && dhcp_exchange(f, inforeq.0, MessageType::Reply).is_some()
            });
            if ok {
                done = Some((solicit, inforeq));
                break;
            }
        }
        let frames = pcap_frames(&pcap);
        let Some((solicit, inforeq)) = done else {
            panic!(
                "dnsmasq did not answer ({command}); {} frames; log: {}",
                frames.len(),
                lab.log("dnsmasq")
            )
        };
        rounds.push((command, solicit, inforeq));
    }
    lab.stop("tcpdump");
    let frames = pcap_frames(&pcap);

    let [(_, solicit, inforeq), (_, held_solicit, held_inforeq)] = &rounds[..] else {
        unreachable!()
    };
    // Port 546 free: used, no fallback.
    assert_eq!((solicit.1, solicit.2.as_str()), (546, "None"));
    assert_eq!((inforeq.1, inforeq.2.as_str()), (546, "None"));
    // Port 546 held without SO_REUSEADDR: an ephemeral port, and we are told so.
    assert_ne!(held_solicit.1, 546);
    assert_eq!(held_solicit.2, "Some(InUse)");
    assert_eq!(held_inforeq.2, "Some(InUse)");

    let terminal_ll = mac(TERMINAL_MAC).link_local_eui64();
    for (xid, answer, port) in [
        (solicit.0, MessageType::Advertise, solicit.1),
        (inforeq.0, MessageType::Reply, inforeq.1),
        (held_solicit.0, MessageType::Advertise, held_solicit.1),
        (held_inforeq.0, MessageType::Reply, held_inforeq.1),
    ] {
        let (src, dst) = dhcp_exchange(&frames, xid, answer).unwrap();
        assert_eq!(src, port, "the capture shows the port the child reported");
        // dnsmasq answers port 546 whatever port the request came from (RFC 8415
        // §7.2): with the fallback the answer still crosses the link, where the capture
        // sees it.
        assert_eq!(dst, 546, "dnsmasq answered port {dst}, request from {port}");
    }

    for f in &frames {
        let d = dissect(f);
        // UDP over veth keeps a partial checksum (checksum offload: CHECKSUM_PARTIAL,
        // filled in only by real hardware), so tcpdump sees UDP checksums unfinished on
        // both ends. Anything else must dissect cleanly.
        let udp_offload = d.error
            == Some(v6sentinel::wire::Error::Checksum {
                layer: v6sentinel::wire::Layer::Udp,
            });
        assert!(d.error.is_none() || udp_offload, "{d:?}");
        let Message::Dhcpv6(repr) = &d.message else {
            continue;
        };
        let ip = d.ipv6.unwrap();
        let xid = repr.transaction_id().unwrap().0;
        match repr.msg_type() {
            MessageType::Solicit | MessageType::InformationRequest => {
                assert_eq!(d.ethernet.unwrap().src, mac(TERMINAL_MAC));
                assert_eq!((ip.src, ip.hop_limit), (terminal_ll, 1));
                assert_eq!(ip.dst, "ff02::1:2".parse::<Ipv6Addr>().unwrap());
                let opts = repr.options();
                assert!(opts.find(OptionCode::RapidCommit).is_none());
                assert_eq!(
                    repr.client_id().and_then(|d| d.mac()),
                    Some(mac(TERMINAL_MAC))
                );
                let oro: Vec<OptionCode> = opts
                    .iter()
                    .find_map(|o| match o {
                        DhcpOption::Oro(_) => Some(o.requested_options().collect()),
                        _ => None,
                    })
                    .expect("ORO");
                assert!(oro.contains(&OptionCode::DnsServers), "{oro:?}");
                assert!(oro.contains(&OptionCode::DomainList), "{oro:?}");
                let ia_na = opts.find(OptionCode::IaNa).is_some();
                assert_eq!(ia_na, repr.msg_type() == MessageType::Solicit);
            }
            MessageType::Advertise => {
                assert!(xid == solicit.0 || xid == held_solicit.0);
                assert_eq!(d.ethernet.unwrap().src, mac(ROUTER_MAC));
                assert_eq!(ip.dst, terminal_ll);
                assert!(repr.server_id().is_some());
                let Some(DhcpOption::IaNa { options, .. }) = repr.options().find(OptionCode::IaNa)
                else {
                    panic!("no IA_NA in the Advertise: {repr:?}")
                };
                let offered = options.iter().find_map(|o| match o {
                    DhcpOption::IaAddr { addr, .. } => Some(*addr),
                    _ => None,
                });
                let offered = offered.expect("an address offered");
                assert_eq!(offered.segments()[..4], [0x2001, 0xdb8, 0x77, 0]);
            }
            MessageType::Reply => {
                assert!(xid == inforeq.0 || xid == held_inforeq.0);
                assert!(repr.options().find(OptionCode::DnsServers).is_some());
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    // No Rapid Commit, no Request: nothing committed.
    let leases = std::fs::read_to_string(&leases).unwrap_or_default();
    assert!(
        !leases.contains("2001:db8:77:"),
        "a lease was committed: {leases}"
    );
}

fn lines_with<'a>(lines: &'a [String], prefix: &str) -> Vec<&'a str> {
    lines
        .iter()
        .filter_map(|l| l.strip_prefix(prefix))
        .collect()
}

/// (c) After radvd's answer, `observe()` reports the SLAAC address (origin Slaac), the
/// default route and the RIO route via radvd's link-local address, a DHCPv6-style /128
/// (Dhcpv6), a hand-made address (Manual), and the IPv6 resolvers of resolv.conf.
#[test]
fn observe_reports_slaac_address_and_default_router() {
    let mut lab = Lab::new(
        "c",
        &[
            "net.ipv6.conf.default.accept_ra=2",
            "net.ipv6.conf.default.autoconf=1",
            "net.ipv6.conf.default.accept_ra_rt_info_max_plen=64",
        ],
    );
    radvd(
        &mut lab,
        "    AdvDefaultLifetime 1800;\n    AdvDefaultPreference high;\n\
         \x20   prefix 2001:db8:1::/64 { AdvOnLink on; AdvAutonomous on; };\n\
         \x20   route 2001:db8:99::/48 { };",
    );
    let t = lab.terminal.clone();
    ip(&[
        "-n",
        &t,
        "addr",
        "add",
        "2001:db8:77::42/128",
        "dev",
        "eth0",
        "valid_lft",
        "3600",
        "preferred_lft",
        "1800",
    ]);
    ip(&["-n", &t, "addr", "add", "2001:db8:5::1/64", "dev", "eth0"]);
    lab.resolv_conf(
        &t,
        "search example.jp\nnameserver 192.0.2.53\nnameserver 2001:db8:1::53\n",
    );
    let lines = lab.child(&t, "observe");
    let router_ll = mac(ROUTER_MAC).link_local_eui64();
    let addrs = lines_with(&lines, "addr ");
    let slaac = addrs
        .iter()
        .find(|a| a.starts_with("2001:db8:1:"))
        .unwrap_or_else(|| panic!("no SLAAC address: {lines:?}\nradvd: {}", lab.log("radvd")));
    assert!(slaac.ends_with("/64 Slaac"), "{slaac}; {lines:?}");
    // The kernel's EUI-64 SLAAC address of the terminal's MAC.
    assert_eq!(*slaac, "2001:db8:1:0:5054:ff:feaa:bb01/64 Slaac");
    assert!(addrs.contains(&"2001:db8:77::42/128 Dhcpv6"), "{lines:?}");
    assert!(addrs.contains(&"2001:db8:5::1/64 Manual"), "{lines:?}");
    let terminal_ll = mac(TERMINAL_MAC).link_local_eui64();
    assert!(
        addrs.contains(&format!("{terminal_ll}/64 LinkLocal").as_str()),
        "{lines:?}"
    );
    assert_eq!(lines_with(&lines, "router "), vec![router_ll.to_string()]);
    assert_eq!(
        lines_with(&lines, "route "),
        vec![format!("2001:db8:99::/48 {router_ll}")]
    );
    assert_eq!(lines_with(&lines, "dns "), vec!["2001:db8:1::53"]);
    // The details behind it: the default route is proto ra (9), high preference, and
    // expires within radvd's router lifetime.
    let default = lines_with(&lines, "rdetail ")
        .into_iter()
        .find(|l| l.starts_with("::/0 "))
        .expect("default route detail");
    assert!(default.contains("proto=9"), "{default}");
    assert!(default.contains("pref=Some(High)"), "{default}");
    assert!(default.contains("expires=Some("), "{default}");
}

/// The watcher reports changes of its interface's addresses and routes, not of
/// another interface's.
#[test]
fn watcher_sees_changes_on_its_interface_only() {
    let lab = Lab::new("d", &[]);
    let t = lab.terminal.clone();
    let lines = lab.child(&t, "watch");
    assert_eq!(
        lines,
        vec![
            "lo-change false",
            "eth0-change true",
            "route-change true",
            "quiet false"
        ],
    );
}
