//! Rendering of a detector [`Snapshot`]: the human report in Japanese or English
//! ([`report_text`]), the printable installer's report as one self-contained HTML page
//! ([`report_html`], see [`html`]), the JSON report and `watch` alerts ([`report_json`],
//! [`alert_json`], format documented in [`json`]), and the monitoring-plugin status line
//! ([`status_line`]) that ends every text report (DESIGN.md, "Exit codes" and "JSON").
//!
//! This layer only formats: it reads the detector's judgement (findings, effects,
//! severities, remedies) and the rule texts, and decides nothing itself, except which
//! of a source's entries are still current at the snapshot's time (see [`json`]).

pub mod html;
pub mod json;
pub mod text;

pub use html::report_html;
pub use json::{alert_json, alert_json_with_rules, report_json};
pub use text::report_text;

use crate::detect::{Effect, Finding, Role, Severity, Snapshot, Timestamp, Verdict};
use crate::rules::{RemedyCode, Rules};
use core::fmt::Write as _;
use core::time::Duration;
use std::borrow::Cow;

/// The language of a text report. The status line and the JSON stay in English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Japanese.
    Ja,
    /// English (the default outside a Japanese locale).
    #[default]
    En,
}

impl Lang {
    /// The language for a `LANG` value: Japanese when it starts with `ja` (`ja_JP.UTF-8`,
    /// `ja`), English otherwise and when unset.
    pub fn from_env_lang(value: Option<&str>) -> Lang {
        match value {
            Some(v) if v.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("ja")) => Lang::Ja,
            _ => Lang::En,
        }
    }

    /// The code used on the command line: `ja` or `en`.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }
}

impl core::fmt::Display for Lang {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a `--lang` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a report language (expected `ja` or `en`)")]
pub struct LangError(pub String);

impl core::str::FromStr for Lang {
    type Err = LangError;

    /// Accepts `ja` and `en` (any case), and locale-style values such as `ja_JP`.
    fn from_str(s: &str) -> Result<Lang, LangError> {
        let lower = s.trim().to_ascii_lowercase();
        if lower.starts_with("ja") {
            Ok(Lang::Ja)
        } else if lower.starts_with("en") {
            Ok(Lang::En)
        } else {
            Err(LangError(s.to_owned()))
        }
    }
}

/// Which probes a scan sent (both false for `analyze` and `scan --passive`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Probes {
    /// A Router Solicitation to ff02::2.
    pub router_solicitation: bool,
    /// A DHCPv6 Solicit to ff02::1:2.
    pub dhcpv6_solicit: bool,
}

/// What the report says about the run itself, beside the snapshot.
#[derive(Clone)]
pub struct Context<'a> {
    /// The interface listened on (`None` for `analyze`).
    pub interface: Option<&'a str>,
    /// When listening started (for `analyze`: the first record's time).
    pub started: Timestamp,
    /// How long it listened (for `analyze`: the span of the capture).
    pub duration: Duration,
    /// The probes sent.
    pub probes: Probes,
    /// The capture files read by `analyze` (empty for `scan`).
    pub inputs: Vec<String>,
    /// The rule tables: remedy texts and the contact line.
    pub rules: &'a Rules,
}

impl core::fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Context")
            .field("interface", &self.interface)
            .field("started", &self.started)
            .field("duration", &self.duration)
            .field("probes", &self.probes)
            .field("inputs", &self.inputs)
            .finish_non_exhaustive()
    }
}

/// Most devices named on the status line; the rest are counted.
const STATUS_MAX_LISTED: usize = 5;

