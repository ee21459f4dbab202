//! The human report, in Japanese or English, for a clinic's staff and the installer:
//! the verdict and what it means for the card reader, one block per device (what it is,
//! what it does to the terminal, what it hands out now, why we think so, what to do),
//! the expected upstream, a flood, this machine's own IPv6 state, the contact line, and
//! as the last line the English [`status_line`](super::status_line()).
//!
//! Lines are wrapped at [`WIDTH`] display columns (a Japanese character counts two).
//! Japanese reports give times in Japan Standard Time (UTC+9, no daylight saving);
//! English ones in UTC.

use super::json::{evidence_en, origin, prefix_is_current};
use super::{
    Context, Lang, contact_texts, effect_words, remedy_texts, severity_words, short_vendor,
    status_line,
};
use crate::detect::source::{Evidence, Source};
use crate::detect::{
    AddressOrigin, Effect, Finding, Fingerprint, FloodSummary, HostView, Lifetime, Role, Snapshot,
    Timestamp, Verdict,
};
use crate::wire::Mac;
use core::fmt::Write as _;

/// Lines are wrapped to this many display columns.
pub const WIDTH: usize = 96;
/// Device blocks shown in full; the next ones get a line each, the rest are counted (the
/// JSON has them all).
const MAX_BLOCKS: usize = 20;
/// Device blocks shown in full during a flood, when most senders are forged.
const MAX_BLOCKS_IN_FLOOD: usize = 3;
/// One-line device summaries after the full blocks.
const MAX_SUMMARY_LINES: usize = 30;
/// Entries of one kind (prefixes, routes, DNS servers…) shown per device.
const MAX_ENTRIES: usize = 8;
/// Confirmed models named per offender.
const MAX_MODELS: usize = 6;

/// The text report for `snapshot` in `lang`; its last line is the status line (English
/// in both languages). Ends with a newline.
pub fn report_text(snapshot: &Snapshot<'_>, ctx: &Context<'_>, lang: Lang) -> String {
    let mut out = Out::new(lang);
    let unexpected: Vec<&Finding<'_>> = snapshot.findings.iter().filter(|f| !f.expected).collect();
    let expected: Vec<&Finding<'_>> = snapshot.findings.iter().filter(|f| f.expected).collect();
    let problems = unexpected
        .iter()
        .filter(|f| f.severity > crate::detect::Severity::Info)
        .count();

    header(&mut out, snapshot, ctx, problems, expected.len());
    conditions(&mut out, snapshot, ctx);
    if let Some(flood) = &snapshot.flood {
        out.blank();
        flood_block(&mut out, flood);
    }

    if !unexpected.is_empty() {
        out.blank();
        out.line(
            0,
            &match lang {
                Lang::Ja => format!("■ 想定外の機器（{} 台）", unexpected.len()),
                Lang::En => format!(
                    "■ Devices other than the expected upstream ({})",
                    unexpected.len()
                ),
            },
        );
        // In a flood most senders are forged: a few full blocks, then one line each.
        let full = if snapshot.flood.is_some() {
            MAX_BLOCKS_IN_FLOOD
        } else {
            MAX_BLOCKS
        };
        for (i, f) in unexpected.iter().take(full).enumerate() {
            out.blank();
            device(&mut out, f, i + 1, snapshot.now, ctx);
        }
        if unexpected.len() > full {
            out.blank();
            out.line(
                0,
                out.pick("■ ほかの想定外の機器（概要）", "■ More devices (summary)"),
            );
            for f in unexpected.iter().skip(full).take(MAX_SUMMARY_LINES) {
                summary_line(&mut out, f);
            }
            let shown = full + MAX_SUMMARY_LINES;
            if unexpected.len() > shown {
                let more = unexpected.len() - shown;
                out.line(
                    2,
                    &match lang {
                        Lang::Ja => format!(
                            "ほか {more} 台（すべての機器は --format json の出力で確認できます）"
                        ),
                        Lang::En => format!(
                            "… and {more} more (run with --format json to see every device)"
                        ),
                    },
                );
            }
        }
    }

    if !expected.is_empty() {
        out.blank();
        out.line(
            0,
            out.pick("■ 想定どおりの上流ルーター", "■ Expected upstream router"),
        );
        for f in &expected {
            upstream(&mut out, f, snapshot.now);
        }
    }

    if let Some(host) = &snapshot.host {
        out.blank();
        host_block(&mut out, host, snapshot);
    }

    if snapshot.verdict != Verdict::Ok {
        out.blank();
        let (ja, en) = contact_texts(ctx.rules);
        out.line(0, out.pick("■ お問い合わせ", "■ Where to ask"));
        out.para(2, out.pick(&ja, &en));
    }

    out.blank();
    out.buf.push_str(&status_line(snapshot));
    out.buf.push('\n');
    out.buf
}

fn header(
    out: &mut Out,
    snapshot: &Snapshot<'_>,
    ctx: &Context<'_>,
    problems: usize,
    expected: usize,
) {
    let lang = out.lang;
    out.line(
        0,
        out.pick(
            "v6sentinel — IPv6 を配る機器の調査結果",
            "v6sentinel — devices handing out IPv6 on this line",
        ),
    );
    out.blank();
    let n = problems;
    let (verdict, explain) = match (snapshot.verdict, lang) {
        (Verdict::Critical, Lang::Ja) => (
            "判定: 危険 — カードリーダーに「ネットワークエラー011」が出るおそれがあります"
                .to_owned(),
            format!(
                "{}資格確認端末が想定外の機器から IPv6 のアドレスや経路を受け取ると、\
                 オンライン資格確認につながらない、または通信が不安定になります。\
                 下の機器ごとの「対処」を行ってください。",
                if n > 0 {
                    format!(
                        "この回線で、IPv6 の設定（アドレス・経路・DNS）を配っている想定外の機器が \
                         {n} 台見つかりました。"
                    )
                } else {
                    "この回線で、RA（IPv6 の設定を配るメッセージ）が大量に送られています。"
                        .to_owned()
                }
            ),
        ),
        (Verdict::Critical, Lang::En) => (
            "Verdict: CRITICAL — the card reader is likely to show \"network error 011\""
                .to_owned(),
            format!(
                "{}When the eligibility terminal takes an IPv6 address or route from them, it \
                 cannot reach the eligibility system, or its connection becomes unstable. Apply \
                 the remedy given for each device below.",
                if n > 0 {
                    format!(
                        "{n} {} other than the expected upstream {} IPv6 configuration \
                         (addresses, routes, DNS) on this line. ",
                        if n == 1 { "device" } else { "devices" },
                        if n == 1 { "hands out" } else { "hand out" }
                    )
                } else {
                    "Router Advertisements are flooding this line. ".to_owned()
                }
            ),
        ),
        (Verdict::Warning, Lang::Ja) => (
            "判定: 注意 — 資格確認端末の DNS や経路が書き換えられるおそれがあります".to_owned(),
            format!(
                "IPv6 アドレスを配る機器はありませんが、端末の DNS サーバーや経路などを変える\
                 想定外の機器が {n} 台あります。「ネットワークエラー011」の原因になることがあるため、\
                 下の「対処」を行うことをおすすめします。"
            ),
        ),
        (Verdict::Warning, Lang::En) => (
            "Verdict: WARNING — the terminal's DNS or routes may be changed".to_owned(),
            format!(
                "No device hands the terminal an address, but {n} {} its DNS servers, routes \
                 or DHCPv6 behaviour. This can cause network error 011; applying the remedies \
                 below is recommended.",
                if n == 1 {
                    "device other than the expected upstream changes"
                } else {
                    "devices other than the expected upstream change"
                }
            ),
        ),
        (Verdict::Ok, Lang::Ja) => (
            "判定: 問題なし — IPv6 を配る想定外の機器は見つかりませんでした".to_owned(),
            format!(
                "カードリーダーの「ネットワークエラー011」の原因になる機器は、この調査では\
                 見つかりませんでした。{}",
                quiet_note(snapshot, ctx, expected, Lang::Ja)
            ),
        ),
        (Verdict::Ok, Lang::En) => (
            "Verdict: OK — no unexpected device hands out IPv6".to_owned(),
            format!(
                "Nothing that would cause the card reader's network error 011 was found. {}",
                quiet_note(snapshot, ctx, expected, Lang::En)
            ),
        ),
    };
    out.line(0, &verdict);
    out.para(2, &explain);
}

