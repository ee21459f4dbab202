//! `v6sentinel protect` end to end: the real binary in a terminal namespace of its own
//! (eth0 a veth on a bridge), checking `net.ipv6.conf.eth0.accept_ra`, the addresses and
//! the routes before, after `protect` and after `--undo`; with an NGN-looking address and
//! default route set by hand, and with real radvd routers (the NGN's and a rogue one).
//! Needs root; namespaces are made and removed by the tests.
#![cfg(target_os = "linux")]

mod common;

use common::netns::{Net, radvd_conf, require, v6sentinel};
use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

const TERM_MAC: &str = "02:76:36:00:01:01";
const NGN_MAC: &str = "02:76:36:00:01:02";
const ROGUE_MAC: &str = "02:76:36:00:01:03";
/// An NTT East FLET'S NGN address (2408::/22 in rules/providers.toml).
const NGN_ADDR: &str = "2408:210:1:2::5";
const NGN_PREFIX: &str = "2408:210:1:2::/64";

fn tools() {
    require(&[
        ("ip", "iproute2"),
        ("sysctl", "procps"),
        ("setpriv", "util-linux"),
    ]);
}

struct Term {
    net: Net,
    ns: String,
    state: PathBuf,
}

impl Term {
    fn new(tag: &str) -> Term {
        let mut net = Net::new(tag);
        let ns = net.host("term", TERM_MAC, false);
        let state = net.dir.join("state");
        Term { net, ns, state }
    }

    /// Runs `v6sentinel protect -i eth0 --state-dir DIR --lang en ARGS` in the namespace.
    fn protect(&self, args: &[&str]) -> Output {
        self.protect_as(&[], "en", args)
    }

    /// Runs `PREFIX v6sentinel protect -i eth0 --state-dir DIR --lang LANG ARGS` in the
    /// namespace (PREFIX: e.g. `setpriv` to run it unprivileged).
    fn protect_as(&self, prefix: &[&str], lang: &str, args: &[&str]) -> Output {
        let bin = v6sentinel().display().to_string();
        let state = self.state.display().to_string();
        let mut cmd = prefix.to_vec();
        cmd.extend_from_slice(&[
            bin.as_str(),
            "protect",
            "-i",
            "eth0",
            "--state-dir",
            &state,
            "--lang",
            lang,
        ]);
        cmd.extend_from_slice(args);
        self.net.exec(&self.ns, &cmd)
    }