/// The monitoring-plugin status line (DESIGN.md, "Exit codes"), always in English:
///
/// ```text
/// CRITICAL - 2 devices hand out IPv6: 10:6f:3f:aa:bb:cc (BUFFALO), f0:18:98:aa:bb:01 (Apple) | routers=2 dhcpv6_servers=1
/// ```
///
/// The word is the snapshot's verdict (`OK`, `WARNING`, `CRITICAL`). It names the
/// non-expected sources of warning or critical severity, worst first (at most five, then
/// `and N more`), each with a short vendor: the first word of its IEEE organization
/// name, else the matched offender's name, `randomized MAC` for a locally administered
/// address, or `unknown vendor`. A flood comes first. The expected upstream is never
/// listed as a problem; an `OK` line names it.
///
/// Performance data after `|`: `routers` (sources that sent a Router Advertisement a
/// host accepts, expected ones included), `dhcpv6_servers` (sources that answered
/// DHCPv6), `unexpected` (the sources named as problems), and with a flood
/// `flood_new_sources`.
pub fn status_line(snapshot: &Snapshot<'_>) -> String {
    let problems: Vec<&Finding<'_>> = snapshot
        .findings
        .iter()
        .filter(|f| !f.expected && f.severity >= Severity::Warning)
        .collect();
    let mut line = String::from(match snapshot.verdict {
        Verdict::Ok => "OK - ",
        Verdict::Warning => "WARNING - ",
        Verdict::Critical => "CRITICAL - ",
    });
    let mut parts: Vec<String> = Vec::new();
    if let Some(flood) = &snapshot.flood {
        parts.push(format!(
            "RA flood: {} new {} within {} s ({} kept)",
            flood.new_sources,
            plural(flood.new_sources, "source", "sources"),
            flood.window_s,
            flood.kept
        ));
    }
    if !problems.is_empty() {
        let n = problems.len() as u64;
        let mut s = format!(
            "{n} {} IPv6: ",
            plural(n, "device hands out", "devices hand out")
        );
        let listed: Vec<String> = problems
            .iter()
            .take(STATUS_MAX_LISTED)
            .map(|f| format!("{} ({})", f.source.mac, short_vendor(f)))
            .collect();
        s.push_str(&listed.join(", "));
        if problems.len() > STATUS_MAX_LISTED {
            let _ = write!(s, " and {} more", problems.len() - STATUS_MAX_LISTED);
        }
        parts.push(s);
    }
    if parts.is_empty() {
        if snapshot.findings.is_empty() {
            parts.push("no device hands out IPv6".into());
        } else {
            let mut s = String::from("no unexpected IPv6 configuration source");
            let expected: Vec<String> = snapshot
                .findings
                .iter()
                .filter(|f| f.expected)
                .map(|f| format!("{} ({})", f.source.mac, short_vendor(f)))
                .collect();
            if !expected.is_empty() {
                let _ = write!(s, "; expected upstream: {}", expected.join(", "));
            }
            parts.push(s);
        }
    }
    line.push_str(&parts.join("; "));
    let routers = count_role(snapshot, Role::Router);
    let servers = count_role(snapshot, Role::Dhcpv6Server);
    let _ = write!(
        line,
        " | routers={routers} dhcpv6_servers={servers} unexpected={}",
        problems.len()
    );
    if let Some(flood) = &snapshot.flood {
        let _ = write!(line, " flood_new_sources={}", flood.new_sources);
    }
    line
}

fn count_role(snapshot: &Snapshot<'_>, role: Role) -> usize {
    snapshot
        .findings
        .iter()
        .filter(|f| f.roles.contains(&role))
        .count()
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// The short vendor shown beside a MAC: the first word of the IEEE organization name
/// (`BUFFALO.INC` → `BUFFALO`, `Apple, Inc.` → `Apple`), else the offender's name,
/// `randomized MAC` for a locally administered MAC, or `unknown vendor`.
pub(crate) fn short_vendor(f: &Finding<'_>) -> String {
    if f.mac_randomized {
        return "randomized MAC".into();
    }
    if let Some(v) = f.vendor.as_ref() {
        let short = short_org_name(v.name);
        if !short.is_empty() {
            return short;
        }
    }
    if let Some(o) = f.offender {
        return o.name.clone();
    }
    "unknown vendor".into()
}

/// An IEEE organization name without its legal suffix, at most two words:
/// "I-O DATA DEVICE,INC." → "I-O DATA", "BUFFALO.INC" → "BUFFALO", "Apple, Inc." → "Apple".
pub(crate) fn short_org_name(name: &str) -> String {
    const SUFFIXES: [&str; 10] = [
        "inc",
        "ltd",
        "llc",
        "co",
        "corp",
        "corporation",
        "limited",
        "gmbh",
        "company",
        "device",
    ];
    let head = name.split(',').next().unwrap_or(name);
    let head = head.split(".INC").next().unwrap_or(head);
    head.split(|c: char| c.is_whitespace() || c == '.')
        .filter(|w| !w.is_empty())
        .take_while(|w| !SUFFIXES.contains(&w.to_ascii_lowercase().as_str()))
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The largest time shown: 9999-12-31T23:59:59.999999Z (RFC 3339 has four-digit years).
const MAX_MICROS: i64 = 253_402_300_799_999_999;

/// A broken-down civil time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub micros: u32,
}

/// `ts` shifted by `offset_secs`, broken down (proleptic Gregorian calendar; times
/// before 1970 or after 9999 are clamped).
pub(crate) fn civil(ts: Timestamp, offset_secs: i64) -> Civil {
    let micros = ts
        .as_micros()
        .saturating_add(offset_secs.saturating_mul(1_000_000))
        .clamp(0, MAX_MICROS);
    let secs = micros.div_euclid(1_000_000);
    let sub = micros.rem_euclid(1_000_000) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        hour: sod / 3600,
        minute: sod / 60 % 60,
        second: sod % 60,
        micros: sub,
    }
}