/// What an OK verdict rests on: the upstream only, or silence.
pub(super) fn quiet_note(
    snapshot: &Snapshot<'_>,
    ctx: &Context<'_>,
    expected: usize,
    lang: Lang,
) -> String {
    let probed = ctx.probes.router_solicitation || ctx.probes.dhcpv6_solicit;
    let s = if !snapshot.findings.is_empty() {
        if expected > 0 {
            [
                "IPv6 を配っているのは想定どおりの上流ルーター（ホームゲートウェイなど）だけです。",
                "Only the expected upstream router (the home gateway) hands out IPv6.",
            ]
        } else {
            [
                "見つかった機器は、端末の設定を変えない内容しか送っていません。",
                "The devices seen send nothing that changes the terminal's configuration.",
            ]
        }
    } else if !ctx.inputs.is_empty() {
        [
            "ファイルの中に RA や DHCPv6 の応答はありませんでした。",
            "The capture holds no Router Advertisement and no DHCPv6 answer.",
        ]
    } else if probed {
        [
            "ルーター要請（RS）と DHCPv6 の問い合わせを送りましたが、どの機器からも IPv6 の設定は\
             返ってきませんでした。問い合わせに答えず RA を数分おきにしか送らない機器もあるため、\
             念のため時間を延ばす（--duration）か、watch で常時監視してください。",
            "A Router Solicitation and a DHCPv6 Solicit were sent, and no device answered with \
             IPv6 configuration. Some devices ignore solicitations and advertise only every few \
             minutes: to be sure, listen longer (--duration) or run `watch`.",
        ]
    } else {
        [
            "調査中に RA や DHCPv6 の応答は流れませんでした。RA を数分おきにしか送らない機器も\
             あるため、時間を延ばす（--duration）か、--passive を付けずにもう一度調べるか、\
             watch で常時監視すると確実です。",
            "No Router Advertisement or DHCPv6 answer was seen. Some devices advertise only every \
             few minutes: listen longer (--duration), scan without --passive, or run `watch` to \
             be sure.",
        ]
    };
    match lang {
        Lang::Ja => s[0].to_owned(),
        Lang::En => s[1].to_owned(),
    }
}

fn conditions(out: &mut Out, snapshot: &Snapshot<'_>, ctx: &Context<'_>) {
    let lang = out.lang;
    out.blank();
    out.line(0, out.pick("■ 調査の条件", "■ What was examined"));
    if let Some(ifname) = ctx.interface {
        out.line(
            2,
            &match lang {
                Lang::Ja => format!("インターフェース: {ifname}"),
                Lang::En => format!("Interface: {ifname}"),
            },
        );
    }
    let secs = ctx.duration.as_secs_f64();
    let start = when(ctx.started, lang);
    let analyzed = !ctx.inputs.is_empty();
    out.line(
        2,
        &match (analyzed, lang) {
            (false, Lang::Ja) => format!("調査: {start}から {secs:.1} 秒間"),
            (true, Lang::Ja) => format!("記録の期間: {start}から {secs:.1} 秒間"),
            (false, Lang::En) => format!("Listened: from {start}, for {secs:.1} s"),
            (true, Lang::En) => format!("Capture span: from {start}, {secs:.1} s"),
        },
    );
    if !analyzed {
        let p = ctx.probes;
        let probes = match (p.router_solicitation, p.dhcpv6_solicit, lang) {
            (true, true, Lang::Ja) => "ルーター要請（RS）と DHCPv6 の問い合わせ（Solicit）を送信",
            (true, false, Lang::Ja) => "ルーター要請（RS）を送信",
            (false, true, Lang::Ja) => "DHCPv6 の問い合わせ（Solicit）を送信",
            (false, false, Lang::Ja) => "送信なし（受信のみ）",
            (true, true, Lang::En) => "sent a Router Solicitation and a DHCPv6 Solicit",
            (true, false, Lang::En) => "sent a Router Solicitation",
            (false, true, Lang::En) => "sent a DHCPv6 Solicit",
            (false, false, Lang::En) => "none (listened only)",
        };
        out.line(
            2,
            &match lang {
                Lang::Ja => format!("問い合わせ: {probes}"),
                Lang::En => format!("Probes: {probes}"),
            },
        );
    }
    if !ctx.inputs.is_empty() {
        let files = ctx.inputs.join(", ");
        out.line(
            2,
            &match lang {
                Lang::Ja => format!("解析したファイル: {files}"),
                Lang::En => format!("Capture files: {files}"),
            },
        );
    }
    let st = &snapshot.stats;
    out.line(
        2,
        &match lang {
            Lang::Ja => format!(
                "受信: RA {} 件{}、DHCPv6 の応答 {} 件、全 {} フレーム",
                st.router_adverts,
                if st.invalid_router_adverts > 0 {
                    format!("（うち不正なもの {} 件）", st.invalid_router_adverts)
                } else {
                    String::new()
                },
                st.dhcpv6_server_messages,
                st.frames
            ),
            Lang::En => format!(
                "Received: {} Router Advertisements{}, {} DHCPv6 server messages ({} frames in all)",
                st.router_adverts,
                if st.invalid_router_adverts > 0 {
                    format!(" ({} invalid, ignored by hosts)", st.invalid_router_adverts)
                } else {
                    String::new()
                },
                st.dhcpv6_server_messages,
                st.frames
            ),
        },
    );
}

