//! The plan, and the order of work of `protect` and `--undo`, against a fake system.

use super::*;
use crate::rules::Rules;

fn ip(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

fn prefix(s: &str) -> Prefix {
    s.parse().unwrap()
}

/// An NTT East NGN address (2408::/22), as SLAAC makes it.
const NGN: &str = "2408:210:1:2:188f:67ff:fe0e:5410";

fn slaac(addr: &str) -> ObservedAddress {
    ObservedAddress {
        addr: ip(addr),
        prefix_len: 64,
        permanent: false,
        temporary: false,
        duplicate: false,
        valid_lifetime: Some(7200),
        preferred_lifetime: Some(3600),
        flags: 0x100,
    }
}

fn link_local() -> ObservedAddress {
    ObservedAddress {
        addr: ip("fe80::188f:67ff:fe0e:5410"),
        permanent: true,
        valid_lifetime: None,
        preferred_lifetime: None,
        flags: 0x80,
        ..slaac("fe80::1")
    }
}

fn route(dst: &str, gw: Option<&str>, metric: u32, dynamic: bool) -> ObservedRoute {
    ObservedRoute {
        destination: prefix(dst),
        gateway: gw.map(ip),
        metric: Some(metric),
        dynamic,
    }
}

/// A terminal on the NGN: a SLAAC address, its prefix route, the upstream's RA route.
fn ngn_terminal() -> Observed {
    Observed {
        addresses: vec![slaac(NGN), link_local()],
        routes: vec![
            route("2408:210:1:2::/64", None, 256, true),
            route("fe80::/64", None, 256, false),
            route("::/0", Some("fe80::1"), 1024, true),
        ],
    }
}

fn request(keep: &[&str], router: Option<&str>) -> Request {
    Request {
        interface: "eth0".to_owned(),
        keep_prefixes: keep.iter().map(|p| prefix(p)).collect(),
        keep_router: router.map(ip),
    }
}

fn rules() -> &'static Rules {
    Rules::embedded()
}

#[test]
fn a_plain_lan_needs_no_pins() {
    let observed = Observed {
        addresses: vec![slaac("2001:db8:1::5"), link_local()],
        routes: vec![route("::/0", Some("fe80::1"), 1024, true)],
    };
    let plan = plan::plan(&request(&[], None), &observed, rules(), PIN_METRIC).unwrap();
    assert_eq!(plan, Plan::default());
}

#[test]
fn the_ngn_upstream_is_refused_without_keep_prefix() {
    let err = plan::plan(&request(&[], None), &ngn_terminal(), rules(), PIN_METRIC).unwrap_err();
    let Error::Upstream { interface, found } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(interface, "eth0");
    assert_eq!(found.subject, Subject::Address(ip(NGN), 64));
    assert!(found.provider.contains("NTT East"), "{}", found.provider);
    let en = err.message(Lang::En);
    assert!(en.contains("--keep-prefix 2408:210:1:2::/64"), "{en}");
    assert!(en.contains("eth0") && en.contains("NTT East"), "{en}");
    assert!(!en.contains('\n'));
    let ja = err.message(Lang::Ja);
    assert!(
        ja.contains("中止") && ja.contains("--keep-prefix 2408:210:1:2::/64"),
        "{ja}"
    );

    // A route alone into the NGN is evidence too.
    let observed = Observed {
        addresses: vec![link_local()],
        routes: vec![route("2404:1a8:7f01::/48", Some("fe80::1"), 1024, true)],
    };
    let err = plan::plan(&request(&[], None), &observed, rules(), PIN_METRIC).unwrap_err();
    assert!(matches!(
        err,
        Error::Upstream {
            found: Upstream {
                subject: Subject::Route(_),
                ..
            },
            ..
        }
    ));
}