/// RFC 3339 UTC with microseconds: `2026-11-24T16:31:50.123456Z`.
pub(crate) fn rfc3339(ts: Timestamp) -> String {
    let c = civil(ts, 0);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second, c.micros
    )
}

/// The remedy texts for `code`: the rule table's, or when it has none (an empty text)
/// the seed document's wording built in here.
pub(crate) fn remedy_texts<'r>(
    rules: Option<&'r Rules>,
    code: RemedyCode,
) -> (Cow<'r, str>, Cow<'r, str>) {
    let (ja, en) = builtin_remedy(code.as_str());
    let from_rules = rules.map(|r| r.remedy(code));
    pick(from_rules.map(|t| (t.ja.as_str(), t.en.as_str())), ja, en)
}

/// The contact line: the rule table's, or the seed document's built in here.
pub(crate) fn contact_texts(rules: &Rules) -> (Cow<'_, str>, Cow<'_, str>) {
    let t = rules.contact();
    pick(Some((t.ja.as_str(), t.en.as_str())), CONTACT_JA, CONTACT_EN)
}

fn pick<'r>(
    from_rules: Option<(&'r str, &'r str)>,
    ja: &'static str,
    en: &'static str,
) -> (Cow<'r, str>, Cow<'r, str>) {
    let choose = |given: Option<&'r str>, builtin: &'static str| match given {
        Some(t) if !t.trim().is_empty() => Cow::Borrowed(t.trim()),
        _ => Cow::Borrowed(builtin),
    };
    (
        choose(from_rules.map(|t| t.0), ja),
        choose(from_rules.map(|t| t.1), en),
    )
}

const CONTACT_JA: &str = "ご不明な点は、オンライン資格確認等コールセンター（電話 0800-080-4583、\
受付 月〜金 8:00〜18:00・土 8:00〜16:00、いずれも祝日を除く）、または医療機関等向け総合ポータルサイトの\
「メールでのお問い合わせ」へご相談ください。";
const CONTACT_EN: &str = "Questions: the online eligibility call centre (オンライン資格確認等\
コールセンター), 0800-080-4583, Mon-Fri 8:00-18:00, Sat 8:00-16:00, not on holidays; or the \
mail form of the medical-institution portal site (医療機関等向け総合ポータルサイト).";

/// The seed document's remedy wording, by remedy code (used when the rules give none).
fn builtin_remedy(code: &str) -> (&'static str, &'static str) {
    match code {
        "disable_ipv6" => (
            "【対処方法１】この機器の IPv6 通信の機能を「有効」から「無効」に設定変更してください。\
             設定方法は機器のメーカーにご確認ください。無効にすれば、同じ光回線のまま使えます。",
            "Remedy 1: disable IPv6 on this device (change its IPv6 function from enabled to \
             disabled). Ask the device's maker how. Once disabled, it can stay on the same line.",
        ),
        "separate_line" => (
            "【対処方法２】この機器は IPv6 を無効にできないため、オンライン資格確認と同じ光回線では\
             使えません。別の光回線（または別のインターネットサービス）につなぎ替えてください。",
            "Remedy 2: this device cannot have IPv6 disabled, so it cannot share the eligibility \
             line. Move it to a separate fibre line (or another internet service).",
        ),
        "unknown" => (
            "IPv6 を無効にできるかどうか分からない機器です。メーカーに確認し、無効にできれば\
             【対処方法１】（IPv6 を無効にする）、できなければ【対処方法２】（別の光回線に移す）を\
             行ってください。",
            "Whether this device can have IPv6 disabled is not known. Ask its maker: if it can, \
             apply remedy 1 (disable IPv6); if not, remedy 2 (move it to a separate line).",
        ),
        _ => ("対処は不要です。", "No action needed."),
    }
}