fn device(out: &mut Out, f: &Finding<'_>, n: usize, now: Timestamp, ctx: &Context<'_>) {
    let lang = out.lang;
    let s = f.source;
    out.line(
        0,
        &format!(
            "[{n}] {}: {} — {}",
            severity_words(f.severity, lang),
            s.mac,
            vendor_words(f, lang)
        ),
    );
    if let Some(o) = f.offender {
        // Models other than the product name itself ("Apple TV" for `Apple TV`).
        let named: Vec<&str> = o
            .models
            .iter()
            .map(String::as_str)
            .filter(|m| !m.eq_ignore_ascii_case(&o.name))
            .collect();
        let more = named.len() > MAX_MODELS;
        let mut models: Vec<&str> = named.into_iter().take(MAX_MODELS).collect();
        let line = if models.is_empty() {
            match lang {
                Lang::Ja => format!("機種の見当: {}（問題が確認されている製品です）", o.name),
                Lang::En => format!("Likely model: {} (a product known to cause this)", o.name),
            }
        } else {
            if more {
                models.push(out.pick("ほか", "…"));
            }
            match lang {
                Lang::Ja => format!(
                    "機種の見当: {}（確認済みの機種: {}）",
                    o.name,
                    models.join("、")
                ),
                Lang::En => format!(
                    "Likely model: {} (confirmed on {})",
                    o.name,
                    models.join(", ")
                ),
            }
        };
        out.line(4, &line);
    }
    if f.mac_randomized {
        out.line(
            4,
            out.pick(
                "MAC アドレス: 機器が自分で決めたランダムなもので、メーカーは分かりません\
                 （スマートフォン、タブレット、スマートスピーカーなどに多い）",
                "MAC address: randomized by the device itself, so its maker cannot be told \
                 (common on phones, tablets and smart speakers)",
            ),
        );
    }
    if let Some(fp) = f.fingerprint {
        out.line(
            4,
            &match lang {
                Lang::Ja => format!("動作の特徴: {}", fingerprint_words(fp, lang)),
                Lang::En => format!("Behaves like: {}", fingerprint_words(fp, lang)),
            },
        );
    }
    let roles: Vec<&str> = f
        .roles
        .iter()
        .map(|r| match (r, lang) {
            (Role::Router, Lang::Ja) => "ルーター（RA を送信）",
            (Role::Dhcpv6Server, Lang::Ja) => "DHCPv6 サーバー",
            (Role::Router, Lang::En) => "router (sends RAs)",
            (Role::Dhcpv6Server, Lang::En) => "DHCPv6 server",
        })
        .collect();
    if !roles.is_empty() {
        out.line(
            4,
            &match lang {
                Lang::Ja => format!("役割: {}", roles.join("・")),
                Lang::En => format!("Role: {}", roles.join(", ")),
            },
        );
    }
    if let Some(ll) = s.link_local {
        out.line(
            4,
            &match lang {
                Lang::Ja => format!("送信元アドレス: {ll}"),
                Lang::En => format!("Source address: {ll}"),
            },
        );
    }

    out.line(
        4,
        out.pick("端末への影響:", "What it does to the terminal:"),
    );
    if f.effects.is_empty() {
        out.item(
            6,
            out.pick(
                "端末の設定を変える内容は送っていません",
                "nothing that changes the terminal's configuration",
            ),
        );
    }
    for e in f.effects.iter() {
        out.item(6, effect_words(e, lang));
    }
    if !f.host_addresses.is_empty() {
        let list = join_addrs(f.host_addresses.iter());
        out.item(
            6,
            &match lang {
                Lang::Ja => {
                    format!("このパソコンはすでにこの機器からのアドレスを持っています: {list}")
                }
                Lang::En => format!("this machine already holds an address from it: {list}"),
            },
        );
    }

    let handed = handed_out(s, f.effects.contains(Effect::DeprecatesPrefix), now, lang);
    out.line(4, out.pick("いま配っている設定:", "What it hands out now:"));
    if handed.is_empty() {
        out.item(
            6,
            out.pick("（いま有効な設定はありません）", "(nothing current)"),
        );
    }
    for h in &handed {
        out.item(6, h);
    }

    if !s.evidence.is_empty() {
        out.line(4, out.pick("根拠・気づいた点:", "Evidence:"));
        for e in &s.evidence {
            out.item(6, &evidence_words(e, lang));
        }
    }

    if f.remedy.as_str() != "none" {
        let (ja, en) = remedy_texts(Some(ctx.rules), f.remedy);
        out.line(4, out.pick("対処:", "What to do:"));
        out.para(6, out.pick(&ja, &en));
    }

    out.line(
        4,
        &match lang {
            Lang::Ja => format!(
                "観測: {}、パケット {} 個",
                between(s.first_seen, s.last_seen, lang),
                s.packets
            ),
            Lang::En => format!(
                "Seen: {}, {} {}",
                between(s.first_seen, s.last_seen, lang),
                s.packets,
                if s.packets == 1 { "packet" } else { "packets" }
            ),
        },
    );
}

