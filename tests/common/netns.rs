//! Throw-away test networks: Linux network namespaces joined by a bridge, created and
//! removed by the test itself. Daemons run as foreground children and are killed by PID
//! (this sandbox does not reap orphans). Nothing touches the machine's own interfaces.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Fails the test, naming what to install, when a prerequisite is missing.
pub fn require(tools: &[(&str, &str)]) {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    assert!(
        root,
        "this test builds network namespaces: run it as root (sudo)"
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
        "missing tools: {}; install them (scripts/test.sh does)",
        missing.join(", ")
    );
}

/// A bridge namespace and hosts attached to it.
pub struct Net {
    prefix: String,
    bridge: String,
    namespaces: Vec<String>,
    children: Vec<(String, Child)>,
    /// A temporary directory for configs, logs and leases.
    pub dir: PathBuf,
    ports: usize,
}

impl Net {
    /// A new empty network; `tag` keeps names apart between tests.
    pub fn new(tag: &str) -> Net {
        let prefix = format!("v6t{}{}", std::process::id() % 100_000, tag);
        let dir = std::env::temp_dir().join(&prefix);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let bridge = format!("{prefix}-br");
        let mut net = Net {
            prefix,
            bridge: bridge.clone(),
            namespaces: Vec::new(),
            children: Vec::new(),
            dir,
            ports: 0,
        };
        net.ip(&["netns", "add", &bridge]);
        net.namespaces.push(bridge.clone());
        net.exec(
            &bridge,
            &[
                "sysctl",
                "-qw",
                "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1",
            ],
        );
        net.ip(&[
            "-n",
            &bridge,
            "link",
            "add",
            "name",
            "br0",
            "type",
            "bridge",
            "stp_state",
            "0",
            "mcast_snooping",
            "0",
        ]);
        net.ip(&["-n", &bridge, "link", "set", "dev", "br0", "up"]);
        net
    }

    fn ip(&self, args: &[&str]) {
        let out = Command::new("ip").args(args).output().expect("ip runs");
        assert!(
            out.status.success(),
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs a command in a namespace and waits for it.
    pub fn exec(&self, ns: &str, cmd: &[&str]) -> Output {
        Command::new("ip")
            .args(["netns", "exec", ns])
            .args(cmd)
            .output()
            .expect("ip netns exec runs")
    }

    /// Adds a host namespace `name` whose eth0 (MAC `mac`) is on the bridge. `router`
    /// enables forwarding (radvd wants it). The terminal accepts RAs.
    pub fn host(&mut self, name: &str, mac: &str, router: bool) -> String {
        let ns = format!("{}-{name}", self.prefix);
        self.ip(&["netns", "add", &ns]);
        self.namespaces.push(ns.clone());
        let fwd = if router { "1" } else { "0" };
        self.exec(
            &ns,
            &[
                "sysctl",
                "-qw",
                "net.ipv6.conf.all.accept_dad=0",
                "net.ipv6.conf.default.accept_dad=0",
                &format!("net.ipv6.conf.all.forwarding={fwd}"),
                &format!("net.ipv6.conf.default.forwarding={fwd}"),
                "net.ipv6.conf.default.accept_ra=2",
                "net.ipv6.conf.default.router_solicitations=0",
            ],
        );
        self.plug(&ns, mac);
        self.ip(&["-n", &ns, "link", "set", "dev", "lo", "up"]);
        self.ip(&["-n", &ns, "link", "set", "dev", "eth0", "up"]);
        self.wait_link_local(&ns);
        ns
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
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Starts a daemon in the foreground in `ns`; its output goes to `DIR/name.log`.
    pub fn spawn(&mut self, ns: &str, name: &str, cmd: &[&str]) {
        let log = std::fs::File::create(self.dir.join(format!("{name}.log"))).expect("log file");
        let err = log.try_clone().expect("log file");
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

    /// The log of a daemon started with [`spawn`](Self::spawn).
    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(format!("{name}.log"))).unwrap_or_default()
    }

    /// Asserts every daemon is still running (a daemon that died makes a test meaningless).
    pub fn assert_running(&mut self) {
        for (name, child) in &mut self.children {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "{name} exited ({status}): {}",
                    std::fs::read_to_string(self.dir.join(format!("{name}.log")))
                        .unwrap_or_default()
                );
            }
        }
    }