/// Plain-words text of an effect on the terminal.
pub(crate) fn effect_words(e: Effect, lang: Lang) -> &'static str {
    match (e, lang) {
        (Effect::SlaacAddress, Lang::Ja) => "端末に余計な IPv6 アドレスを配ります",
        (Effect::SlaacAddress, Lang::En) => "gives the terminal an extra IPv6 address",
        (Effect::Dhcpv6Address, Lang::Ja) => "DHCPv6 で端末に IPv6 アドレスを割り当てます",
        (Effect::Dhcpv6Address, Lang::En) => "assigns the terminal an IPv6 address over DHCPv6",
        (Effect::DefaultRoute, Lang::Ja) => {
            "端末の通信の出口（デフォルトルート）を自分に向けさせます"
        }
        (Effect::DefaultRoute, Lang::En) => "makes itself the terminal's default router",
        (Effect::Route, Lang::Ja) => "端末に余計な経路を追加します",
        (Effect::Route, Lang::En) => "adds routes to the terminal",
        (Effect::Dns, Lang::Ja) => "端末の DNS サーバー（名前の問い合わせ先）を変えます",
        (Effect::Dns, Lang::En) => "changes the terminal's DNS servers or search domains",
        (Effect::Dhcpv6Trigger, Lang::Ja) => "端末に DHCPv6 で設定を取りに行かせます",
        (Effect::Dhcpv6Trigger, Lang::En) => "makes the terminal ask for DHCPv6 configuration",
        (Effect::PrefixDelegation, Lang::Ja) => {
            "DHCPv6 でプレフィックスを委任します（つながったルーターが IPv6 を配り始めます）"
        }
        (Effect::PrefixDelegation, Lang::En) => {
            "delegates prefixes over DHCPv6 (routers behind it start handing out IPv6)"
        }
        (Effect::DuplicatePrefix, Lang::Ja) => {
            "上流ルーターと同じプレフィックスを中継して配っています（ND プロキシ）"
        }
        (Effect::DuplicatePrefix, Lang::En) => {
            "relays the upstream router's prefix (ND proxy): the terminal sees two routers for it"
        }
        (Effect::DeprecatesPrefix, Lang::Ja) => {
            "上流ルーターのプレフィックスを「使用中止」と告げ、端末の正しいアドレスを使えなくします"
        }
        (Effect::DeprecatesPrefix, Lang::En) => {
            "tells the terminal to stop using the upstream router's prefix"
        }
        (Effect::HiddenRa, Lang::Ja) => {
            "拡張ヘッダー、断片化（重なり合う断片を含む）やトンネルで RA を隠して送っています（RA ガードをすり抜ける手口）"
        }
        (Effect::HiddenRa, Lang::En) => {
            "hides its RAs behind extension headers, in fragments (overlapping ones included) or in tunnels (a way around RA Guard)"
        }
        (Effect::Flood, Lang::Ja) => "RA を大量に送りつけています",
        (Effect::Flood, Lang::En) => "floods the link with RAs",
    }
}