/// The current entries a source hands out, one line each (capped per kind).
pub(super) fn handed_out(s: &Source, deprecates: bool, now: Timestamp, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    let capped = |items: Vec<String>, out: &mut Vec<String>| {
        let total = items.len();
        out.extend(items.into_iter().take(MAX_ENTRIES));
        if total > MAX_ENTRIES {
            out.push(match lang {
                Lang::Ja => format!("ほか {} 件", total - MAX_ENTRIES),
                Lang::En => format!("… and {} more", total - MAX_ENTRIES),
            });
        }
    };
    if let Some(ra) = &s.ra {
        let life = ra.router_lifetime.seconds;
        let flag = |b: bool| if b { 1 } else { 0 };
        let pref = preference_words(ra.flags.preference().as_str(), lang);
        let mut head = match lang {
            Lang::Ja => format!(
                "RA: ルーター寿命 {}（{}）、M={}・O={}、優先度 {pref}",
                span(life, lang),
                if ra.router_lifetime.is_active(now) {
                    "端末の既定のルーターになります"
                } else {
                    "既定のルーターにはなりません"
                },
                flag(ra.flags.managed()),
                flag(ra.flags.other()),
            ),
            Lang::En => format!(
                "RA: router lifetime {} ({}), M={} O={}, preference {pref}",
                span(life, lang),
                if ra.router_lifetime.is_active(now) {
                    "becomes a default router"
                } else {
                    "not a default router"
                },
                flag(ra.flags.managed()),
                flag(ra.flags.other()),
            ),
        };
        let sep = lang_str(lang, "、", ", ");
        if let Some(mtu) = ra.mtu {
            let _ = write!(head, "{sep}MTU\u{a0}{mtu}");
        }
        if ra.flags.proxy() {
            let _ = write!(head, "{sep}P=1");
        }
        out.push(head);
        let prefixes = ra
            .prefixes
            .iter()
            .filter(|(_, e)| prefix_is_current(e, now, deprecates))
            .map(|(p, e)| {
                let slaac = e.flags.autonomous();
                match lang {
                    Lang::Ja => format!(
                        "プレフィックス {p}（アドレス自動生成{}、有効 {}・推奨 {}）",
                        if slaac { "あり" } else { "なし" },
                        span(e.valid.seconds, lang),
                        span(e.preferred.seconds, lang)
                    ),
                    Lang::En => format!(
                        "prefix {p} ({}, valid {}, preferred {})",
                        if slaac { "SLAAC" } else { "no SLAAC" },
                        span(e.valid.seconds, lang),
                        span(e.preferred.seconds, lang)
                    ),
                }
            })
            .collect();
        capped(prefixes, &mut out);
        let routes = ra
            .routes
            .iter()
            .filter(|(_, r)| r.lifetime.is_active(now))
            .map(|(p, r)| {
                let pref = preference_words(r.preference.as_str(), lang);
                match lang {
                    Lang::Ja => format!(
                        "経路 {p}（優先度 {pref}、有効 {}）",
                        span(r.lifetime.seconds, lang)
                    ),
                    Lang::En => format!(
                        "route {p} (preference {pref}, lifetime {})",
                        span(r.lifetime.seconds, lang)
                    ),
                }
            })
            .collect();
        capped(routes, &mut out);
        capped(
            labelled(&ra.rdnss, now, lang, ("DNS サーバー", "DNS server")),
            &mut out,
        );
        let domains = labelled(
            &ra.dnssl,
            now,
            lang,
            ("DNS 検索ドメイン", "DNS search domain"),
        );
        capped(domains, &mut out);
        if let Some((p, l)) = ra.pref64.as_ref().filter(|(_, l)| l.is_active(now)) {
            out.push(match lang {
                Lang::Ja => format!("NAT64 プレフィックス {p}（有効 {}）", span(l.seconds, lang)),
                Lang::En => format!("NAT64 prefix {p} (lifetime {})", span(l.seconds, lang)),
            });
        }
        if let Some(uri) = &ra.captive_portal {
            out.push(match lang {
                Lang::Ja => format!("キャプティブポータル {uri}"),
                Lang::En => format!("captive portal {uri}"),
            });
        }
    }
    if let Some(d) = &s.dhcp {
        let addrs = d
            .addresses
            .iter()
            .filter(|(_, (v, _))| v.is_active(now))
            .map(|(a, (v, _))| match lang {
                Lang::Ja => format!("DHCPv6 アドレス {a}（有効 {}）", span(v.seconds, lang)),
                Lang::En => format!("DHCPv6 address {a} (valid {})", span(v.seconds, lang)),
            })
            .collect();
        capped(addrs, &mut out);
        let prefixes = d
            .prefixes
            .iter()
            .filter(|(_, (v, _))| v.is_active(now))
            .map(|(p, (v, _))| match lang {
                Lang::Ja => format!(
                    "DHCPv6 委任プレフィックス {p}（有効 {}）",
                    span(v.seconds, lang)
                ),
                Lang::En => format!(
                    "DHCPv6 delegated prefix {p} (valid {})",
                    span(v.seconds, lang)
                ),
            })
            .collect();
        capped(prefixes, &mut out);
        let dns = labelled(
            &d.dns,
            now,
            lang,
            ("DHCPv6 の DNS サーバー", "DHCPv6 DNS server"),
        );
        capped(dns, &mut out);
        let domains = labelled(
            &d.domains,
            now,
            lang,
            ("DHCPv6 の DNS 検索ドメイン", "DHCPv6 DNS search domain"),
        );
        capped(domains, &mut out);
    }
    out
}

/// One line per current entry of `map`: the label in `lang` (Japanese, English), then
/// the entry.
fn labelled<K: core::fmt::Display>(
    map: &std::collections::BTreeMap<K, Lifetime>,
    now: Timestamp,
    lang: Lang,
    (ja, en): (&str, &str),
) -> Vec<String> {
    let label = match lang {
        Lang::Ja => ja,
        Lang::En => en,
    };
    active(map, now).map(|k| format!("{label} {k}")).collect()
}

fn active<K: core::fmt::Display>(
    map: &std::collections::BTreeMap<K, Lifetime>,
    now: Timestamp,
) -> impl Iterator<Item = &K> {
    map.iter()
        .filter(move |(_, l)| l.is_active(now))
        .map(|(k, _)| k)
}

/// One line for a device: MAC, short vendor, severity, effects in a word or two each.
fn summary_line(out: &mut Out, f: &Finding<'_>) {
    let lang = out.lang;
    let effects: Vec<&str> = f.effects.iter().map(|e| effect_short(e, lang)).collect();
    let effects = if effects.is_empty() {
        lang_str(lang, "影響なし", "no effect").to_owned()
    } else {
        effects.join(lang_str(lang, "・", ", "))
    };
    let vendor = match (f.mac_randomized, lang) {
        (true, Lang::Ja) => "ランダム MAC".to_owned(),
        _ => short_vendor(f),
    };
    out.item(
        2,
        &match lang {
            Lang::Ja => format!(
                "{}（{vendor}）{}: {effects}",
                f.source.mac,
                severity_words(f.severity, lang)
            ),
            Lang::En => format!(
                "{} ({vendor}) {}: {effects}",
                f.source.mac,
                severity_words(f.severity, lang)
            ),
        },
    );
}

pub(super) fn effect_short(e: Effect, lang: Lang) -> &'static str {
    match (e, lang) {
        (Effect::SlaacAddress, Lang::Ja) => "アドレス配布",
        (Effect::Dhcpv6Address, Lang::Ja) => "DHCPv6 アドレス",
        (Effect::DefaultRoute, Lang::Ja) => "デフォルトルート",
        (Effect::Route, Lang::Ja) => "経路",
        (Effect::Dns, Lang::Ja) => "DNS",
        (Effect::Dhcpv6Trigger, Lang::Ja) => "DHCPv6 誘導",
        (Effect::PrefixDelegation, Lang::Ja) => "プレフィックス委任",
        (Effect::DuplicatePrefix, Lang::Ja) => "プレフィックス重複",
        (Effect::DeprecatesPrefix, Lang::Ja) => "プレフィックス無効化",
        (Effect::HiddenRa, Lang::Ja) => "隠れた RA",
        (Effect::Flood, Lang::Ja) => "フラッド",
        (Effect::SlaacAddress, Lang::En) => "address",
        (Effect::Dhcpv6Address, Lang::En) => "DHCPv6 address",
        (Effect::DefaultRoute, Lang::En) => "default route",
        (Effect::Route, Lang::En) => "routes",
        (Effect::Dns, Lang::En) => "DNS",
        (Effect::Dhcpv6Trigger, Lang::En) => "DHCPv6 trigger",
        (Effect::PrefixDelegation, Lang::En) => "prefix delegation",
        (Effect::DuplicatePrefix, Lang::En) => "duplicate prefix",
        (Effect::DeprecatesPrefix, Lang::En) => "deprecates prefix",
        (Effect::HiddenRa, Lang::En) => "hidden RA",
        (Effect::Flood, Lang::En) => "flood",
    }
}