#[test]
fn keep_prefix_pins_the_address_and_the_route() {
    let plan = plan::plan(
        &request(&["2408:210:1:2::/64"], None),
        &ngn_terminal(),
        rules(),
        PIN_METRIC,
    )
    .unwrap();
    assert_eq!(
        plan.pin_addresses,
        [PinnedAddress {
            address: ip(NGN),
            prefix_len: 64,
            valid_lifetime_s: Some(7200),
            preferred_lifetime_s: Some(3600),
            flags: 0x100,
        }]
    );
    assert_eq!(
        plan.pin_route,
        Some(PinnedRoute {
            gateway: ip("fe80::1"),
            metric: 1023
        })
    );
    assert!(matches!(
        plan.notes.as_slice(),
        [Note::UpstreamKept(_), Note::UpstreamKept(_)]
    ));
}

#[test]
fn keep_prefix_must_cover_what_was_found() {
    let err = plan::plan(
        &request(&["2408:210:1:2::5/128"], None),
        &ngn_terminal(),
        rules(),
        PIN_METRIC,
    )
    .unwrap_err();
    let Error::NotCovered { found, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(found.subject, Subject::Address(ip(NGN), 64));
    // A shorter prefix covers both the address and its route.
    assert!(
        plan::plan(
            &request(&["2408:210::/32"], None),
            &ngn_terminal(),
            rules(),
            1023
        )
        .is_ok()
    );
    let err = plan::plan(
        &request(&["2001:db8::/32"], None),
        &Observed {
            addresses: vec![slaac("2001:db9::1")],
            routes: vec![],
        },
        rules(),
        PIN_METRIC,
    )
    .unwrap_err();
    assert!(matches!(err, Error::NothingToKeep { .. }), "{err:?}");
    assert!(err.message(Lang::En).contains("2001:db8::/32"));
}

#[test]
fn several_default_routers_need_keep_router() {
    let mut observed = ngn_terminal();
    observed
        .routes
        .push(route("::/0", Some("fe80::bad"), 1024, true));
    let req = request(&["2408:210:1:2::/64"], None);
    let err = plan::plan(&req, &observed, rules(), PIN_METRIC).unwrap_err();
    let Error::SeveralRouters { gateways, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(gateways, &[ip("fe80::1"), ip("fe80::bad")]);
    let en = err.message(Lang::En);
    assert!(
        en.contains("fe80::1, fe80::bad") && en.contains("--keep-router"),
        "{en}"
    );
    assert!(en.contains("v6sentinel scan -i eth0"), "{en}");

    let req = request(&["2408:210:1:2::/64"], Some("fe80::1"));
    let plan = plan::plan(&req, &observed, rules(), PIN_METRIC).unwrap();
    assert_eq!(plan.pin_route.map(|r| r.gateway), Some(ip("fe80::1")));
    // A router not seen is taken, with a note.
    let req = request(&["2408:210:1:2::/64"], Some("fe80::99"));
    let plan = plan::plan(&req, &observed, rules(), PIN_METRIC).unwrap();
    assert_eq!(plan.pin_route.map(|r| r.gateway), Some(ip("fe80::99")));
    assert!(plan.notes.contains(&Note::RouterNotSeen(ip("fe80::99"))));
}

#[test]
fn static_and_temporary_things_are_left_alone() {
    let mut observed = ngn_terminal();
    let mut manual = slaac("2408:210:1:2::5");
    manual.permanent = true;
    let mut temporary = slaac("2408:210:1:2:aaaa:bbbb:cccc:dddd");
    temporary.temporary = true;
    let mut duplicate = slaac("2408:210:1:2::6");
    duplicate.duplicate = true;
    observed.addresses.extend([manual, temporary, duplicate]);
    observed.routes = vec![route("::/0", Some("fe80::1"), 1024, false)];
    let plan = plan::plan(
        &request(&["2408:210:1:2::/64"], None),
        &observed,
        rules(),
        PIN_METRIC,
    )
    .unwrap();
    assert_eq!(plan.pin_addresses.len(), 1);
    assert_eq!(plan.pin_route, None);
    assert!(
        plan.notes
            .contains(&Note::AlreadyStatic(ip("2408:210:1:2::5"), 64))
    );
    assert!(plan.notes.contains(&Note::TemporaryLeft(
        ip("2408:210:1:2:aaaa:bbbb:cccc:dddd"),
        64
    )));
    assert!(
        plan.notes
            .contains(&Note::DuplicateLeft(ip("2408:210:1:2::6"), 64))
    );
    assert!(
        plan.notes
            .contains(&Note::RouteAlreadyStatic(ip("fe80::1")))
    );
    // No default route at all: nothing to pin, said so.
    observed.routes.clear();
    let plan = plan::plan(
        &request(&["2408:210:1:2::/64"], None),
        &observed,
        rules(),
        PIN_METRIC,
    )
    .unwrap();
    assert!(plan.notes.contains(&Note::NoDefaultRoute));
}

/// A system in memory that records every change.
#[derive(Default)]
struct Fake {
    setting: String,
    observed: Observed,
    calls: Vec<String>,
    /// Calls whose names start with one of these fail.
    fail: Vec<&'static str>,
    no_privilege: bool,
}

impl Fake {
    fn new(setting: &str, observed: Observed) -> Fake {
        Fake {
            setting: setting.to_owned(),
            observed,
            ..Fake::default()
        }
    }

    fn call(&mut self, what: String) -> Result<(), Error> {
        if self.fail.iter().any(|f| what.starts_with(f)) {
            return Err(Error::System {
                interface: "eth0".to_owned(),
                what,
                detail: "injected".to_owned(),
            });
        }
        self.calls.push(what);
        Ok(())
    }

    fn set_permanent(&mut self, a: &PinnedAddress, permanent: bool) {
        for o in &mut self.observed.addresses {
            if o.addr == a.address {
                o.permanent = permanent;
            }
        }
    }
}

impl System for Fake {
    fn platform(&self) -> &'static str {
        "linux"
    }
    fn setting(&self) -> &'static str {
        "accept_ra"
    }
    fn disabled_value(&self) -> &'static str {
        "0"
    }
    fn pin_metric(&self) -> u32 {
        PIN_METRIC
    }
    fn setting_location(&self, interface: &str, _value: &str) -> String {
        format!("/proc/sys/net/ipv6/conf/{interface}/accept_ra")
    }
    fn pin_command(&self, _: &str, a: &PinnedAddress) -> String {
        format!("pin {}", a.address)
    }
    fn unpin_command(&self, _: &str, a: &PinnedAddress) -> String {
        format!("unpin {}", a.address)
    }
    fn add_route_command(&self, _: &str, r: &PinnedRoute) -> String {
        format!("add {}", r.gateway)
    }
    fn remove_route_command(&self, _: &str, r: &PinnedRoute) -> String {
        format!("del {}", r.gateway)
    }
    fn after_protect(&self, interface: &str, lang: Lang) -> String {
        text::after_protect_linux(interface, lang)
    }
    fn read_setting(&mut self, _: &str) -> Result<String, Error> {
        Ok(self.setting.clone())
    }
    fn observe(&mut self, _: &str) -> Result<Observed, Error> {
        Ok(self.observed.clone())
    }
    fn check_privilege(&mut self, interface: &str) -> Result<(), Error> {
        if self.no_privilege {
            return Err(Error::Permission {
                interface: interface.to_owned(),
                what: "opening accept_ra".to_owned(),
                detail: "Permission denied".to_owned(),
            });
        }
        Ok(())
    }
    fn write_setting(&mut self, _: &str, value: &str) -> Result<(), Error> {
        self.call(format!("write {value}"))?;
        self.setting = value.to_owned();
        Ok(())
    }
    fn pin_address(&mut self, _: &str, a: &PinnedAddress) -> Result<(), Error> {
        self.call(format!("pin {}", a.address))?;
        self.set_permanent(a, true);
        Ok(())
    }
    fn unpin_address(&mut self, _: &str, a: &PinnedAddress) -> Result<(), Error> {
        self.call(format!("unpin {}", a.address))?;
        self.set_permanent(a, false);
        Ok(())
    }
    fn add_route(&mut self, _: &str, r: &PinnedRoute) -> Result<(), Error> {
        self.call(format!("add {}", r.gateway))?;
        self.observed.routes.push(ObservedRoute {
            destination: prefix("::/0"),
            gateway: Some(r.gateway),
            metric: Some(r.metric),
            dynamic: false,
        });
        Ok(())
    }
    fn remove_route(&mut self, _: &str, r: &PinnedRoute) -> Result<(), Error> {
        self.call(format!("del {}", r.gateway))?;
        self.observed
            .routes
            .retain(|o| !(o.gateway == Some(r.gateway) && o.metric == Some(r.metric)));
        Ok(())
    }
}