/// The name of a severity in a report.
pub(crate) fn severity_words(s: Severity, lang: Lang) -> &'static str {
    match (s, lang) {
        (Severity::Critical, Lang::Ja) => "危険",
        (Severity::Warning, Lang::Ja) => "注意",
        (Severity::Info, Lang::Ja) => "影響なし",
        (Severity::Critical, Lang::En) => "CRITICAL",
        (Severity::Warning, Lang::En) => "WARNING",
        (Severity::Info, Lang::En) => "no effect",
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Feeds the project's real captures to a detector.

    use crate::capture::file::{Link, link, read_file};
    use crate::detect::{Config, Detector, Event, HostObservation, Timestamp};
    use crate::oui::Registry;
    use crate::rules::Rules;
    use std::path::PathBuf;
    use std::sync::Arc;

    /// A capture fed to a detector, with the events it raised and its time span.
    pub struct Fed {
        pub detector: Detector,
        pub events: Vec<Event>,
        pub first: Timestamp,
        pub last: Timestamp,
    }

    pub fn capture(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/captures")
            .join(name)
    }

    pub fn detector(config: Config) -> Detector {
        Detector::new(
            config,
            Arc::new(Rules::embedded().clone()),
            Arc::new(Registry::embedded().clone()),
        )
    }

    /// Feeds every file, in order, to one detector; then an optional host observation.
    pub fn feed_with(names: &[&str], config: Config, host: Option<HostObservation>) -> Fed {
        feed_into(detector(config), names, host)
    }

    /// Feeds every file, in order, to `detector`; then an optional host observation.
    pub fn feed_into(mut detector: Detector, names: &[&str], host: Option<HostObservation>) -> Fed {
        let mut events = Vec::new();
        let mut first = None;
        let mut last = Timestamp::default();
        for name in names {
            read_file(&capture(name), |r| {
                let t = Timestamp::from_micros(r.ts_micros);
                first.get_or_insert(t);
                last = last.max(t);
                match link(r.linktype, r.data) {
                    Link::Ethernet(frame) => detector.handle_frame(t, frame),
                    Link::Ipv6 { mac, packet } => {
                        detector.handle_packet(t, mac.unwrap_or_default(), packet)
                    }
                    Link::Other => {}
                }
                while let Some(e) = detector.poll_event() {
                    events.push(e);
                }
            })
            .unwrap();
        }
        if let Some(h) = host {
            detector.handle_host(last, h);
            while let Some(e) = detector.poll_event() {
                events.push(e);
            }
        }
        Fed {
            detector,
            events,
            first: first.unwrap_or_default(),
            last,
        }
    }

    pub fn feed(names: &[&str]) -> Fed {
        feed_with(names, Config::default(), None)
    }

    impl Fed {
        pub fn context<'r>(&self, rules: &'r Rules, names: &[&str]) -> super::Context<'r> {
            super::Context {
                interface: None,
                started: self.first,
                duration: self.last.since(self.first),
                probes: super::Probes::default(),
                inputs: names.iter().map(|n| (*n).to_owned()).collect(),
                rules,
            }
        }
    }
}

#[cfg(test)]
mod short_name_tests {
    use super::short_org_name;