fn upstream(out: &mut Out, f: &Finding<'_>, now: Timestamp) {
    let lang = out.lang;
    let s = f.source;
    let mut line = format!("{} — {}", s.mac, vendor_words(f, lang));
    if let Some(ll) = s.link_local {
        let _ = match lang {
            Lang::Ja => write!(line, "（{ll}）"),
            Lang::En => write!(line, " ({ll})"),
        };
    }
    out.line(2, &line);
    let prefixes: Vec<String> =
        s.ra.iter()
            .flat_map(|r| r.prefixes.iter())
            .filter(|(_, e)| e.valid.is_active(now))
            .map(|(p, _)| p.to_string())
            .collect();
    if !prefixes.is_empty() {
        out.line(
            4,
            &match lang {
                Lang::Ja => format!("プレフィックス: {}", prefixes.join("、")),
                Lang::En => format!("Prefixes: {}", prefixes.join(", ")),
            },
        );
    }
}

fn flood_block(out: &mut Out, flood: &FloodSummary) {
    let lang = out.lang;
    out.line(
        0,
        out.pick(
            "■ RA の大量送信（フラッド）",
            "■ Router Advertisement flood",
        ),
    );
    let state = match (flood.ended, lang) {
        (Some(t), Lang::Ja) => format!("{} に収まりました。", when(t, lang)),
        (None, Lang::Ja) => "調査の終わりにもまだ続いていました。".to_owned(),
        (Some(t), Lang::En) => format!("It ended at {}.", when(t, lang)),
        (None, Lang::En) => "It was still going on at the end.".to_owned(),
    };
    let text = match lang {
        Lang::Ja => format!(
            "{}から、{} 秒間に多数の新しい送信元から RA が届きました。記録したのは {} 台で、\
             それ以降の新しい送信元 {} 台分は数だけを数えています。{state}\
             攻撃ツールや故障した機器が疑われます。スイッチの RA ガードを有効にするなど、\
             ネットワークの管理者や導入業者にご相談ください。",
            when(flood.started, lang),
            flood.window_s,
            flood.kept,
            flood.new_sources
        ),
        Lang::En => format!(
            "From {}, Router Advertisements came from many new senders within {} s. {} sources \
             were kept; {} more new senders were only counted. {state} An attack tool or a \
             faulty device is likely: enable RA Guard on the switch, and ask the network's \
             administrator or installer.",
            when(flood.started, lang),
            flood.window_s,
            flood.kept,
            flood.new_sources
        ),
    };
    out.para(2, &text);
}

fn host_block(out: &mut Out, host: &HostView, snapshot: &Snapshot<'_>) {
    let lang = out.lang;
    out.line(
        0,
        out.pick(
            "■ このパソコンの IPv6 の状態",
            "■ This machine's IPv6 state",
        ),
    );
    // Where an item came from, on its own line under it.
    let from = |mac: Option<Mac>| -> String {
        let Some(mac) = mac else {
            return lang_str(lang, "配った機器: 不明", "from: unknown").to_owned();
        };
        match snapshot.findings.iter().find(|f| f.source.mac == mac) {
            Some(f) if f.expected => match lang {
                Lang::Ja => format!(
                    "配った機器: {mac}（{}）— 想定どおりの上流ルーター",
                    short_vendor(f)
                ),
                Lang::En => format!("from: {mac} ({}), the expected upstream", short_vendor(f)),
            },
            Some(f) => match lang {
                Lang::Ja => format!("配った機器: {mac}（{}）— 想定外の機器です", short_vendor(f)),
                Lang::En => format!(
                    "from: {mac} ({}), NOT the expected upstream",
                    short_vendor(f)
                ),
            },
            None => match lang {
                Lang::Ja => format!("配った機器: {mac}"),
                Lang::En => format!("from: {mac}"),
            },
        }
    };
    if host.addresses.is_empty() {
        out.item(
            2,
            lang_str(lang, "IPv6 アドレスはありません", "no IPv6 address"),
        );
    }
    for a in &host.addresses {
        let how = origin_words(a.item.origin, lang);
        out.item(
            2,
            &match lang {
                Lang::Ja => format!("アドレス {}/{}（{how}）", a.item.addr, a.item.prefix_len),
                Lang::En => format!("address {}/{} ({how})", a.item.addr, a.item.prefix_len),
            },
        );
        if a.item.origin != AddressOrigin::LinkLocal || a.source.is_some() {
            out.line(6, &from(a.source));
        }
    }
    for r in &host.default_routers {
        out.item(
            2,
            &match lang {
                Lang::Ja => format!("既定のルーター {}", r.item),
                Lang::En => format!("default router {}", r.item),
            },
        );
        out.line(6, &from(r.source));
    }
    for r in &host.routes {
        out.item(
            2,
            &match lang {
                Lang::Ja => format!("経路 {}（経由 {}）", r.item.0, r.item.1),
                Lang::En => format!("route {} via {}", r.item.0, r.item.1),
            },
        );
        out.line(6, &from(r.source));
    }
    for d in &host.dns {
        out.item(
            2,
            &match lang {
                Lang::Ja => format!("DNS サーバー {}", d.item),
                Lang::En => format!("DNS server {}", d.item),
            },
        );
        out.line(6, &from(d.source));
    }
    let unheard = host.addresses.iter().any(|a| {
        matches!(a.item.origin, AddressOrigin::Slaac | AddressOrigin::Dhcpv6) && a.source.is_none()
    }) || host.default_routers.iter().any(|r| r.source.is_none())
        || host.routes.iter().any(|r| r.source.is_none());
    if unheard {
        out.para(
            2,
            lang_str(
                lang,
                "「配った機器: 不明」の設定は、この調査のあいだに何も送ってこなかった機器から、\
                 それより前に配られたものです。RA を数分おきにしか送らない機器もあるため、\
                 時間を延ばす（--duration 600 など）か、watch で常時監視して送り主を確かめてください。",
                "The settings marked \"from: unknown\" were handed out before this scan by a \
                 device that sent nothing while it listened. Some devices advertise only every \
                 few minutes: listen longer (e.g. --duration 600) or run `watch` to find the \
                 sender.",
            ),
        );
    }
}

pub(super) fn origin_words(o: AddressOrigin, lang: Lang) -> &'static str {
    match (o, lang) {
        (AddressOrigin::LinkLocal, Lang::Ja) => "リンクローカル",
        (AddressOrigin::Slaac, Lang::Ja) => "RA から自動生成",
        (AddressOrigin::Dhcpv6, Lang::Ja) => "DHCPv6 で取得",
        (AddressOrigin::Manual, Lang::Ja) => "手動設定",
        (AddressOrigin::Other, Lang::Ja) => "その他",
        (o, Lang::En) => match o {
            AddressOrigin::Slaac => "SLAAC",
            AddressOrigin::Dhcpv6 => "DHCPv6",
            other => origin(other),
        },
    }
}