const NOW: Timestamp = Timestamp::from_secs(1_777_777_777);

fn opts(dry_run: bool, lang: Lang) -> Options {
    Options {
        dry_run,
        lang,
        quiet: false,
    }
}

fn run_protect(
    sys: &mut Fake,
    store: &StateStore,
    req: &Request,
    o: Options,
) -> (Result<Outcome, Error>, Vec<String>) {
    let mut lines = Vec::new();
    let r = protect(sys, store, req, rules(), o, NOW, &mut |l| {
        lines.push(l.to_owned())
    });
    (r, lines)
}

fn run_undo(
    sys: &mut Fake,
    store: &StateStore,
    o: Options,
) -> (Result<Outcome, Error>, Vec<String>) {
    let mut lines = Vec::new();
    let r = undo(sys, store, "eth0", o, &mut |l| lines.push(l.to_owned()));
    (r, lines)
}

#[test]
fn protect_then_undo() {
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path());
    let mut sys = Fake::new("2", ngn_terminal());
    let req = request(&["2408:210:1:2::/64"], None);
    let (r, lines) = run_protect(&mut sys, &store, &req, opts(false, Lang::En));
    assert_eq!(r.unwrap(), Outcome::Done);
    // Pins first, the setting last, each printed before it was made.
    assert_eq!(
        sys.calls,
        [
            format!("pin {NGN}"),
            "add fe80::1".to_owned(),
            "write 0".to_owned()
        ]
    );
    let text = lines.join("\n");
    assert!(
        text.contains("accept_ra on eth0: 2 -> 0 (/proc/sys/net/ipv6/conf/eth0/accept_ra)"),
        "{text}"
    );
    assert!(text.contains(&format!(
        "pin address {NGN}/64 on eth0: valid 7200 s, preferred 3600 s -> static, forever"
    )));
    assert!(
        text.contains("add default route on eth0 via fe80::1, metric 1023"),
        "{text}"
    );
    assert!(
        text.contains("ip -6 route flush dev eth0 proto ra"),
        "{text}"
    );
    let state = store.load("eth0").unwrap().unwrap();
    assert_eq!(state.previous, "2");
    assert_eq!(state.written, "0");
    assert_eq!(state.since, "2026-05-03T03:09:37.000000Z");
    assert_eq!(state.pinned_addresses.len(), 1);

    // Twice: refused, nothing done.
    let (r, _) = run_protect(&mut sys, &store, &req, opts(false, Lang::En));
    let err = r.unwrap_err();
    assert!(
        matches!(err, Error::AlreadyProtected { reset: None, .. }),
        "{err:?}"
    );
    assert!(
        err.message(Lang::En)
            .contains("already protected since 2026-05-03T03:09:37")
    );
    assert_eq!(sys.calls.len(), 3);

    sys.calls.clear();
    let (r, lines) = run_undo(&mut sys, &store, opts(false, Lang::Ja));
    assert_eq!(r.unwrap(), Outcome::Done);
    assert_eq!(
        sys.calls,
        [
            "write 2".to_owned(),
            "del fe80::1".to_owned(),
            format!("unpin {NGN}")
        ]
    );
    let text = lines.join("\n");
    assert!(text.contains("eth0 の accept_ra: 0 -> 2"), "{text}");
    assert!(text.contains("完了"), "{text}");
    assert_eq!(store.load("eth0").unwrap(), None);
    assert_eq!(sys.setting, "2");

    // Undo again: nothing to undo.
    let (r, _) = run_undo(&mut sys, &store, opts(false, Lang::En));
    let err = r.unwrap_err();
    assert!(matches!(err, Error::NotProtected { .. }));
    assert!(err.message(Lang::En).contains("not protected"), "{err}");
}