    /// Stops one daemon.
    pub fn stop(&mut self, name: &str) {
        if let Some(i) = self.children.iter().position(|(n, _)| n == name) {
            let (_, mut child) = self.children.remove(i);
            kill(&mut child);
        }
    }

    /// Sends `signal` (e.g. "HUP") to a daemon started with [`spawn`](Self::spawn).
    pub fn signal(&self, name: &str, signal: &str) {
        let (_, child) = self
            .children
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no daemon {name}"));
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal} {name}");
    }

    /// Stops a daemon with SIGTERM and returns how it ended (waiting up to `timeout`,
    /// then killing it).
    pub fn terminate(&mut self, name: &str, timeout: Duration) -> Option<std::process::ExitStatus> {
        let i = self.children.iter().position(|(n, _)| n == name)?;
        let (_, mut child) = self.children.remove(i);
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }

    /// The process id of a daemon started with [`spawn`](Self::spawn) (`ip netns exec`
    /// execs the command, so it is the daemon's own).
    pub fn pid(&self, name: &str) -> u32 {
        self.children
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.id())
            .unwrap_or_else(|| panic!("no daemon {name}"))
    }

    /// Whether a daemon started with [`spawn`](Self::spawn) is still running.
    pub fn running(&mut self, name: &str) -> bool {
        self.children
            .iter_mut()
            .find(|(n, _)| n == name)
            .is_some_and(|(_, c)| matches!(c.try_wait(), Ok(None)))
    }

    /// Gives `ns` an eth0 with `mac`, its veth peer a new port of the bridge (up; eth0 is
    /// left for the caller to bring up).
    fn plug(&mut self, ns: &str, mac: &str) {
        self.ports += 1;
        let port = format!("p{}", self.ports);
        let bridge = self.bridge.clone();
        self.ip(&[
            "-n", &bridge, "link", "add", "name", &port, "type", "veth", "peer", "name", "eth0",
            "netns", ns,
        ]);
        self.ip(&["-n", ns, "link", "set", "dev", "eth0", "address", mac]);
        self.ip(&[
            "-n", &bridge, "link", "set", "dev", &port, "master", "br0", "up",
        ]);
    }

    /// Removes `ns`'s eth0 (its veth pair goes with it) and, after `pause`, plugs a new one
    /// with the same name and MAC into the bridge: a cable pulled and plugged back.
    pub fn replug(&mut self, ns: &str, mac: &str, pause: Duration) {
        self.ip(&["-n", ns, "link", "del", "eth0"]);
        std::thread::sleep(pause);
        self.plug(ns, mac);
        self.ip(&["-n", ns, "link", "set", "dev", "eth0", "up"]);
    }

    /// Writes a file into the temp directory and returns its path.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.join(name);
        std::fs::write(&p, text).expect("write");
        p
    }

    /// Waits until `cond` holds or `timeout` passes.
    pub fn wait_for(&self, timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if cond() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        cond()
    }
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

impl Drop for Net {
    fn drop(&mut self) {
        for (_, child) in &mut self.children {
            kill(child);
        }
        for ns in self.namespaces.iter().rev() {
            // Anything still running in the namespace goes too.
            if let Ok(out) = Command::new("ip").args(["netns", "pids", ns]).output() {
                for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                    let _ = Command::new("kill").args(["-KILL", pid]).status();
                }
            }
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A radvd configuration for interface eth0.
pub fn radvd_conf(body: &str) -> String {
    format!(
        "interface eth0 {{\n    AdvSendAdvert on;\n    MinRtrAdvInterval 3;\n    MaxRtrAdvInterval 4;\n{body}\n}};\n"
    )
}

/// Where the binary under test is.
pub fn v6sentinel() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_v6sentinel"))
}