pub(super) fn vendor_words(f: &Finding<'_>, lang: Lang) -> String {
    match (&f.vendor, f.mac_randomized, lang) {
        (Some(v), _, _) => v.name.to_owned(),
        (None, true, Lang::Ja) => "ランダム化された MAC アドレス（メーカー不明）".to_owned(),
        (None, true, Lang::En) => "randomized MAC (vendor unknown)".to_owned(),
        (None, false, Lang::Ja) => "メーカー不明".to_owned(),
        (None, false, Lang::En) => "unknown vendor".to_owned(),
    }
}

pub(super) fn fingerprint_words(fp: Fingerprint, lang: Lang) -> &'static str {
    match (fp, lang) {
        (Fingerprint::ThreadBorderRouter, Lang::Ja) => {
            "Thread ボーダールーター（Apple TV・HomePod・Nest Hub・Echo などがなりやすい）"
        }
        (Fingerprint::ThreadBorderRouter, Lang::En) => {
            "a Thread border router (typically an Apple TV, HomePod, Nest Hub or Echo)"
        }
        (Fingerprint::NdProxy, Lang::Ja) => {
            "IPv6 ブリッジ／ND プロキシ動作のルーター（無線LANルーターなど）"
        }
        (Fingerprint::NdProxy, Lang::En) => {
            "a router in IPv6 bridge / ND-proxy mode (e.g. a Wi-Fi router's IPv6 pass-through)"
        }
        (Fingerprint::HomeRouter, Lang::Ja) => "IPv6 を配る家庭用ルーター（無線LANルーターなど）",
        (Fingerprint::HomeRouter, Lang::En) => {
            "a home router handing out IPv6 (e.g. a Wi-Fi router)"
        }
        (Fingerprint::Dhcpv6Server, Lang::Ja) => "DHCPv6 サーバー",
        (Fingerprint::Dhcpv6Server, Lang::En) => "a DHCPv6 server",
    }
}

fn preference_words(p: &str, lang: Lang) -> &str {
    match (p, lang) {
        ("high", Lang::Ja) => "高",
        ("medium", Lang::Ja) => "中",
        ("low", Lang::Ja) => "低",
        ("reserved", Lang::Ja) => "予約値（中として扱われます）",
        ("reserved", Lang::En) => "reserved (treated as medium)",
        (other, _) => other,
    }
}

pub(super) fn evidence_words(e: &Evidence, lang: Lang) -> String {
    match lang {
        Lang::En => evidence_en(e),
        Lang::Ja => match e {
            Evidence::SllaMismatch(m) => {
                format!("RA に書かれた送信元 MAC（{m}）が実際の送信元と違います（中継または偽装）")
            }
            Evidence::Eui64Mismatch(m) => {
                format!("リンクローカルアドレスに別の MAC（{m}）が埋め込まれています")
            }
            Evidence::DuidMismatch(m) => format!(
                "DHCPv6 サーバーの DUID に別の MAC（{m}）が入っています（同じ機器の別のポートのことが多い）"
            ),
            Evidence::BehindExtensionHeaders => {
                "RA や DHCPv6 を IPv6 拡張ヘッダーの後ろに隠して送っています（RA ガード回避）"
                    .to_owned()
            }
            Evidence::Fragmented => {
                "RA や DHCPv6 を断片化して送っています（RA ガード回避）".to_owned()
            }
            Evidence::OverlappingFragments => {
                "内容の食い違う重なり合った断片を送っています（RA ガード回避）。RFC 5722 に従う端末は破棄しますが、古い実装は重なった部分を最初または最後の断片の内容で組み立てます（どちらの読み方でも RA なら数えています）".to_owned()
            }
            Evidence::Tunnelled => {
                "RA を IPv6-in-IPv6 パケットに入れて送っています（RA ガード回避）。そのトンネルの終端でない端末には適用されないため、設定としては数えていません".to_owned()
            }
            Evidence::InvalidRa(why) => {
                format!("端末が無視する不正な RA を送っています: {why}")
            }
            Evidence::Malformed(what) => format!("壊れたパケットを送っています: {what}"),
        },
    }
}