#[test]
fn dry_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path());
    let mut sys = Fake::new("1", ngn_terminal());
    let req = request(&["2408:210:1:2::/64"], None);
    let (r, lines) = run_protect(&mut sys, &store, &req, opts(true, Lang::En));
    assert_eq!(r.unwrap(), Outcome::Done);
    assert!(sys.calls.is_empty());
    assert_eq!(store.load("eth0").unwrap(), None);
    let text = lines.join("\n");
    assert!(text.contains("accept_ra on eth0: 1 -> 0"), "{text}");
    assert!(text.contains("dry run: nothing was changed"), "{text}");

    // And a dry undo.
    run_protect(&mut sys, &store, &req, opts(false, Lang::En))
        .0
        .unwrap();
    sys.calls.clear();
    let (r, lines) = run_undo(&mut sys, &store, opts(true, Lang::En));
    r.unwrap();
    assert!(sys.calls.is_empty());
    assert!(store.load("eth0").unwrap().is_some());
    assert!(lines.join("\n").contains("accept_ra on eth0: 0 -> 1"));
}

#[test]
fn already_off_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path());
    let mut sys = Fake::new("0", ngn_terminal());
    let (r, lines) = run_protect(&mut sys, &store, &request(&[], None), opts(false, Lang::En));
    assert_eq!(r.unwrap(), Outcome::Nothing);
    assert!(sys.calls.is_empty());
    assert!(lines[0].contains("already 0"), "{lines:?}");
    assert_eq!(store.load("eth0").unwrap(), None);
}