    #[test]
    fn short_names() {
        assert_eq!(short_org_name("I-O DATA DEVICE,INC."), "I-O DATA");
        assert_eq!(short_org_name("BUFFALO.INC"), "BUFFALO");
        assert_eq!(short_org_name("Apple, Inc."), "Apple");
        assert_eq!(
            short_org_name("TP-LINK TECHNOLOGIES CO.,LTD."),
            "TP-LINK TECHNOLOGIES"
        );
        assert_eq!(short_org_name("NEC Platforms, Ltd."), "NEC Platforms");
        assert_eq!(short_org_name("Nest Labs Inc."), "Nest Labs");
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::feed;
    use super::*;

    #[test]
    fn lang_from_env() {
        assert_eq!(Lang::from_env_lang(Some("ja_JP.UTF-8")), Lang::Ja);
        assert_eq!(Lang::from_env_lang(Some("ja")), Lang::Ja);
        assert_eq!(Lang::from_env_lang(Some("en_US.UTF-8")), Lang::En);
        assert_eq!(Lang::from_env_lang(Some("C")), Lang::En);
        assert_eq!(Lang::from_env_lang(Some("")), Lang::En);
        assert_eq!(Lang::from_env_lang(Some("j")), Lang::En);
        assert_eq!(Lang::from_env_lang(None), Lang::En);
        assert_eq!("JA".parse::<Lang>(), Ok(Lang::Ja));
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert!("fr".parse::<Lang>().is_err());
    }

    #[test]
    fn times() {
        assert_eq!(
            rfc3339(Timestamp::from_micros(0)),
            "1970-01-01T00:00:00.000000Z"
        );
        assert_eq!(
            rfc3339(Timestamp::from_micros(1_795_969_910_123_456)),
            "2026-11-29T16:31:50.123456Z"
        );
        // Leap day, and the end of a leap year.
        assert_eq!(
            rfc3339(Timestamp::from_secs(951_782_400)),
            "2000-02-29T00:00:00.000000Z"
        );
        assert_eq!(
            rfc3339(Timestamp::from_secs(1_735_603_199)),
            "2024-12-30T23:59:59.000000Z"
        );
        assert_eq!(
            rfc3339(Timestamp::from_micros(-1)),
            "1970-01-01T00:00:00.000000Z"
        );
        assert_eq!(
            rfc3339(Timestamp::from_micros(i64::MAX)),
            "9999-12-31T23:59:59.999999Z"
        );
        // JST is UTC+9.
        let c = civil(Timestamp::from_secs(1_795_969_910), 9 * 3600);
        assert_eq!((c.year, c.month, c.day, c.hour), (2026, 11, 30, 1));
    }

    #[test]
    fn remedy_fallback() {
        let rules = Rules::embedded();
        for code in ["disable_ipv6", "separate_line", "unknown", "none"] {
            let (ja, en) = builtin_remedy(code);
            assert!(!ja.is_empty() && !en.is_empty());
        }
        let (ja, en) = remedy_texts(Some(rules), RemedyCode::DisableIpv6);
        assert!(ja.contains("対処方法１"), "{ja}");
        assert!(en.contains("Remedy 1"), "{en}");
        let (ja, en) = remedy_texts(None, RemedyCode::SeparateLine);
        assert!(ja.contains("対処方法２"), "{ja}");
        assert!(en.starts_with("Remedy 2"), "{en}");
        let (ja, en) = contact_texts(rules);
        assert!(ja.contains("0800-080-4583") && en.contains("0800-080-4583"));
        // An empty rule text falls back to the built-in wording.
        let empty = Rules::default();
        let (ja, _) = remedy_texts(Some(&empty), RemedyCode::SeparateLine);
        assert!(ja.contains("対処方法２"), "{ja}");
        let (ja, _) = contact_texts(&empty);
        assert!(ja.contains("0800-080-4583"), "{ja}");
    }

    #[test]
    fn status_buffalo() {
        let fed = feed(&["radvd-buffalo.pcap"]);
        let snap = fed.detector.snapshot(fed.last);
        assert_eq!(
            status_line(&snap),
            "CRITICAL - 1 device hands out IPv6: 10:6f:3f:12:34:56 (BUFFALO) \
             | routers=1 dhcpv6_servers=0 unexpected=1"
        );
    }

    #[test]
    fn status_two_devices() {
        let fed = feed(&["radvd-buffalo.pcap", "radvd-apple-thread.pcap"]);
        let snap = fed.detector.snapshot(fed.last);
        assert_eq!(
            status_line(&snap),
            "CRITICAL - 2 devices hand out IPv6: 10:6f:3f:12:34:56 (BUFFALO), \
             f0:18:98:aa:bb:01 (Apple) | routers=2 dhcpv6_servers=0 unexpected=2"
        );
    }

    #[test]
    fn status_randomized() {
        let fed = feed(&["radvd-randomized-thread.pcap"]);
        let snap = fed.detector.snapshot(fed.last);
        let line = status_line(&snap);
        assert!(
            line.starts_with(
                "CRITICAL - 1 device hands out IPv6: 7a:11:22:33:44:55 (randomized MAC) |"
            ),
            "{line}"
        );
    }

    #[test]
    fn status_expected_upstream_is_ok() {
        let fed = feed(&["radvd-ntt-nec.pcap"]);
        let snap = fed.detector.snapshot(fed.last);
        let line = status_line(&snap);
        assert!(line.starts_with("OK - no unexpected IPv6 configuration source; expected upstream: 00:3a:9d:11:22:33 ("), "{line}");
        assert!(
            line.ends_with(" | routers=1 dhcpv6_servers=0 unexpected=0"),
            "{line}"
        );
    }

    #[test]
    fn status_upstream_and_offender() {
        let fed = feed(&["radvd-ntt-nec.pcap", "radvd-buffalo.pcap"]);
        let snap = fed.detector.snapshot(fed.last);
        assert_eq!(
            status_line(&snap),
            "CRITICAL - 1 device hands out IPv6: 10:6f:3f:12:34:56 (BUFFALO) \
             | routers=2 dhcpv6_servers=0 unexpected=1"
        );
    }

    #[test]
    fn status_flood() {
        let fed = feed(&["thc-flood_router26.pcap"]);
        let snap = fed.detector.snapshot(fed.last);
        let line = status_line(&snap);
        let flood = snap.flood.unwrap();
        assert!(
            line.starts_with(&format!(
                "CRITICAL - RA flood: {} new sources within 10 s ({} kept); ",
                flood.new_sources, flood.kept
            )),
            "{line}"
        );
        assert!(line.contains(" and 11 more |"), "{line}");
        assert!(
            line.ends_with(&format!("flood_new_sources={}", flood.new_sources)),
            "{line}"
        );
        assert_eq!(line.lines().count(), 1);
    }

    #[test]
    fn status_empty() {
        let d = super::testutil::detector(Default::default());
        let snap = d.snapshot(Timestamp::from_secs(1));
        assert_eq!(
            status_line(&snap),
            "OK - no device hands out IPv6 | routers=0 dhcpv6_servers=0 unexpected=0"
        );
    }
}