    fn sh(&self, cmd: &str) -> String {
        let out = self.net.exec(&self.ns, &["sh", "-c", cmd]);
        assert!(
            out.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn accept_ra(&self) -> String {
        self.sh("cat /proc/sys/net/ipv6/conf/eth0/accept_ra")
            .trim()
            .to_owned()
    }

    fn set_accept_ra(&self, value: &str) {
        self.sh(&format!("sysctl -qw net.ipv6.conf.eth0.accept_ra={value}"));
    }

    /// The `ip -6 -o addr` line of `addr` on eth0, if it is there.
    fn address(&self, addr: &str) -> Option<String> {
        self.sh("ip -6 -o addr show dev eth0")
            .lines()
            .find(|l| l.contains(&format!(" {addr}/")))
            .map(str::to_owned)
    }

    fn routes(&self) -> String {
        self.sh("ip -6 route show dev eth0")
    }

    fn state_file(&self) -> PathBuf {
        self.state.join("eth0.json")
    }
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn accept_ra_off_and_back() {
    tools();
    let t = Term::new("pa");
    for start in ["1", "2"] {
        t.set_accept_ra(start);
        assert_eq!(t.accept_ra(), start);

        // A dry run prints the change and makes none.
        let out = t.protect(&["--dry-run"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(
            stdout(&out).contains(&format!(
                "accept_ra on eth0: {start} -> 0 (/proc/sys/net/ipv6/conf/eth0/accept_ra)"
            )),
            "{}",
            text(&out)
        );
        assert!(stdout(&out).contains("dry run: nothing was changed"));
        assert_eq!(t.accept_ra(), start);
        assert!(!t.state_file().exists());

        let out = t.protect(&[]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(
            stdout(&out).contains(&format!("accept_ra on eth0: {start} -> 0")),
            "{}",
            text(&out)
        );
        assert_eq!(t.accept_ra(), "0");
        let state: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(t.state_file()).expect("state file"))
                .expect("state JSON");
        assert_eq!(state["schema"], "v6sentinel.protect/1");
        assert_eq!(state["previous"], start);

        // Twice: refused, nothing changes.
        let out = t.protect(&[]);
        assert_eq!(out.status.code(), Some(3), "{}", text(&out));
        assert!(
            stderr(&out).contains("eth0 is already protected since")
                && stderr(&out).contains("--undo` first"),
            "{}",
            text(&out)
        );
        assert_eq!(stderr(&out).lines().count(), 1, "{}", text(&out));
        assert_eq!(t.accept_ra(), "0");

        let out = t.protect(&["--undo"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert!(
            stdout(&out).contains(&format!("accept_ra on eth0: 0 -> {start}")),
            "{}",
            text(&out)
        );
        assert_eq!(t.accept_ra(), start);
        assert!(!t.state_file().exists());

        // Undo without a state file: refused.
        let out = t.protect(&["--undo"]);
        assert_eq!(out.status.code(), Some(3), "{}", text(&out));
        assert!(
            stderr(&out).contains("eth0 is not protected"),
            "{}",
            text(&out)
        );
        assert_eq!(t.accept_ra(), start);
    }

    // In Japanese.
    let bin = v6sentinel().display().to_string();
    let state = t.state.display().to_string();
    let out = t.protect_as(&[], "ja", &["--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout(&out).contains("eth0 の accept_ra: 2 -> 0") && stdout(&out).contains("ドライラン"),
        "{}",
        text(&out)
    );

    // Without privilege: refused before anything changes.
    let nobody = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ];
    let out = t.protect_as(&nobody, "en", &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        stderr(&out).contains("no privilege to change eth0"),
        "{}",
        text(&out)
    );
    assert_eq!(t.accept_ra(), "2");
    assert!(!t.state_file().exists());
    // A dry run needs no privilege.
    let out = t.protect_as(&nobody, "en", &["--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout(&out).contains("accept_ra on eth0: 2 -> 0"),
        "{}",
        text(&out)
    );

    // No such interface.
    let out = t.net.exec(
        &t.ns,
        &[&bin, "protect", "-i", "nosuch0", "--state-dir", &state],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(stderr(&out).contains("nosuch0"), "{}", text(&out));

    // Without -i: the only Ethernet interface, said so.
    let out = t.net.exec(
        &t.ns,
        &[
            &bin,
            "protect",
            "--dry-run",
            "--state-dir",
            &state,
            "--lang",
            "en",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout(&out).starts_with("interface: eth0 (chosen automatically"),
        "{}",
        text(&out)
    );
}

#[test]
fn ngn_address_and_route_are_pinned() {
    tools();
    let t = Term::new("pn");
    t.set_accept_ra("2");
    // What the NGN's home gateway gives the terminal, set by hand: a SLAAC-like address
    // (finite lifetimes) and a default route as the kernel learns it from an RA.
    t.sh(&format!(
        "ip -6 addr add {NGN_ADDR}/64 dev eth0 valid_lft 3600 preferred_lft 1800"
    ));
    t.sh("ip -6 route add default via fe80::1 dev eth0 proto ra expires 1800");
    assert!(t.address(NGN_ADDR).is_some_and(|l| l.contains("dynamic")));

    // The interface carries the NGN upstream: refused, naming the provider and address.
    let out = t.protect(&[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let err = stderr(&out);
    assert!(
        err.contains("NTT East")
            && err.contains(&format!("{NGN_ADDR}/64"))
            && err.contains(&format!("--keep-prefix {NGN_PREFIX}")),
        "{}",
        text(&out)
    );
    assert_eq!(err.lines().count(), 1, "{}", text(&out));
    assert_eq!(t.accept_ra(), "2");
    assert!(!t.state_file().exists());

    // A prefix that does not cover it: refused.
    let out = t.protect(&["--keep-prefix", "2408:210:1:3::/64"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(stderr(&out).contains("does not cover"), "{}", text(&out));

    // A rogue router's default route too: refused, both listed.
    t.sh("ip -6 route add default via fe80::bad dev eth0 proto ra metric 1025 expires 1800");
    let out = t.protect(&["--keep-prefix", NGN_PREFIX]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        stderr(&out).contains("2 default routers (fe80::1, fe80::bad)")
            && stderr(&out).contains("--keep-router"),
        "{}",
        text(&out)
    );
    assert_eq!(t.accept_ra(), "2");

    let out = t.protect(&["--keep-prefix", NGN_PREFIX, "--keep-router", "fe80::1"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let printed = stdout(&out);
    assert!(
        printed.contains(&format!("pin address {NGN_ADDR}/64 on eth0"))
            && printed.contains("add default route on eth0 via fe80::1, metric 1023")
            && printed.contains("accept_ra on eth0: 2 -> 0"),
        "{}",
        text(&out)
    );
    // The order printed is the order done: state, pins, then the setting.
    let at = |s: &str| printed.find(s).unwrap_or(usize::MAX);
    assert!(at("save the state") < at("pin address"));
    assert!(at("pin address") < at("add default route"));
    assert!(at("add default route") < at("accept_ra on eth0"));
    assert_eq!(t.accept_ra(), "0");
    let line = t.address(NGN_ADDR).expect("the NGN address is still there");
    assert!(
        !line.contains("dynamic") && line.contains("valid_lft forever"),
        "not pinned: {line}"
    );
    let routes = t.routes();
    assert!(
        routes.contains("default via fe80::1 proto static metric 1023"),
        "{routes}"
    );
    // The RA routes are left alone.
    assert!(
        routes.contains("default via fe80::1 proto ra metric 1024"),
        "{routes}"
    );
    assert!(
        routes.contains("default via fe80::bad proto ra metric 1025"),
        "{routes}"
    );

    let out = t.protect(&["--undo"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout(&out).contains("remove default route on eth0 via fe80::1, metric 1023")
            && stdout(&out).contains(&format!("unpin address {NGN_ADDR}/64")),
        "{}",
        text(&out)
    );
    assert_eq!(t.accept_ra(), "2");
    let line = t.address(NGN_ADDR).expect("the NGN address is still there");
    assert!(line.contains("dynamic"), "still pinned: {line}");
    let routes = t.routes();
    assert!(!routes.contains("metric 1023"), "{routes}");
    assert!(
        routes.contains("default via fe80::1 proto ra metric 1024"),
        "{routes}"
    );
    assert!(!t.state_file().exists());
}

#[test]
fn real_routers_ngn_kept_rogue_ignored() {
    tools();
    require(&[("radvd", "radvd")]);
    let mut t = Term::new("pr");
    let ngn = t.net.host("ngn", NGN_MAC, true);
    let rogue = t.net.host("rogue", ROGUE_MAC, true);
    let start = |t: &mut Term, ns: &str, name: &str, body: &str| {
        let conf = t.net.file(&format!("{name}.conf"), &radvd_conf(body));
        let pid = t.net.dir.join(format!("{name}.pid"));
        t.net.spawn(
            ns,
            name,
            &[
                "radvd",
                "-n",
                "-C",
                &conf.display().to_string(),
                "-p",
                &pid.display().to_string(),
                "-u",
                "root",
                "-m",
                "stderr",
            ],
        );
    };
    start(
        &mut t,
        &ngn,
        "ngn",
        "    AdvDefaultLifetime 1800;\n    prefix 2408:210:1:2::/64 { AdvOnLink on; \
         AdvAutonomous on; AdvValidLifetime 7200; AdvPreferredLifetime 3600; };",
    );
    start(
        &mut t,
        &rogue,
        "rogue",
        "    AdvDefaultLifetime 1800;\n    prefix 2001:db8:1::/64 { AdvOnLink on; \
         AdvAutonomous on; };",
    );
    let ngn_ll = {
        let out = t.net.exec(
            &ngn,
            &[
                "ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "link",
            ],
        );
        let line = String::from_utf8_lossy(&out.stdout).into_owned();
        line.split_whitespace()
            .nth(3)
            .and_then(|a| a.split('/').next())
            .expect("the NGN router's link-local address")
            .to_owned()
    };
    let slaac = |t: &Term, prefix: &str| {
        t.sh("ip -6 -o addr show dev eth0 scope global")
            .lines()
            .find(|l| l.contains(prefix))
            .map(str::to_owned)
    };
    let both = t.net.wait_for(Duration::from_secs(20), || {
        slaac(&t, "2408:210:1:2:").is_some()
            && slaac(&t, "2001:db8:1:").is_some()
            && t.routes().matches("default via").count() >= 2
    });
    t.net.assert_running();
    assert!(both, "no SLAAC from both routers:\n{}", t.routes());

    let out = t.protect(&[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(stderr(&out).contains("NTT East"), "{}", text(&out));
    let out = t.protect(&["--keep-prefix", NGN_PREFIX]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(
        stderr(&out).contains("2 default routers") && stderr(&out).contains(&ngn_ll),
        "{}",
        text(&out)
    );
    let out = t.protect(&["--keep-prefix", NGN_PREFIX, "--keep-router", &ngn_ll]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(t.accept_ra(), "0");
    let ngn_line = slaac(&t, "2408:210:1:2:").expect("NGN address");
    assert!(
        !ngn_line.contains("dynamic") && ngn_line.contains("valid_lft forever"),
        "{ngn_line}"
    );

    // Clear what was learned, as the output says; the rogue's RAs keep coming but are
    // ignored now, while the pinned NGN address and route stay.
    assert!(stdout(&out).contains("ip -6 route flush dev eth0 proto ra"));
    t.sh("ip -6 route flush dev eth0 proto ra");
    t.sh("ip -6 addr flush dev eth0 scope global dynamic");
    std::thread::sleep(Duration::from_secs(6));
    t.net.assert_running();
    assert!(
        slaac(&t, "2001:db8:1:").is_none(),
        "the rogue's RA was taken"
    );
    assert!(
        slaac(&t, "2408:210:1:2:").is_some(),
        "the pinned address went"
    );
    let routes = t.routes();
    assert!(
        routes.contains(&format!("default via {ngn_ll} proto static metric 1023")),
        "{routes}"
    );
    assert_eq!(routes.matches("default via").count(), 1, "{routes}");

    // Undo: RAs are taken again (the rogue's address comes back), the NGN address is
    // dynamic again.
    let out = t.protect(&["--undo"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(t.accept_ra(), "2");
    let back = t.net.wait_for(Duration::from_secs(15), || {
        slaac(&t, "2001:db8:1:").is_some()
    });
    assert!(back, "RAs are not taken after --undo:\n{}", t.routes());
    let ngn_line = slaac(&t, "2408:210:1:2:").expect("NGN address");
    assert!(ngn_line.contains("dynamic"), "{ngn_line}");
    assert!(!t.routes().contains("metric 1023"), "{}", t.routes());
}