#[test]
fn a_failure_puts_back_what_was_done() {
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path());
    let mut sys = Fake::new("1", ngn_terminal());
    sys.fail = vec!["write 0"];
    let req = request(&["2408:210:1:2::/64"], None);
    let (r, _) = run_protect(&mut sys, &store, &req, opts(false, Lang::En));
    let err = r.unwrap_err();
    assert!(
        matches!(err, Error::RolledBack { rollback: None, .. }),
        "{err:?}"
    );
    assert!(err.message(Lang::En).contains("put back"), "{err}");
    assert_eq!(
        sys.calls,
        [
            format!("pin {NGN}"),
            "add fe80::1".to_owned(),
            "del fe80::1".to_owned(),
            format!("unpin {NGN}")
        ]
    );
    assert_eq!(store.load("eth0").unwrap(), None);

    // Putting back fails too: the state file stays for --undo.
    let mut sys = Fake::new("1", ngn_terminal());
    sys.fail = vec!["write 0", "del"];
    let (r, _) = run_protect(&mut sys, &store, &req, opts(false, Lang::En));
    let err = r.unwrap_err();
    assert!(
        matches!(
            err,
            Error::RolledBack {
                rollback: Some(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.message(Lang::En).contains("--undo"), "{err}");
    assert!(store.load("eth0").unwrap().is_some());
}

#[test]
fn no_privilege_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path());
    let mut sys = Fake::new("1", ngn_terminal());
    sys.no_privilege = true;
    let req = request(&["2408:210:1:2::/64"], None);
    let (r, _) = run_protect(&mut sys, &store, &req, opts(false, Lang::En));
    let err = r.unwrap_err();
    assert!(matches!(err, Error::Permission { .. }));
    assert!(err.message(Lang::En).contains("run as root"), "{err}");
    assert!(err.message(Lang::Ja).contains("権限がありません"));
    assert!(sys.calls.is_empty());
    assert_eq!(store.load("eth0").unwrap(), None);
}