fn join_addrs<'a, T: core::fmt::Display + 'a>(items: impl Iterator<Item = &'a T>) -> String {
    items
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A lifetime in words: `1日4時間` / `1 d 4 h`, `無期限` / `infinite`.
pub(super) fn span(secs: u32, lang: Lang) -> String {
    if secs == Lifetime::INFINITE {
        return lang_str(lang, "無期限", "infinite").to_owned();
    }
    let units: [(u32, &str, &str); 4] = [
        (86_400, "日", " d"),
        (3600, "時間", " h"),
        (60, "分", " min"),
        (1, "秒", " s"),
    ];
    let mut rest = secs;
    let mut parts = Vec::new();
    for (size, ja, en) in units {
        let n = rest / size;
        rest %= size;
        if n > 0 && parts.len() < 2 {
            parts.push(match lang {
                Lang::Ja => format!("{n}{ja}"),
                Lang::En => format!("{n}{en}"),
            });
        } else if !parts.is_empty() {
            // Only two adjacent units: "1日4時間", never "1日5秒".
            break;
        }
    }
    if parts.is_empty() {
        return lang_str(lang, "0秒", "0 s").to_owned();
    }
    parts.join(lang_str(lang, "", " "))
}

/// A time for people: JST for Japanese, UTC for English, to the second.
pub(super) fn when(ts: Timestamp, lang: Lang) -> String {
    let (date, time) = date_time(ts, lang);
    zoned(format!("{date} {time}"), lang)
}

/// A span of time for people; the date once when both ends share it.
pub(super) fn between(from: Timestamp, to: Timestamp, lang: Lang) -> String {
    let (d1, t1) = date_time(from, lang);
    let (d2, t2) = date_time(to, lang);
    if (&d1, &t1) == (&d2, &t2) {
        return zoned(format!("{d1} {t1}"), lang);
    }
    let range = match (d1 == d2, lang) {
        (true, Lang::Ja) => format!("{d1} {t1} 〜 {t2}"),
        (true, Lang::En) => format!("{d1} {t1} to {t2}"),
        (false, Lang::Ja) => format!("{d1} {t1} 〜 {d2} {t2}"),
        (false, Lang::En) => format!("{d1} {t1} to {d2} {t2}"),
    };
    zoned(range, lang)
}

fn zoned(s: String, lang: Lang) -> String {
    match lang {
        Lang::Ja => format!("{s}（日本時間）"),
        Lang::En => format!("{s} UTC"),
    }
}

fn date_time(ts: Timestamp, lang: Lang) -> (String, String) {
    let c = super::civil(ts, if lang == Lang::Ja { 9 * 3600 } else { 0 });
    (
        format!("{:04}-{:02}-{:02}", c.year, c.month, c.day),
        format!("{:02}:{:02}:{:02}", c.hour, c.minute, c.second),
    )
}

fn lang_str<'s>(lang: Lang, ja: &'s str, en: &'s str) -> &'s str {
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}

/// The report being written.
struct Out {
    buf: String,
    lang: Lang,
}

impl Out {
    fn new(lang: Lang) -> Out {
        Out {
            buf: String::new(),
            lang,
        }
    }

    fn pick<'s>(&self, ja: &'s str, en: &'s str) -> &'s str {
        lang_str(self.lang, ja, en)
    }

    fn blank(&mut self) {
        if !self.buf.is_empty() && !self.buf.ends_with("\n\n") {
            self.buf.push('\n');
        }
    }

    /// A line at `indent`, wrapped; continuation lines indented two more.
    fn line(&mut self, indent: usize, text: &str) {
        for l in wrap(text, indent, indent + 2) {
            self.buf.push_str(&l);
            self.buf.push('\n');
        }
    }

    /// A paragraph (possibly several lines of its own) at `indent`, wrapped flush.
    fn para(&mut self, indent: usize, text: &str) {
        for p in text.lines().map(str::trim).filter(|p| !p.is_empty()) {
            for l in wrap(p, indent, indent) {
                self.buf.push_str(&l);
                self.buf.push('\n');
            }
        }
    }

    /// A bullet item at `indent`.
    fn item(&mut self, indent: usize, text: &str) {
        let bullet = self.pick("・", "- ");
        let hang = indent + width(bullet);
        let first = format!("{}{bullet}", " ".repeat(indent));
        for (i, l) in wrap(text, hang, hang).into_iter().enumerate() {
            if i == 0 {
                self.buf.push_str(&first);
                self.buf.push_str(l.trim_start());
            } else {
                self.buf.push_str(&l);
            }
            self.buf.push('\n');
        }
    }
}

/// Display columns of a character: two for East Asian wide and fullwidth ones.
pub(super) fn char_width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// Display columns of a string.
fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Characters that must not begin a line (kinsoku): closing brackets, punctuation, the
/// prolonged sound mark and small kana.
fn no_line_start(tok: &str) -> bool {
    tok.chars()
        .next()
        .is_some_and(|c| {
            "、。，．）」』】〕］｝〉》・ー！？：；,.)]}!?:;ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
                .contains(c)
        })
}

/// Characters that must not end a line: opening brackets.
fn no_line_end(tok: &str) -> bool {
    tok.chars()
        .last()
        .is_some_and(|c| "（「『【〔［｛〈《".contains(c))
}

/// Wraps `text` to [`WIDTH`] columns: the first line indented `first`, the others
/// `rest`. Breaks at spaces and between two wide characters, never inside a run that
/// mixes narrow and wide characters without a space (`1日12時間`, `MTU\u{a0}1500` with a
/// no-break space), nor between a number and the wide counter after it (`1 台`);
/// closing punctuation never begins a line and opening brackets never end one. A run
/// longer than a line is not broken.
fn wrap(text: &str, first: usize, rest: usize) -> Vec<String> {
    // Tokens between break opportunities, each with whether a space came before it.
    let mut tokens: Vec<(String, bool)> = Vec::new();
    let mut space = false;
    for c in text.chars() {
        if c == ' ' || c == '\t' {
            space = true;
            continue;
        }
        // A number and the wide counter after it stay together: `1 台`, `3.7 秒間`.
        if space && char_width(c) == 2 {
            if let Some((last, _)) = tokens.last_mut() {
                if last.ends_with(|p: char| p.is_ascii_digit()) {
                    last.push('\u{a0}');
                    last.push(c);
                    space = false;
                    continue;
                }
            }
        }
        let glue = |last: &str| {
            let Some(p) = last.chars().last() else {
                return false;
            };
            let (p_wide, c_wide) = (char_width(p) == 2, char_width(c) == 2);
            if no_line_end(last) || no_line_start(&c.to_string()) {
                true
            } else if p_wide && no_line_start(&p.to_string()) {
                // After wide closing punctuation (、。）) a line may break.
                false
            } else {
                !(p_wide && c_wide)
            }
        };
        match tokens.last_mut() {
            Some((last, _)) if !space && glue(last) => last.push(c),
            _ => tokens.push((c.to_string(), space)),
        }
        space = false;
    }

    let mut lines = Vec::new();
    let mut line = " ".repeat(first);
    let mut col = first;
    let mut empty = true;
    for (tok, space_before) in tokens {
        let w = width(&tok);
        let sep = usize::from(space_before && !empty);
        let fits = col + sep + w <= WIDTH;
        // Closing punctuation may hang two columns into the margin rather than start a line.
        let hangs = no_line_start(&tok) && col + sep + w <= WIDTH + 2;
        if empty || fits || hangs {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(&tok);
            col += sep + w;
            empty = false;
        } else {
            lines.push(core::mem::replace(&mut line, " ".repeat(rest)));
            line.push_str(&tok);
            col = rest + w;
        }
    }
    if !empty {
        lines.push(line);
    }
    lines
        .into_iter()
        .map(|l| l.replace('\u{a0}', " "))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{feed, feed_with};
    use super::*;
    use crate::detect::{Config, HostAddress, HostObservation};
    use crate::rules::Rules;

    fn render(names: &[&str], lang: Lang) -> String {
        let fed = feed(names);
        let snap = fed.detector.snapshot(fed.last);
        let rules = Rules::embedded();
        report_text(&snap, &fed.context(rules, names), lang)
    }

    fn check_shape(text: &str, status: &str) {
        assert!(text.ends_with('\n'));
        assert_eq!(
            text.lines().last(),
            Some(status),
            "the status line is the last line"
        );
        for l in text.lines() {
            if l == status {
                continue;
            }
            assert!(width(l) <= WIDTH + 2, "too long ({}): {l}", width(l));
            assert!(!l.ends_with(' '), "trailing space: {l:?}");
        }
    }

    #[test]
    fn buffalo_in_japanese() {
        let fed = feed(&["radvd-buffalo.pcap"]);
        let snap = fed.detector.snapshot(fed.last);
        let rules = Rules::embedded();
        let text = report_text(
            &snap,
            &fed.context(rules, &["radvd-buffalo.pcap"]),
            Lang::Ja,
        );
        check_shape(&text, &super::super::status_line(&snap));
        assert!(text.contains("判定: 危険"), "{text}");
        assert!(text.contains("ネットワークエラー011"), "{text}");
        assert!(text.contains("対処方法"), "{text}");
        assert!(text.contains("10:6f:3f:12:34:56 — BUFFALO.INC"), "{text}");
        assert!(
            text.contains("・端末に余計な IPv6 アドレスを配ります"),
            "{text}"
        );
        assert!(
            text.contains(
                "プレフィックス 2001:db8:1::/64（アドレス自動生成あり、有効 1日・推奨 4時間）"
            ),
            "{text}"
        );
        assert!(text.contains("0800-080-4583"), "{text}");
        assert!(
            text.contains("解析したファイル: radvd-buffalo.pcap"),
            "{text}"
        );
        assert!(text.contains("（日本時間）"), "{text}");
    }

    #[test]
    fn buffalo_in_english() {
        let fed = feed(&["radvd-buffalo.pcap"]);
        let snap = fed.detector.snapshot(fed.last);
        let rules = Rules::embedded();
        let text = report_text(
            &snap,
            &fed.context(rules, &["radvd-buffalo.pcap"]),
            Lang::En,
        );
        check_shape(&text, &super::super::status_line(&snap));
        assert!(text.contains("Verdict: CRITICAL"), "{text}");
        assert!(text.contains("network error 011"), "{text}");
        assert!(
            text.contains("- gives the terminal an extra IPv6 address"),
            "{text}"
        );
        assert!(text.contains("Remedy 1"), "{text}");
        assert!(!text.contains("日本"), "{text}");
    }

    #[test]
    fn thread_border_router() {
        let text = render(&["radvd-apple-thread.pcap"], Lang::Ja);
        assert!(
            text.contains("Thread ボーダールーター（Apple TV・HomePod・Nest Hub"),
            "{text}"
        );
        assert!(text.contains("対処方法２"), "{text}");
        let text = render(&["radvd-randomized-thread.pcap"], Lang::Ja);
        assert!(text.contains("ランダム化された MAC アドレス"), "{text}");
    }

    #[test]
    fn upstream_only_is_ok() {
        for lang in [Lang::Ja, Lang::En] {
            let fed = feed(&["radvd-ntt-nec.pcap"]);
            let snap = fed.detector.snapshot(fed.last);
            let rules = Rules::embedded();
            let text = report_text(&snap, &fed.context(rules, &["radvd-ntt-nec.pcap"]), lang);
            check_shape(&text, &super::super::status_line(&snap));
            assert!(
                text.contains(lang_str(lang, "判定: 問題なし", "Verdict: OK")),
                "{text}"
            );
            assert!(
                text.contains(lang_str(
                    lang,
                    "想定どおりの上流ルーター",
                    "Expected upstream router"
                )),
                "{text}"
            );
            assert!(
                !text.contains("0800-080-4583"),
                "no contact line when OK: {text}"
            );
        }
    }

    #[test]
    fn upstream_and_offender() {
        let text = render(&["radvd-ntt-nec.pcap", "radvd-buffalo.pcap"], Lang::Ja);
        let device = text.find("[1] 危険: 10:6f:3f:12:34:56").unwrap();
        let upstream = text.find("■ 想定どおりの上流ルーター").unwrap();
        assert!(device < upstream, "{text}");
        assert!(text.contains("  00:3a:9d:11:22:33 — "), "{text}");
    }

    #[test]
    fn flood_is_summarised() {
        for lang in [Lang::Ja, Lang::En] {
            let fed = feed(&["thc-flood_router26.pcap"]);
            let snap = fed.detector.snapshot(fed.last);
            let rules = Rules::embedded();
            let text = report_text(&snap, &fed.context(rules, &[]), lang);
            check_shape(&text, &super::super::status_line(&snap));
            assert!(
                text.contains(lang_str(
                    lang,
                    "■ RA の大量送信（フラッド）",
                    "■ Router Advertisement flood"
                )),
                "{text}"
            );
            // 25 prefixes per source are capped.
            assert!(
                text.contains(lang_str(lang, "ほか 17 件", "… and 17 more")),
                "{text}"
            );
        }
    }

    #[test]
    fn every_capture_renders() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/captures");
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".pcap") || n.ends_with(".pcapng"))
            .collect();
        names.sort();
        for name in &names {
            let fed = feed(&[name.as_str()]);
            let snap = fed.detector.snapshot(fed.last);
            let rules = Rules::embedded();
            for lang in [Lang::Ja, Lang::En] {
                let text = report_text(&snap, &fed.context(rules, &[name.as_str()]), lang);
                check_shape(&text, &super::super::status_line(&snap));
            }
        }
    }

    #[test]
    fn host_addresses_are_attributed() {
        let host = HostObservation {
            addresses: vec![
                HostAddress {
                    addr: "fe80::76:36ff:fe00:1".parse().unwrap(),
                    prefix_len: 64,
                    origin: AddressOrigin::LinkLocal,
                },
                HostAddress {
                    addr: "2001:db8:1:0:76:36ff:fe00:1".parse().unwrap(),
                    prefix_len: 64,
                    origin: AddressOrigin::Slaac,
                },
            ],
            default_routers: vec!["fe80::126f:3fff:fe12:3456".parse().unwrap()],
            routes: vec![],
            dns: vec!["2001:db8:1::1".parse().unwrap()],
        };
        let fed = feed_with(&["radvd-buffalo.pcap"], Config::default(), Some(host));
        let snap = fed.detector.snapshot(fed.last);
        let rules = Rules::embedded();
        let text = report_text(&snap, &fed.context(rules, &[]), Lang::Ja);
        check_shape(&text, &super::super::status_line(&snap));
        assert!(
            text.contains(
                "  ・アドレス 2001:db8:1:0:76:36ff:fe00:1/64（RA から自動生成）\n      \
                 配った機器: 10:6f:3f:12:34:56（BUFFALO）— 想定外の機器です\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("このパソコンはすでにこの機器からのアドレスを持っています"),
            "{text}"
        );
    }

    #[test]
    fn wrapping() {
        let long = "あ".repeat(60);
        let lines = wrap(&long, 2, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| width(l) <= WIDTH));
        // Closing punctuation never starts a line.
        let text = format!("{}。次の文", "い".repeat(47));
        let lines = wrap(&text, 0, 0);
        assert!(lines[0].ends_with('。'), "{lines:?}");
        let en = "word ".repeat(40);
        for l in wrap(en.trim(), 4, 6) {
            assert!(width(&l) <= WIDTH && !l.ends_with(' '), "{l:?}");
        }
        assert_eq!(wrap("a  b", 0, 0), vec!["a b"]);
        // A number keeps its counter; a small kana never starts a line.
        let text = format!("{}機器が 1 台あります", "う".repeat(44));
        let lines = wrap(&text, 0, 0);
        assert!(lines[1].starts_with("1 台"), "{lines:?}");
        let text = format!("{}フォーム", "え".repeat(47));
        let lines = wrap(&text, 0, 0);
        assert!(lines[1].starts_with("フォ"), "{lines:?}");
    }

    #[test]
    fn spans() {
        assert_eq!(span(86_400, Lang::Ja), "1日");
        assert_eq!(span(100_800, Lang::Ja), "1日4時間");
        assert_eq!(span(86_405, Lang::En), "1 d");
        assert_eq!(span(5400, Lang::En), "1 h 30 min");
        assert_eq!(span(0, Lang::En), "0 s");
        assert_eq!(span(u32::MAX, Lang::Ja), "無期限");
    }
}