#[test]
fn undo_skips_what_changed_since_and_keeps_the_state_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path());
    let mut sys = Fake::new("1", ngn_terminal());
    let req = request(&["2408:210:1:2::/64"], None);
    run_protect(&mut sys, &store, &req, opts(false, Lang::En))
        .0
        .unwrap();

    // The route vanished and the address was made dynamic by someone else.
    sys.observed.routes.retain(|r| r.metric != Some(PIN_METRIC));
    for a in &mut sys.observed.addresses {
        if a.addr == ip(NGN) {
            a.permanent = false;
        }
    }
    // The first undo fails at the setting: the state stays.
    sys.fail = vec!["write 1"];
    sys.calls.clear();
    let (r, _) = run_undo(&mut sys, &store, opts(false, Lang::En));
    let err = r.unwrap_err();
    assert!(matches!(err, Error::UndoIncomplete { .. }));
    assert!(err.message(Lang::En).contains("run --undo again"), "{err}");
    assert!(store.load("eth0").unwrap().is_some());

    sys.fail.clear();
    let (r, lines) = run_undo(&mut sys, &store, opts(false, Lang::En));
    r.unwrap();
    assert_eq!(sys.calls, ["write 1"]);
    let text = lines.join("\n");
    assert!(
        text.contains("no longer there: nothing to remove"),
        "{text}"
    );
    assert!(text.contains("no longer static"), "{text}");
    assert_eq!(store.load("eth0").unwrap(), None);
}

#[test]
fn a_reset_setting_is_mentioned() {
    let dir = tempfile::tempdir().unwrap();
    let store = StateStore::new(dir.path());
    let mut sys = Fake::new("1", Observed::default());
    run_protect(&mut sys, &store, &request(&[], None), opts(false, Lang::En))
        .0
        .unwrap();
    // A reboot: accept_ra is back to 1.
    sys.setting = "1".to_owned();
    let (r, _) = run_protect(&mut sys, &store, &request(&[], None), opts(false, Lang::En));
    let err = r.unwrap_err();
    assert!(
        err.message(Lang::En).contains("accept_ra is 1 again"),
        "{err}"
    );
    // Undo then only removes the state file.
    sys.calls.clear();
    let (r, lines) = run_undo(&mut sys, &store, opts(false, Lang::En));
    r.unwrap();
    assert!(sys.calls.is_empty());
    assert!(lines[0].contains("already 1"), "{lines:?}");
    assert_eq!(store.load("eth0").unwrap(), None);
}

#[test]
fn every_message_is_one_line_in_both_languages() {
    let found = Upstream {
        provider: "NTT East".to_owned(),
        subject: Subject::Address(ip(NGN), 64),
    };
    let path = PathBuf::from("/var/lib/v6sentinel/protect/eth0.json");
    let errors = [
        Error::AlreadyProtected {
            interface: "eth0".into(),
            since: "x".into(),
            path: path.clone(),
            reset: Some(Box::new(("routerdiscovery".into(), "enabled".into()))),
        },
        Error::NotProtected {
            interface: "eth0".into(),
            path: path.clone(),
        },
        Error::Upstream {
            interface: "eth0".into(),
            found: found.clone(),
        },
        Error::NotCovered {
            interface: "eth0".into(),
            found,
        },
        Error::NothingToKeep {
            interface: "eth0".into(),
            prefixes: vec![prefix("2001:db8::/32")],
        },
        Error::SeveralRouters {
            interface: "eth0".into(),
            gateways: vec![ip("fe80::1"), ip("fe80::2")],
        },
        Error::NoSuchInterface {
            interface: "eth0".into(),
        },
        Error::RolledBack {
            interface: "eth0".into(),
            cause: Box::new(Error::NoSuchInterface {
                interface: "eth0".into(),
            }),
            rollback: Some(Box::new(Error::NoSuchInterface {
                interface: "eth0".into(),
            })),
            path,
        },
    ];
    for e in &errors {
        for lang in [Lang::En, Lang::Ja] {
            let m = e.message(lang);
            assert!(!m.contains('\n') && m.contains("eth0"), "{m}");
        }
        assert!(!e.message(Lang::Ja).is_ascii(), "{}", e.message(Lang::Ja));
    }
}

#[test]
fn hints_after_protect() {
    let en = text::after_protect_windows("Ethernet 2", Lang::En);
    assert!(
        en.contains("\"Ethernet 2\"") && en.contains("reboot"),
        "{en}"
    );
    let ja = text::after_protect_windows("Ethernet 2", Lang::Ja);
    assert!(ja.contains("再起動"), "{ja}");
    let ja = text::after_protect_linux("eth0", Lang::Ja);
    assert!(ja.contains("net.ipv6.conf.eth0.accept_ra = 0"), "{ja}");
}
