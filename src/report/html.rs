//! The printable installer's report (`--format html`): one self-contained HTML page that
//! an installer leaves with the clinic as the record of what was found on the day of the
//! work. Japanese first, English beside it; a CSS-only switch shows both, Japanese only
//! or English only (on screen and when printed).
//!
//! Top to bottom: the verdict in large type with its colour and one sentence on what it
//! means for the card reader (network error 011); a diagram of the segment (inline SVG:
//! the upstream router on top, the eligibility terminal at the bottom, every device that
//! hands out IPv6 beside the hub, arrows labelled with what each hands the terminal) —
//! together the first printed page; the flood, if one happened; a card per device (MAC,
//! vendor, model family guess, fingerprint, what it does, what it hands out, the remedy in
//! the seed's words and the contact line), then a table for the devices past the cards;
//! the expected upstream; the terminal's own IPv6 addresses and which device each came
//! from (or, for a capture, what the terminal would receive and from whom); what was
//! examined; the contact line; a sign-off block and the English status line.
//!
//! # Safety of the page
//! - Every string that comes from outside the program — vendor names from the registry
//!   or `--oui-file`, names and texts from the rule files, DNS names, captive-portal
//!   URIs, file and interface names — goes through [`escape`]. Numbers, addresses and
//!   MACs are formatted by the program but are escaped all the same.
//! - No script, no external reference: no `src`, `href` or `url(` anywhere, and a
//!   Content-Security-Policy meta tag ([`CONTENT_SECURITY_POLICY`]) so that the page
//!   cannot fetch or run anything even if a future change slipped one in.
//!
//! # The diagram
//! A spine layout, so that any number of devices fits without overlaps: the upstream
//! router on top, a vertical hub bar in the middle, the terminal below it, and the
//! devices in rows of two, one on each side of the hub, each with a horizontal arrow into
//! the hub labelled in Japanese above the arrow and English below it. At most
//! [`MAX_DIAGRAM_NODES`] boxes are drawn; past that, one box counts the rest. During a
//! flood, one box stands for the flood and only a few devices are drawn. Colours follow
//! the severity (OK green, 注意 amber, 危険 red, no effect grey, dashed) and every box
//! also says its severity in words.

use super::json::GENERATOR;
use super::text::{
    between, char_width, effect_short, evidence_words, fingerprint_words, handed_out, origin_words,
    quiet_note, vendor_words, when,
};
use super::{
    Context, Lang, contact_texts, effect_words, remedy_texts, severity_words, short_vendor,
    status_line,
};
use crate::detect::source::Source;
use crate::detect::{
    AddressOrigin, Effect, Effects, Finding, Fingerprint, FloodSummary, HostView, Role, Severity,
    Snapshot, Timestamp, Verdict,
};
use crate::rules::RemedyCode;
use crate::wire::Mac;
use core::fmt::Write as _;
use std::borrow::Cow;

/// The page's Content-Security-Policy: nothing may be fetched, framed, submitted or run;
/// only the inline style sheet and `data:` images are allowed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; \
     form-action 'none'";

/// Device cards shown in full; the next devices get a table row each.
const MAX_CARDS: usize = 20;
/// Device cards during a flood, when most senders are forged.
const MAX_CARDS_IN_FLOOD: usize = 3;
/// Table rows after the cards (the source cap keeps the detector far below this).
const MAX_TABLE_ROWS: usize = 500;
/// Boxes beside the hub in the diagram, the "more" and flood boxes included.
pub const MAX_DIAGRAM_NODES: usize = 12;
/// Device boxes in the diagram during a flood (beside the flood box and the "more" box).
const MAX_DIAGRAM_DEVICES_IN_FLOOD: usize = 3;
/// Confirmed models named per offender.
const MAX_MODELS: usize = 6;
/// Entries of one kind per device in the table of what the terminal would receive.
const MAX_PREDICTED: usize = 4;

/// `s` with the characters that mean something in HTML text or attribute values (`&`,
/// `<`, `>`, `"`, `'`) replaced by character references, and control characters (other
/// than tab and line feed), which HTML forbids, replaced by U+FFFD. Safe for element
/// content and for quoted attribute values, in HTML and in inline SVG.
pub fn escape(s: &str) -> Cow<'_, str> {
    let special = |c: char| {
        matches!(c, '&' | '<' | '>' | '"' | '\'') || (c.is_control() && c != '\n' && c != '\t')
    };
    if !s.contains(special) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if special(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The HTML report for `snapshot`: a complete page (`<!DOCTYPE html>` … `</html>`),
/// with its style sheet and diagram inline and no reference to anything outside it.
pub fn report_html(snapshot: &Snapshot<'_>, ctx: &Context<'_>) -> String {
    let unexpected: Vec<&Finding<'_>> = snapshot.findings.iter().filter(|f| !f.expected).collect();
    let expected: Vec<&Finding<'_>> = snapshot.findings.iter().filter(|f| f.expected).collect();
    let mut out = String::with_capacity(64 * 1024);
    head(&mut out, snapshot);
    out.push_str(
        "<body>\n\
         <input class=\"lang-radio\" type=\"radio\" name=\"lang\" id=\"v-both\" checked>\n\
         <input class=\"lang-radio\" type=\"radio\" name=\"lang\" id=\"v-ja\">\n\
         <input class=\"lang-radio\" type=\"radio\" name=\"lang\" id=\"v-en\">\n\
         <div class=\"page\">\n\
         <nav class=\"langbar\" aria-label=\"表示言語 / Language\"><span>表示 / View:</span>\
         <label for=\"v-both\">日本語＋English</label><label for=\"v-ja\">日本語のみ</label>\
         <label for=\"v-en\" lang=\"en\">English only</label></nav>\n",
    );
    verdict_header(&mut out, snapshot, ctx, &unexpected, expected.len());
    diagram_section(&mut out, snapshot, &unexpected, &expected);
    if let Some(flood) = &snapshot.flood {
        flood_section(&mut out, flood);
    }
    devices_section(&mut out, snapshot, ctx, &unexpected);
    if !expected.is_empty() {
        section_start(
            &mut out,
            "upstream",
            "想定どおりの上流ルーター",
            "Expected upstream router",
        );
        for f in &expected {
            upstream_card(&mut out, f, snapshot.now, ctx);
        }
        out.push_str("</section>\n");
    }
    host_section(&mut out, snapshot, &unexpected, &expected);
    facts(&mut out, snapshot, ctx);
    if snapshot.verdict != Verdict::Ok {
        let (ja, en) = contact_texts(ctx.rules);
        section_start(&mut out, "contact", "お問い合わせ", "Where to ask");
        bi_p(&mut out, "", &ja, &en);
        out.push_str("</section>\n");
    }
    footer(&mut out, snapshot);
    out.push_str("</div>\n</body>\n</html>\n");
    out
}

// ---------------------------------------------------------------------------------------
// Writing helpers

/// Appends `s`, escaped.
fn text(out: &mut String, s: &str) {
    out.push_str(&escape(s));
}

/// Japanese and English inline, each in a span of its own (the language switch hides
/// one or the other).
fn bi(out: &mut String, ja: &str, en: &str) {
    out.push_str("<span class=\"ja\">");
    text(out, ja);
    out.push_str("</span><span class=\"en\" lang=\"en\">");
    text(out, en);
    out.push_str("</span>");
}

/// Japanese and English paragraphs, with an extra class.
fn bi_p(out: &mut String, class: &str, ja: &str, en: &str) {
    let _ = writeln!(
        out,
        "<p class=\"ja {class}\">{}</p>\n<p class=\"en {class}\" lang=\"en\">{}</p>",
        escape(ja),
        escape(en)
    );
}

/// Opens a section with its heading.
fn section_start(out: &mut String, class: &str, ja: &str, en: &str) {
    let _ = write!(out, "<section class=\"{class}\">\n<h2>");
    bi(out, ja, en);
    out.push_str("</h2>\n");
}

/// A `<dt>` with both languages.
fn dt(out: &mut String, ja: &str, en: &str) {
    out.push_str("<dt>");
    bi(out, ja, en);
    out.push_str("</dt>");
}

/// A list item per pair of Japanese and English lines; when the two lists do not pair
/// up, each language gets its own items.
fn bi_items(out: &mut String, ja: &[String], en: &[String]) {
    out.push_str("<ul>");
    if ja.len() == en.len() {
        for (j, e) in ja.iter().zip(en) {
            out.push_str("<li>");
            if j == e {
                text(out, j);
            } else {
                bi_block(out, j, e);
            }
            out.push_str("</li>");
        }
    } else {
        for j in ja {
            out.push_str("<li class=\"ja\">");
            text(out, j);
            out.push_str("</li>");
        }
        for e in en {
            out.push_str("<li class=\"en\" lang=\"en\">");
            text(out, e);
            out.push_str("</li>");
        }
    }
    out.push_str("</ul>");
}

/// Japanese, then English on its own line.
fn bi_block(out: &mut String, ja: &str, en: &str) {
    out.push_str("<span class=\"ja\">");
    text(out, ja);
    out.push_str("</span><span class=\"en block\" lang=\"en\">");
    text(out, en);
    out.push_str("</span>");
}

fn sev_class(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "s-critical",
        Severity::Warning => "s-warning",
        Severity::Info => "s-info",
    }
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Critical => "s-critical",
        Verdict::Warning => "s-warning",
        Verdict::Ok => "s-ok",
    }
}

/// The verdict's word in Japanese and English.
fn verdict_words(v: Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::Critical => ("危険", "CRITICAL"),
        Verdict::Warning => ("注意", "WARNING"),
        Verdict::Ok => ("OK", "OK"),
    }
}

/// A severity badge: the word in both languages on the severity's colour.
fn badge(out: &mut String, s: Severity) {
    let _ = write!(out, "<span class=\"badge {}\">", sev_class(s));
    bi(
        out,
        severity_words(s, Lang::Ja),
        severity_words(s, Lang::En),
    );
    out.push_str("</span>");
}

/// The remedy's name, short.
fn remedy_label(code: RemedyCode) -> (&'static str, &'static str) {
    match code {
        RemedyCode::DisableIpv6 => ("【対処方法１】IPv6 を無効にする", "Remedy 1: disable IPv6"),
        RemedyCode::SeparateLine => (
            "【対処方法２】別の光回線で利用する",
            "Remedy 2: use a separate line",
        ),
        RemedyCode::Unknown => (
            "メーカーに確認（対処方法１または２）",
            "Ask the maker (remedy 1 or 2)",
        ),
        RemedyCode::None => ("対処不要", "No action needed"),
    }
}

// ---------------------------------------------------------------------------------------
// The page

fn head(out: &mut String, snapshot: &Snapshot<'_>) {
    let (ja, en) = verdict_words(snapshot.verdict);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"{}\">\n\
         <title>IPv6 調査報告書 — {ja}{} — v6sentinel</title>\n<style>\n{STYLE}</style>\n\
         </head>\n",
        escape(GENERATOR),
        if ja == en {
            String::new()
        } else {
            format!(" / {en}")
        }
    );
}

fn verdict_header(
    out: &mut String,
    snapshot: &Snapshot<'_>,
    ctx: &Context<'_>,
    unexpected: &[&Finding<'_>],
    expected: usize,
) {
    let v = snapshot.verdict;
    let n = unexpected
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .count();
    let _ = write!(
        out,
        "<header class=\"verdict {}\" role=\"status\">\n<p class=\"kicker\">",
        verdict_class(v)
    );
    bi(
        out,
        "IPv6 を配る機器の調査報告書",
        "Report: devices that hand out IPv6 on this line",
    );
    out.push_str("</p>\n<p class=\"word\">");
    match v {
        Verdict::Ok => {
            out.push_str("<span class=\"big\">OK</span>");
            out.push_str("<span class=\"sub ja\">問題なし</span>");
            out.push_str("<span class=\"sub en\" lang=\"en\">no problem found</span>");
        }
        _ => {
            let (ja, en) = verdict_words(v);
            let _ = write!(
                out,
                "<span class=\"big ja\">{ja}</span><span class=\"big en\" lang=\"en\">{en}</span>"
            );
        }
    }
    out.push_str("</p>\n");
    let (lead_ja, lead_en) = match v {
        Verdict::Critical => (
            "カードリーダーに「ネットワークエラー011」が出て、オンライン資格確認が使えなくなるおそれがあります。",
            "The card reader is likely to show network error 011 (ネットワークエラー011) and online eligibility checks may fail.",
        ),
        Verdict::Warning => (
            "資格確認端末の DNS や経路が書き換えられ、カードリーダーに「ネットワークエラー011」が出ることがあります。",
            "The terminal's DNS or routes are being changed, which can make the card reader show network error 011.",
        ),
        Verdict::Ok => (
            "カードリーダーの「ネットワークエラー011」の原因になる機器は見つかりませんでした。",
            "No device that would make the card reader show network error 011 was found.",
        ),
    };
    bi_p(out, "lead", lead_ja, lead_en);
    let (ja, en) = match v {
        Verdict::Critical if n > 0 => (
            format!(
                "この回線で、資格確認端末に IPv6 のアドレス・経路・DNS を配っている想定外の機器が \
                 {n} 台見つかりました。下の図と、機器ごとの「対処」をご覧ください。"
            ),
            format!(
                "{n} {} other than the expected upstream {} the terminal IPv6 addresses, routes \
                 or DNS. See the diagram and each device's remedy below.",
                if n == 1 { "device" } else { "devices" },
                if n == 1 { "hands" } else { "hand" }
            ),
        ),
        Verdict::Critical => (
            "この回線で、RA（IPv6 の設定を配るメッセージ）が大量に送られています。".to_owned(),
            "Router Advertisements are flooding this line.".to_owned(),
        ),
        Verdict::Warning => (
            format!(
                "端末に IPv6 アドレスを配る機器はありませんが、端末の DNS サーバーや経路などを変える\
                 想定外の機器が {n} 台あります。下の「対処」を行うことをおすすめします。"
            ),
            format!(
                "No device hands the terminal an address, but {n} {} its DNS servers, routes or \
                 DHCPv6 behaviour. Applying the remedies below is recommended.",
                if n == 1 {
                    "device other than the expected upstream changes"
                } else {
                    "devices other than the expected upstream change"
                }
            ),
        ),
        Verdict::Ok => (
            quiet_note(snapshot, ctx, expected, Lang::Ja),
            quiet_note(snapshot, ctx, expected, Lang::En),
        ),
    };
    bi_p(out, "detail", &ja, &en);
    out.push_str("</header>\n");
}

fn facts(out: &mut String, snapshot: &Snapshot<'_>, ctx: &Context<'_>) {
    section_start(out, "facts", "調査の条件", "What was examined");
    out.push_str("<dl class=\"facts\">");
    let analyzed = !ctx.inputs.is_empty();
    dt(out, "調査の方法", "Method");
    out.push_str("<dd>");
    if analyzed {
        bi(
            out,
            "記録ファイルの解析（v6sentinel analyze）",
            "analysis of capture files (v6sentinel analyze)",
        );
    } else {
        bi(
            out,
            "この回線での調査（v6sentinel scan）",
            "a scan of this line (v6sentinel scan)",
        );
    }
    out.push_str("</dd>");
    if let Some(ifname) = ctx.interface {
        dt(out, "インターフェース", "Interface");
        out.push_str("<dd><code>");
        text(out, ifname);
        out.push_str("</code></dd>");
    }
    let secs = ctx.duration.as_secs_f64();
    dt(out, "期間", "When");
    out.push_str("<dd>");
    bi_block(
        out,
        &format!("{}から {secs:.1} 秒間", when(ctx.started, Lang::Ja)),
        &format!("from {}, for {secs:.1} s", when(ctx.started, Lang::En)),
    );
    out.push_str("</dd>");
    if !analyzed {
        let p = ctx.probes;
        let (ja, en) = match (p.router_solicitation, p.dhcpv6_solicit) {
            (true, true) => (
                "ルーター要請（RS）と DHCPv6 の問い合わせ（Solicit）を送信",
                "sent a Router Solicitation and a DHCPv6 Solicit",
            ),
            (true, false) => ("ルーター要請（RS）を送信", "sent a Router Solicitation"),
            (false, true) => (
                "DHCPv6 の問い合わせ（Solicit）を送信",
                "sent a DHCPv6 Solicit",
            ),
            (false, false) => ("送信なし（受信のみ）", "none (listened only)"),
        };
        dt(out, "問い合わせ", "Probes");
        out.push_str("<dd>");
        bi(out, ja, en);
        out.push_str("</dd>");
    }
    if analyzed {
        dt(out, "解析したファイル", "Capture files");
        out.push_str("<dd>");
        for (i, f) in ctx.inputs.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str("<code>");
            text(out, f);
            out.push_str("</code>");
        }
        out.push_str("</dd>");
    }
    let st = &snapshot.stats;
    dt(out, "受信", "Received");
    out.push_str("<dd>");
    bi_block(
        out,
        &format!(
            "RA {} 件{}、DHCPv6 の応答 {} 件、全 {} フレーム",
            st.router_adverts,
            if st.invalid_router_adverts > 0 {
                format!("（うち不正なもの {} 件）", st.invalid_router_adverts)
            } else {
                String::new()
            },
            st.dhcpv6_server_messages,
            st.frames
        ),
        &format!(
            "{} Router Advertisements{}, {} DHCPv6 server messages, {} frames in all",
            st.router_adverts,
            if st.invalid_router_adverts > 0 {
                format!(" ({} invalid)", st.invalid_router_adverts)
            } else {
                String::new()
            },
            st.dhcpv6_server_messages,
            st.frames
        ),
    );
    out.push_str("</dd></dl>\n</section>\n");
}

fn diagram_section(
    out: &mut String,
    snapshot: &Snapshot<'_>,
    unexpected: &[&Finding<'_>],
    expected: &[&Finding<'_>],
) {
    section_start(out, "diagram", "回線のようす", "The line at a glance");
    out.push_str("<figure>\n");
    diagram(out, snapshot, unexpected, expected);
    out.push_str("<figcaption><ul class=\"legend\">");
    let legend: [(&str, &str, &str); 4] = [
        (
            "s-critical",
            "危険：端末にアドレスや既定の経路を配ります（エラー011 のおそれ）",
            "CRITICAL: hands the terminal an address or default route (error 011 likely)",
        ),
        (
            "s-warning",
            "注意：DNS や経路など一部の設定を変えます",
            "WARNING: changes DNS servers, routes or DHCPv6 behaviour",
        ),
        (
            "s-info",
            "影響なし（点線）：端末の設定を変える内容は送っていません",
            "no effect (dashed): sends nothing that changes the terminal",
        ),
        (
            "s-ok",
            "上流：正しい設定を配る回線のルーター（ホームゲートウェイなど）",
            "upstream: the line's own router with the right settings (the home gateway)",
        ),
    ];
    for (class, ja, en) in legend {
        let _ = write!(out, "<li><span class=\"sw {class}\"></span>");
        bi(out, ja, en);
        out.push_str("</li>");
    }
    out.push_str("</ul>");
    bi_p(
        out,
        "words",
        "矢印の言葉 — アドレス：端末に IPv6 アドレスを付けさせる／既定経路：端末の通信の出口を\
         自分に向ける／経路：経路を追加する／DNS：名前の問い合わせ先を変える。",
        "Arrow words — address: the terminal takes an IPv6 address from it; default route: the \
         terminal sends its traffic through it; route: adds routes; DNS: changes the terminal's \
         name servers.",
    );
    out.push_str("</figcaption>\n</figure>\n</section>\n");
}

fn flood_section(out: &mut String, flood: &FloodSummary) {
    section_start(
        out,
        "flood s-critical",
        "RA の大量送信（フラッド）",
        "Router Advertisement flood",
    );
    let (state_ja, state_en) = match flood.ended {
        Some(t) => (
            format!("{} に収まりました。", when(t, Lang::Ja)),
            format!("It ended at {}.", when(t, Lang::En)),
        ),
        None => (
            "調査の終わりにもまだ続いていました。".to_owned(),
            "It was still going on at the end.".to_owned(),
        ),
    };
    bi_p(
        out,
        "",
        &format!(
            "{}から、{} 秒間に多数の新しい送信元から RA が届きました。記録したのは {} 台で、\
             それ以降の新しい送信元 {} 台分は数だけを数えています。{state_ja}\
             攻撃ツールや故障した機器が疑われます。スイッチの RA ガードを有効にするなど、\
             ネットワークの管理者や導入業者にご相談ください。",
            when(flood.started, Lang::Ja),
            flood.window_s,
            flood.kept,
            flood.new_sources
        ),
        &format!(
            "From {}, Router Advertisements came from many new senders within {} s. {} sources \
             were kept; {} more new senders were only counted. {state_en} An attack tool or a \
             faulty device is likely: enable RA Guard on the switch, and ask the network's \
             administrator or installer.",
            when(flood.started, Lang::En),
            flood.window_s,
            flood.kept,
            flood.new_sources
        ),
    );
    out.push_str("</section>\n");
}

fn devices_section(
    out: &mut String,
    snapshot: &Snapshot<'_>,
    ctx: &Context<'_>,
    unexpected: &[&Finding<'_>],
) {
    if unexpected.is_empty() {
        return;
    }
    let n = unexpected.len();
    section_start(
        out,
        "devices",
        &format!("想定外の機器と対処（{n} 台）"),
        &format!("Devices other than the expected upstream, and what to do ({n})"),
    );
    let cards = if snapshot.flood.is_some() {
        MAX_CARDS_IN_FLOOD
    } else {
        MAX_CARDS
    };
    for (i, f) in unexpected.iter().take(cards).enumerate() {
        device_card(out, f, i + 1, snapshot.now, ctx);
    }
    if n > cards {
        summary_table(out, &unexpected[cards..], cards + 1, ctx);
    }
    out.push_str("</section>\n");
}

fn device_card(out: &mut String, f: &Finding<'_>, n: usize, now: Timestamp, ctx: &Context<'_>) {
    let s = f.source;
    let _ = write!(
        out,
        "<article class=\"card {}\" id=\"device-{n}\">\n<header>",
        sev_class(f.severity)
    );
    badge(out, f.severity);
    let _ = write!(
        out,
        "<span class=\"num\">[{n}]</span><code class=\"mac\">{}</code><span class=\"vendor\">",
        s.mac
    );
    text(out, &short_vendor(f));
    out.push_str("</span></header>\n<dl>");

    vendor_row(out, f);

    dt(out, "機種の見当", "Likely model");
    out.push_str("<dd>");
    model_guess(out, f);
    out.push_str("</dd>");

    if let Some(fp) = f.fingerprint {
        dt(out, "動作の特徴", "Behaves like");
        out.push_str("<dd>");
        bi_block(
            out,
            fingerprint_words(fp, Lang::Ja),
            fingerprint_words(fp, Lang::En),
        );
        out.push_str("</dd>");
    }
    if !f.roles.is_empty() {
        dt(out, "役割", "Role");
        out.push_str("<dd>");
        let ja: Vec<&str> = f
            .roles
            .iter()
            .map(|r| match r {
                Role::Router => "ルーター（RA を送信）",
                Role::Dhcpv6Server => "DHCPv6 サーバー",
            })
            .collect();
        let en: Vec<&str> = f
            .roles
            .iter()
            .map(|r| match r {
                Role::Router => "router (sends RAs)",
                Role::Dhcpv6Server => "DHCPv6 server",
            })
            .collect();
        bi(out, &ja.join("・"), &en.join(", "));
        out.push_str("</dd>");
    }
    if let Some(ll) = s.link_local {
        dt(out, "送信元アドレス", "Source address");
        let _ = write!(out, "<dd><code>{}</code></dd>", escape(&ll.to_string()));
    }

    dt(out, "端末への影響", "What it does to the terminal");
    out.push_str("<dd>");
    let mut ja: Vec<String> = f
        .effects
        .iter()
        .map(|e| effect_words(e, Lang::Ja).to_owned())
        .collect();
    let mut en: Vec<String> = f
        .effects
        .iter()
        .map(|e| effect_words(e, Lang::En).to_owned())
        .collect();
    if f.effects.is_empty() {
        ja.push("端末の設定を変える内容は送っていません".into());
        en.push("nothing that changes the terminal's configuration".into());
    }
    if !f.host_addresses.is_empty() {
        let list = f
            .host_addresses
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        ja.push(format!(
            "このパソコンはすでにこの機器からのアドレスを持っています: {list}"
        ));
        en.push(format!(
            "this machine already holds an address from it: {list}"
        ));
    }
    bi_items(out, &ja, &en);
    out.push_str("</dd>");

    let deprecates = f.effects.contains(Effect::DeprecatesPrefix);
    let ja = handed_out(s, deprecates, now, Lang::Ja);
    let en = handed_out(s, deprecates, now, Lang::En);
    dt(out, "いま配っている設定", "What it hands out now");
    out.push_str("<dd>");
    if ja.is_empty() {
        bi(out, "（いま有効な設定はありません）", "(nothing current)");
    } else {
        bi_items(out, &ja, &en);
    }
    out.push_str("</dd>");

    if !s.evidence.is_empty() {
        let ja: Vec<String> = s
            .evidence
            .iter()
            .map(|e| evidence_words(e, Lang::Ja))
            .collect();
        let en: Vec<String> = s
            .evidence
            .iter()
            .map(|e| evidence_words(e, Lang::En))
            .collect();
        dt(out, "根拠・気づいた点", "Evidence");
        out.push_str("<dd>");
        bi_items(out, &ja, &en);
        out.push_str("</dd>");
    }

    dt(out, "観測", "Seen");
    out.push_str("<dd>");
    bi_block(
        out,
        &format!(
            "{}、パケット {} 個",
            between(s.first_seen, s.last_seen, Lang::Ja),
            s.packets
        ),
        &format!(
            "{}, {} {}",
            between(s.first_seen, s.last_seen, Lang::En),
            s.packets,
            if s.packets == 1 { "packet" } else { "packets" }
        ),
    );
    out.push_str("</dd></dl>\n");

    remedy_box(out, f.remedy, ctx);
    if f.remedy != RemedyCode::None {
        let (ja, en) = contact_texts(ctx.rules);
        bi_p(out, "contact", &ja, &en);
    }
    out.push_str("</article>\n");
}

/// What the device probably is: the matched offender and its confirmed models, else a
/// guess from the fingerprint.
fn model_guess(out: &mut String, f: &Finding<'_>) {
    if let Some(o) = f.offender {
        text(out, &o.name);
        let named: Vec<&str> = o
            .models
            .iter()
            .map(String::as_str)
            .filter(|m| !m.eq_ignore_ascii_case(&o.name))
            .collect();
        if !named.is_empty() {
            let more = named.len() > MAX_MODELS;
            let list: Vec<&str> = named.into_iter().take(MAX_MODELS).collect();
            out.push_str("<br><small>");
            bi(out, "確認済みの機種:", "confirmed on:");
            out.push(' ');
            text(out, &list.join(", "));
            if more {
                out.push_str(", …");
            }
            out.push_str("</small>");
        }
        out.push_str("<br><small>");
        bi(
            out,
            "NTT 東日本の資料で問題が確認されている製品です",
            "a product NTT East lists as causing this",
        );
        out.push_str("</small>");
        return;
    }
    let (ja, en) = match f.fingerprint {
        Some(Fingerprint::ThreadBorderRouter) => (
            "Apple TV・HomePod・Google Nest Hub・Amazon Echo などのスマート家電（Thread ボーダールーター）",
            "a smart-home hub such as an Apple TV, HomePod, Google Nest Hub or Amazon Echo \
             (a Thread border router)",
        ),
        Some(Fingerprint::NdProxy) => (
            "IPv6 ブリッジ（パススルー）モードの無線LANルーター",
            "a Wi-Fi router in IPv6 bridge (pass-through) mode",
        ),
        Some(Fingerprint::HomeRouter) => (
            "IPv6 を配る無線LANルーターなど",
            "a Wi-Fi or home router handing out IPv6",
        ),
        Some(Fingerprint::Dhcpv6Server) => (
            "DHCPv6 サーバー（ルーターや UTM 機器など）",
            "a DHCPv6 server (a router or UTM appliance)",
        ),
        None => ("不明", "unknown"),
    };
    bi(out, ja, en);
}

fn remedy_box(out: &mut String, code: RemedyCode, ctx: &Context<'_>) {
    let (label_ja, label_en) = remedy_label(code);
    let (ja, en) = remedy_texts(Some(ctx.rules), code);
    let _ = write!(
        out,
        "<div class=\"remedy r-{}\">\n<p class=\"rh\">",
        code.as_str()
    );
    bi(out, "対処", "What to do");
    out.push_str(" — <strong>");
    bi(out, label_ja, label_en);
    out.push_str("</strong></p>\n");
    bi_p(out, "", &ja, &en);
    out.push_str("</div>\n");
}

/// One row per device past the cards, then the full text of each remedy they use.
fn summary_table(out: &mut String, rest: &[&Finding<'_>], first: usize, ctx: &Context<'_>) {
    out.push_str("<h3>");
    bi(out, "ほかの想定外の機器（一覧）", "More devices (list)");
    out.push_str("</h3>\n<table class=\"list\"><thead><tr><th>#</th><th>MAC</th><th>");
    bi(out, "メーカー", "Vendor");
    out.push_str("</th><th>");
    bi(out, "判定", "Severity");
    out.push_str("</th><th>");
    bi(out, "端末への影響", "Effects");
    out.push_str("</th><th>");
    bi(out, "対処", "Remedy");
    out.push_str("</th></tr></thead>\n<tbody>\n");
    let mut codes: Vec<RemedyCode> = Vec::new();
    for (i, f) in rest.iter().take(MAX_TABLE_ROWS).enumerate() {
        let _ = write!(
            out,
            "<tr class=\"{}\"><td>{}</td><td><code>{}</code></td><td>",
            sev_class(f.severity),
            first + i,
            f.source.mac
        );
        text(out, &short_vendor(f));
        out.push_str("</td><td>");
        badge(out, f.severity);
        out.push_str("</td><td>");
        let ja: Vec<&str> = f
            .effects
            .iter()
            .map(|e| effect_short(e, Lang::Ja))
            .collect();
        let en: Vec<&str> = f
            .effects
            .iter()
            .map(|e| effect_short(e, Lang::En))
            .collect();
        if ja.is_empty() {
            bi(out, "影響なし", "none");
        } else {
            bi(out, &ja.join("・"), &en.join(", "));
        }
        out.push_str("</td><td>");
        let (lja, len) = remedy_label(f.remedy);
        bi(out, lja, len);
        out.push_str("</td></tr>\n");
        if !codes.contains(&f.remedy) {
            codes.push(f.remedy);
        }
    }
    out.push_str("</tbody></table>\n");
    if rest.len() > MAX_TABLE_ROWS {
        let more = rest.len() - MAX_TABLE_ROWS;
        bi_p(
            out,
            "note",
            &format!("ほか {more} 台（すべての機器は --format json の出力で確認できます）"),
            &format!("… and {more} more (run with --format json to see every device)"),
        );
    }
    codes.sort();
    for code in codes {
        remedy_box(out, code, ctx);
    }
}

/// The card's "Vendor" row: one text when both languages say the same.
fn vendor_row(out: &mut String, f: &Finding<'_>) {
    dt(out, "メーカー", "Vendor");
    out.push_str("<dd>");
    let (vja, ven) = (vendor_words(f, Lang::Ja), vendor_words(f, Lang::En));
    if vja == ven {
        text(out, &vja);
    } else {
        bi(out, &vja, &ven);
    }
    out.push_str("</dd>");
}

fn upstream_card(out: &mut String, f: &Finding<'_>, now: Timestamp, ctx: &Context<'_>) {
    let s = f.source;
    out.push_str("<article class=\"card s-ok\">\n<header><span class=\"badge s-ok\">");
    bi(out, "想定どおり", "expected");
    let _ = write!(
        out,
        "</span><code class=\"mac\">{}</code><span class=\"vendor\">",
        s.mac
    );
    text(out, &short_vendor(f));
    out.push_str("</span></header>\n<dl>");
    vendor_row(out, f);
    let mut providers: Vec<&str> = Vec::new();
    for p in s.ra.iter().flat_map(|r| r.prefixes.keys()) {
        if let Some(name) = ctx.rules.provider_of(p).map(|p| p.name.as_str()) {
            if !providers.contains(&name) {
                providers.push(name);
            }
        }
    }
    if !providers.is_empty() {
        dt(out, "回線事業者", "Provider");
        out.push_str("<dd>");
        text(out, &providers.join(", "));
        out.push_str("</dd>");
    }
    if let Some(ll) = s.link_local {
        dt(out, "送信元アドレス", "Source address");
        let _ = write!(out, "<dd><code>{}</code></dd>", escape(&ll.to_string()));
    }
    let ja = handed_out(s, false, now, Lang::Ja);
    let en = handed_out(s, false, now, Lang::En);
    if !ja.is_empty() {
        dt(out, "配っている設定", "What it hands out");
        out.push_str("<dd>");
        bi_items(out, &ja, &en);
        out.push_str("</dd>");
    }
    dt(out, "観測", "Seen");
    out.push_str("<dd>");
    bi_block(
        out,
        &between(s.first_seen, s.last_seen, Lang::Ja),
        &between(s.first_seen, s.last_seen, Lang::En),
    );
    out.push_str("</dd></dl>\n");
    bi_p(
        out,
        "",
        "この回線の正規の上流ルーター（NTT のホームゲートウェイなど）と判断しました。対処は不要です。",
        "Judged to be the line's own upstream router (the NTT home gateway, for instance). No \
         action needed.",
    );
    out.push_str("</article>\n");
}

// ---------------------------------------------------------------------------------------
// The terminal's addresses

fn host_section(
    out: &mut String,
    snapshot: &Snapshot<'_>,
    unexpected: &[&Finding<'_>],
    expected: &[&Finding<'_>],
) {
    section_start(
        out,
        "host",
        "端末の IPv6 アドレスと、それを配った機器",
        "The terminal's IPv6 addresses and where they came from",
    );
    match &snapshot.host {
        Some(host) => host_table(out, host, snapshot),
        None => predicted_table(out, snapshot, unexpected, expected),
    }
    out.push_str("</section>\n");
}

/// The table head: kind, value, from.
fn kvf_head(out: &mut String) {
    out.push_str("<table class=\"host\"><thead><tr><th>");
    bi(out, "種類", "Kind");
    out.push_str("</th><th>");
    bi(out, "値", "Value");
    out.push_str("</th><th>");
    bi(out, "配った機器", "From");
    out.push_str("</th></tr></thead>\n<tbody>\n");
}

/// One row of the host table; `from` writes the last cell's content.
fn kvf_row(
    out: &mut String,
    class: &str,
    kind: (&str, &str),
    value: &str,
    from: impl FnOnce(&mut String),
) {
    let _ = write!(out, "<tr class=\"{class}\"><td>");
    bi(out, kind.0, kind.1);
    out.push_str("</td><td><code>");
    text(out, value);
    out.push_str("</code></td><td>");
    from(out);
    out.push_str("</td></tr>\n");
}

/// The row class and the "from" cell for an item attributed to `mac`: the expected
/// upstream, a device of the report (with its number), or unknown.
fn from_cell<'s>(
    snapshot: &'s Snapshot<'_>,
    mac: Option<Mac>,
) -> (&'static str, impl FnOnce(&mut String) + 's) {
    let unexpected = mac.and_then(|m| {
        snapshot
            .findings
            .iter()
            .filter(|f| !f.expected)
            .enumerate()
            .find(|(_, f)| f.source.mac == m)
            .map(|(i, f)| (i + 1, f))
    });
    let expected = mac.and_then(|m| {
        snapshot
            .findings
            .iter()
            .find(|f| f.expected && f.source.mac == m)
    });
    let class = match (unexpected, expected) {
        (Some((_, f)), _) => sev_class(f.severity),
        (None, Some(_)) => "s-ok",
        (None, None) => "",
    };
    let write = move |out: &mut String| match (mac, unexpected, expected) {
        (None, ..) => bi(
            out,
            "不明（この調査中は何も送ってこなかった機器）",
            "unknown (a device that sent nothing while v6sentinel listened)",
        ),
        (Some(mac), Some((n, f)), _) => {
            let _ = write!(out, "<span class=\"tag {}\">", sev_class(f.severity));
            bi(out, "想定外", "NOT expected");
            let _ = write!(out, "</span> <code>{mac}</code> ");
            text(out, &short_vendor(f));
            let _ = write!(out, " [{n}]");
        }
        (Some(mac), None, Some(f)) => {
            out.push_str("<span class=\"tag s-ok\">");
            bi(out, "上流", "upstream");
            let _ = write!(out, "</span> <code>{mac}</code> ");
            text(out, &short_vendor(f));
        }
        (Some(mac), None, None) => {
            let _ = write!(out, "<code>{mac}</code>");
        }
    };
    (class, write)
}

fn host_table(out: &mut String, host: &HostView, snapshot: &Snapshot<'_>) {
    bi_p(
        out,
        "note",
        "v6sentinel を動かしたこのパソコン（資格確認端末で動かした場合は端末そのもの）の状態です。",
        "The state of the machine v6sentinel ran on (the eligibility terminal itself when run \
         there).",
    );
    kvf_head(out);
    if host.addresses.is_empty() {
        out.push_str("<tr><td colspan=\"3\">");
        bi(out, "IPv6 アドレスはありません", "no IPv6 address");
        out.push_str("</td></tr>\n");
    }
    for a in &host.addresses {
        let value = format!("{}/{}", a.item.addr, a.item.prefix_len);
        let kind_ja = format!("アドレス（{}）", origin_words(a.item.origin, Lang::Ja));
        let kind_en = format!("address ({})", origin_words(a.item.origin, Lang::En));
        if a.item.origin == AddressOrigin::LinkLocal && a.source.is_none() {
            kvf_row(out, "", (&kind_ja, &kind_en), &value, |out| {
                bi(
                    out,
                    "（自分で作るアドレス）",
                    "(formed by the machine itself)",
                );
            });
        } else {
            let (class, from) = from_cell(snapshot, a.source);
            kvf_row(out, class, (&kind_ja, &kind_en), &value, from);
        }
    }
    for r in &host.default_routers {
        let (class, from) = from_cell(snapshot, r.source);
        kvf_row(
            out,
            class,
            ("既定のルーター", "default router"),
            &r.item.to_string(),
            from,
        );
    }
    for r in &host.routes {
        let (class, from) = from_cell(snapshot, r.source);
        let (ja, en) = (
            format!("経路（経由 {}）", r.item.1),
            format!("route (via {})", r.item.1),
        );
        kvf_row(out, class, (&ja, &en), &r.item.0.to_string(), from);
    }
    for d in &host.dns {
        let (class, from) = from_cell(snapshot, d.source);
        kvf_row(
            out,
            class,
            ("DNS サーバー", "DNS server"),
            &d.item.to_string(),
            from,
        );
    }
    out.push_str("</tbody></table>\n");
    let unheard = host.addresses.iter().any(|a| {
        matches!(a.item.origin, AddressOrigin::Slaac | AddressOrigin::Dhcpv6) && a.source.is_none()
    }) || host.default_routers.iter().any(|r| r.source.is_none())
        || host.routes.iter().any(|r| r.source.is_none());
    if unheard {
        bi_p(
            out,
            "note",
            "「不明」の設定は、この調査のあいだに何も送ってこなかった機器から、それより前に配られた\
             ものです。RA を数分おきにしか送らない機器もあるため、時間を延ばす（--duration 600 など）\
             か、watch で常時監視して送り主を確かめてください。",
            "The settings marked \"unknown\" were handed out before this scan by a device that \
             sent nothing while it listened. Some devices advertise only every few minutes: \
             listen longer (e.g. --duration 600) or run `watch` to find the sender.",
        );
    }
}

/// For a capture (no host observation): what the terminal would receive, by sender.
fn predicted_table(
    out: &mut String,
    snapshot: &Snapshot<'_>,
    unexpected: &[&Finding<'_>],
    expected: &[&Finding<'_>],
) {
    bi_p(
        out,
        "note",
        "記録ファイルの解析では、パソコン自身のアドレスは分かりません。記録から予測される、\
         資格確認端末が受け取る設定と、その送り主は次のとおりです。",
        "A capture does not show the terminal's own addresses. From the capture, this is what \
         the terminal would receive, and from whom.",
    );
    let now = snapshot.now;
    let cards = if snapshot.flood.is_some() {
        MAX_CARDS_IN_FLOOD
    } else {
        MAX_CARDS
    };
    let mut rows = 0usize;
    let mut table = String::new();
    let senders = unexpected.iter().take(cards).chain(expected.iter());
    for f in senders {
        let s = f.source;
        let mut kinds: Vec<((&str, &str), Vec<String>)> = Vec::new();
        let mut slaac = Vec::new();
        let mut routes = Vec::new();
        let mut dns = Vec::new();
        let mut domains = Vec::new();
        let mut router = Vec::new();
        if let Some(ra) = &s.ra {
            slaac.extend(
                ra.prefixes
                    .iter()
                    .filter(|(p, e)| {
                        e.flags.autonomous()
                            && p.len() == 64
                            && !p.is_link_local()
                            && e.valid.is_active(now)
                    })
                    .map(|(p, _)| p.to_string()),
            );
            if ra.router_lifetime.is_active(now) {
                router.push(
                    s.link_local
                        .map_or_else(|| s.mac.to_string(), |a| a.to_string()),
                );
            }
            routes.extend(
                ra.routes
                    .iter()
                    .filter(|(_, r)| r.lifetime.is_active(now))
                    .map(|(p, _)| p.to_string()),
            );
            dns.extend(
                ra.rdnss
                    .iter()
                    .filter(|(_, l)| l.is_active(now))
                    .map(|(a, _)| a.to_string()),
            );
            domains.extend(
                ra.dnssl
                    .iter()
                    .filter(|(_, l)| l.is_active(now))
                    .map(|(d, _)| d.clone()),
            );
        }
        let mut dhcp_addrs = Vec::new();
        if let Some(d) = &s.dhcp {
            dhcp_addrs.extend(
                d.addresses
                    .iter()
                    .filter(|(_, (v, _))| v.is_active(now))
                    .map(|(a, _)| a.to_string()),
            );
            dns.extend(
                d.dns
                    .iter()
                    .filter(|(_, l)| l.is_active(now))
                    .map(|(a, _)| a.to_string()),
            );
            domains.extend(
                d.domains
                    .iter()
                    .filter(|(_, l)| l.is_active(now))
                    .map(|(n, _)| n.clone()),
            );
        }
        dns.sort();
        dns.dedup();
        domains.sort();
        domains.dedup();
        kinds.push((("アドレス（RA から自動生成）", "address (SLAAC)"), slaac));
        kinds.push((("アドレス（DHCPv6）", "address (DHCPv6)"), dhcp_addrs));
        kinds.push((("既定のルーター", "default router"), router));
        kinds.push((("経路", "route"), routes));
        kinds.push((("DNS サーバー", "DNS server"), dns));
        kinds.push((("DNS 検索ドメイン", "DNS search domain"), domains));
        for (kind, values) in kinds {
            for v in values.iter().take(MAX_PREDICTED) {
                let (class, from) = from_cell(snapshot, Some(s.mac));
                kvf_row(&mut table, class, kind, v, from);
                rows += 1;
            }
            if values.len() > MAX_PREDICTED {
                let more = values.len() - MAX_PREDICTED;
                let (class, from) = from_cell(snapshot, Some(s.mac));
                let _ = write!(table, "<tr class=\"{class}\"><td>");
                bi(&mut table, kind.0, kind.1);
                table.push_str("</td><td>");
                bi(
                    &mut table,
                    &format!("ほか {more} 件"),
                    &format!("… and {more} more"),
                );
                table.push_str("</td><td>");
                from(&mut table);
                table.push_str("</td></tr>\n");
            }
        }
    }
    if rows == 0 {
        bi_p(
            out,
            "",
            "端末の設定を変えるものは、記録の中にありませんでした。",
            "Nothing in the capture would configure the terminal.",
        );
        return;
    }
    kvf_head(out);
    out.push_str(&table);
    out.push_str("</tbody></table>\n");
}

fn footer(out: &mut String, snapshot: &Snapshot<'_>) {
    out.push_str("<footer>\n<div class=\"signoff\">");
    for (ja, en) in [
        ("医療機関", "Clinic"),
        ("作業者", "Installer"),
        ("確認日", "Date"),
    ] {
        out.push_str("<div><span class=\"lbl\">");
        bi(out, ja, en);
        out.push_str("</span><span class=\"blank\"></span></div>");
    }
    out.push_str("</div>\n<p class=\"status\"><code>");
    text(out, &status_line(snapshot));
    out.push_str("</code></p>\n<p class=\"gen\">");
    text(out, GENERATOR);
    out.push_str(" — ");
    bi(
        out,
        &format!("{} 時点", when(snapshot.now, Lang::Ja)),
        &format!("as of {}", when(snapshot.now, Lang::En)),
    );
    out.push_str("</p>\n</footer>\n");
}

// ---------------------------------------------------------------------------------------
// The diagram (inline SVG)

/// Width of the drawing, in SVG units (CSS pixels at 100 %).
const SVG_W: f32 = 760.0;
/// A device box.
const BOX_W: f32 = 200.0;
const BOX_H: f32 = 56.0;
/// One row of boxes (a box and the gap under it).
const ROW_H: f32 = 74.0;
/// Left edge of the left boxes and right margin of the right ones.
const SIDE: f32 = 10.0;
/// The hub bar.
const HUB_X: f32 = 360.0;
const HUB_W: f32 = 40.0;
const MID: f32 = HUB_X + HUB_W / 2.0;
/// The upstream box.
const UP_Y: f32 = 10.0;
const UP_W: f32 = 330.0;
const UP_H: f32 = 64.0;
/// Vertical arrows (upstream to hub, hub to terminal).
const DROP: f32 = 46.0;
/// The terminal box.
const TERM_W: f32 = 380.0;
const TERM_H: f32 = 74.0;
/// Room for an arrow label line between a box and the hub.
const LABEL_W: f32 = 136.0;

/// What a box beside the hub stands for.
enum Node<'s, 'a> {
    /// A device, with its number in the report.
    Device(&'s Finding<'a>, usize),
    /// The flood.
    Flood(&'s FloodSummary),
    /// The devices not drawn.
    More(&'s [&'s Finding<'a>]),
}

/// The boxes beside the hub: during a flood, the flood and a few devices; otherwise every
/// device up to [`MAX_DIAGRAM_NODES`], the last box counting the rest when they do not
/// fit.
fn diagram_nodes<'s, 'a>(
    snapshot: &'s Snapshot<'a>,
    unexpected: &'s [&'s Finding<'a>],
) -> Vec<Node<'s, 'a>> {
    let mut nodes = Vec::new();
    let devices = match &snapshot.flood {
        Some(flood) => {
            nodes.push(Node::Flood(flood));
            MAX_DIAGRAM_DEVICES_IN_FLOOD
        }
        None if unexpected.len() > MAX_DIAGRAM_NODES => MAX_DIAGRAM_NODES - 1,
        None => MAX_DIAGRAM_NODES,
    };
    let shown = devices.min(unexpected.len());
    for (i, f) in unexpected.iter().take(shown).enumerate() {
        nodes.push(Node::Device(f, i + 1));
    }
    if unexpected.len() > shown {
        nodes.push(Node::More(&unexpected[shown..]));
    }
    nodes
}

/// Short words for what a source hands the terminal, for an arrow.
fn arrow_words(effects: Effects) -> Vec<(&'static str, &'static str)> {
    let mut words = Vec::new();
    if effects.contains(Effect::SlaacAddress) || effects.contains(Effect::Dhcpv6Address) {
        words.push(("アドレス", "address"));
    }
    for (e, ja, en) in [
        (Effect::DefaultRoute, "既定経路", "default route"),
        (Effect::Route, "経路", "route"),
        (Effect::Dns, "DNS", "DNS"),
        (
            Effect::DuplicatePrefix,
            "重複プレフィックス",
            "duplicate prefix",
        ),
        (
            Effect::DeprecatesPrefix,
            "プレフィックス無効化",
            "deprecates prefix",
        ),
        (Effect::Dhcpv6Trigger, "DHCPv6 誘導", "DHCPv6 trigger"),
        (
            Effect::PrefixDelegation,
            "プレフィックス委任",
            "prefix delegation",
        ),
        (Effect::HiddenRa, "隠れた RA", "hidden RA"),
        (Effect::Flood, "大量の RA", "RA flood"),
    ] {
        if effects.contains(e) {
            words.push((ja, en));
        }
    }
    words
}

/// The words for what the expected upstream hands out (it has no effects: those are for
/// other sources only), read from its current state.
fn upstream_words(s: &Source, now: Timestamp) -> Vec<(&'static str, &'static str)> {
    let mut words = Vec::new();
    let ra = s.ra.as_ref();
    let address = ra.is_some_and(|r| {
        r.prefixes
            .iter()
            .any(|(_, e)| e.flags.autonomous() && e.valid.is_active(now))
    }) || s
        .dhcp
        .as_ref()
        .is_some_and(|d| d.addresses.values().any(|(v, _)| v.is_active(now)));
    if address {
        words.push(("アドレス", "address"));
    }
    if ra.is_some_and(|r| r.router_lifetime.is_active(now)) {
        words.push(("既定経路", "default route"));
    }
    if ra.is_some_and(|r| r.routes.values().any(|e| e.lifetime.is_active(now))) {
        words.push(("経路", "route"));
    }
    let dns = ra.is_some_and(|r| {
        r.rdnss.values().any(|l| l.is_active(now)) || r.dnssl.values().any(|l| l.is_active(now))
    }) || s
        .dhcp
        .as_ref()
        .is_some_and(|d| d.dns.values().any(|l| l.is_active(now)));
    if dns {
        words.push(("DNS", "DNS"));
    }
    words
}

/// An estimate of a text's width at `size` px: wide (CJK) characters one em, capitals
/// and digits 0.72 em, anything else 0.62 em — generous for the usual sans-serif fonts,
/// so that an estimate that fits leaves room.
fn text_width(s: &str, size: f32) -> f32 {
    s.chars()
        .map(|c| {
            if char_width(c) == 2 {
                size
            } else if c.is_ascii_uppercase() || c.is_ascii_digit() {
                0.72 * size
            } else {
                0.62 * size
            }
        })
        .sum()
}

/// `s` cut with an ellipsis to fit `max` px at `size` px.
fn fit(s: &str, size: f32, max: f32) -> Cow<'_, str> {
    if text_width(s, size) <= max {
        return Cow::Borrowed(s);
    }
    let budget = max - text_width("…", size);
    let mut w = 0.0;
    let mut cut = String::new();
    for c in s.chars() {
        w += text_width(c.encode_utf8(&mut [0; 4]), size);
        if w > budget {
            break;
        }
        cut.push(c);
    }
    cut.push('…');
    Cow::Owned(cut)
}

/// `words` joined by `sep` into at most two lines of `max` px; what does not fit ends
/// the second line with an ellipsis.
fn label_lines(words: &[&str], sep: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for (i, w) in words.iter().enumerate() {
        let candidate = if line.is_empty() {
            (*w).to_owned()
        } else {
            format!("{line}{sep}{w}")
        };
        if line.is_empty() || text_width(&candidate, size) <= max {
            line = candidate;
            continue;
        }
        if lines.len() == 1 {
            // No third line: the second one ends with an ellipsis.
            let rest = words[i..].join(sep);
            line = fit(&format!("{line}{sep}{rest}"), size, max).into_owned();
            lines.push(core::mem::take(&mut line));
            return lines;
        }
        lines.push(core::mem::replace(&mut line, (*w).to_owned()));
    }
    if !line.is_empty() {
        lines.push(fit(&line, size, max).into_owned());
    }
    lines
}

fn diagram(
    out: &mut String,
    snapshot: &Snapshot<'_>,
    unexpected: &[&Finding<'_>],
    expected: &[&Finding<'_>],
) {
    let nodes = diagram_nodes(snapshot, unexpected);
    let rows = nodes.len().div_ceil(2).max(1);
    let hub_top = UP_Y + UP_H + DROP;
    let rows_y = hub_top + 14.0;
    let hub_bottom = rows_y + rows as f32 * ROW_H;
    let term_y = hub_bottom + DROP;
    let height = term_y + TERM_H + 10.0;
    let _ = write!(
        out,
        "<svg class=\"segment\" viewBox=\"0 0 {SVG_W} {height}\" width=\"{SVG_W}\" \
         height=\"{height}\" role=\"img\" aria-labelledby=\"segment-title\">\n\
         <title id=\"segment-title\">"
    );
    text(
        out,
        &format!(
            "回線の図: 上流ルーター、HUB、資格確認端末、IPv6 を配る想定外の機器 {} 台 / Diagram of \
             the line: upstream router, hub, eligibility terminal, {} other {} handing out IPv6",
            unexpected.len(),
            unexpected.len(),
            if unexpected.len() == 1 {
                "device"
            } else {
                "devices"
            }
        ),
    );
    out.push_str("</title>\n");

    upstream_box(out, expected, snapshot.now, hub_top);

    // The hub.
    let _ = writeln!(
        out,
        "<g class=\"hub\"><rect x=\"{HUB_X}\" y=\"{hub_top}\" width=\"{HUB_W}\" height=\"{}\" \
         rx=\"6\"/><text class=\"t-hub\" transform=\"translate({} {}) rotate(-90)\" \
         text-anchor=\"middle\">HUB · LAN</text></g>",
        hub_bottom - hub_top,
        MID + 4.0,
        (hub_top + hub_bottom) / 2.0
    );

    if nodes.is_empty() {
        let y = rows_y + ROW_H / 2.0;
        let _ = writeln!(
            out,
            "<text class=\"t-none ja\" x=\"{SIDE}\" y=\"{}\">IPv6 を配る想定外の機器はありません</text>\
             <text class=\"t-none en\" lang=\"en\" x=\"{SIDE}\" y=\"{}\">No other device hands out IPv6</text>",
            y - 4.0,
            y + 12.0
        );
    }
    for (i, node) in nodes.iter().enumerate() {
        let row = (i / 2) as f32;
        let left = i % 2 == 0;
        let x = if left { SIDE } else { SVG_W - SIDE - BOX_W };
        let y = rows_y + row * ROW_H;
        node_box(out, node, x, y, left);
    }

    // The terminal.
    let class = verdict_class(snapshot.verdict);
    let _ = write!(out, "<g class=\"{class}\">");
    arrow(out, (MID, hub_bottom + 2.0), (MID, term_y - 2.0), false);
    let tx = MID - TERM_W / 2.0;
    let _ = write!(
        out,
        "<rect class=\"box term\" x=\"{tx}\" y=\"{term_y}\" width=\"{TERM_W}\" height=\"{TERM_H}\" \
         rx=\"8\"/>"
    );
    let (vja, ven) = match snapshot.verdict {
        Verdict::Critical => (
            "危険：ネットワークエラー011 のおそれ",
            "CRITICAL: network error 011 likely",
        ),
        Verdict::Warning => (
            "注意：DNS や経路が書き換えられます",
            "WARNING: its DNS or routes are changed",
        ),
        Verdict::Ok => (
            "OK：正しい設定だけを受け取っています",
            "OK: only the right settings reach it",
        ),
    };
    let _ = writeln!(
        out,
        "<text class=\"t-title ja\" x=\"{MID}\" y=\"{}\" text-anchor=\"middle\">資格確認端末（オン資PC）・顔認証付きカードリーダー</text>\
         <text class=\"t-sub en\" lang=\"en\" x=\"{MID}\" y=\"{}\" text-anchor=\"middle\">Eligibility terminal and card reader</text>\
         <text class=\"t-verdict ja\" x=\"{MID}\" y=\"{}\" text-anchor=\"middle\">{vja}</text>\
         <text class=\"t-verdict-en en\" lang=\"en\" x=\"{MID}\" y=\"{}\" text-anchor=\"middle\">{ven}</text></g>",
        term_y + 19.0,
        term_y + 34.0,
        term_y + 53.0,
        term_y + 67.0
    );
    out.push_str("</svg>\n");
}

/// The upstream router on top, and its arrow down to the hub.
fn upstream_box(out: &mut String, expected: &[&Finding<'_>], now: Timestamp, hub_top: f32) {
    let x = MID - UP_W / 2.0;
    let (class, dash) = if expected.is_empty() {
        ("s-none", " stroke-dasharray=\"6 4\"")
    } else {
        ("s-ok", "")
    };
    let _ = write!(
        out,
        "<g class=\"{class}\"><rect class=\"box\" x=\"{x}\" y=\"{UP_Y}\" width=\"{UP_W}\" \
         height=\"{UP_H}\" rx=\"8\"{dash}/>\
         <text class=\"t-title ja\" x=\"{MID}\" y=\"{}\" text-anchor=\"middle\">上流ルーター（ONU・ホームゲートウェイ）</text>\
         <text class=\"t-sub en\" lang=\"en\" x=\"{MID}\" y=\"{}\" text-anchor=\"middle\">Upstream router (ONU / home gateway)</text>",
        UP_Y + 19.0,
        UP_Y + 34.0
    );
    let y3 = UP_Y + 53.0;
    match expected {
        [] => {
            let _ = write!(
                out,
                "<text class=\"t-line\" x=\"{MID}\" y=\"{y3}\" text-anchor=\"middle\">\
                 <tspan class=\"ja\">この調査では見えませんでした</tspan>\
                 <tspan class=\"en\" lang=\"en\" dx=\"6\">not heard</tspan></text>"
            );
        }
        [first, rest @ ..] => {
            let mut line = format!("{} {}", first.source.mac, short_vendor(first));
            if !rest.is_empty() {
                let _ = write!(line, " +{}", rest.len());
            }
            let _ = write!(
                out,
                "<text class=\"t-mac\" x=\"{MID}\" y=\"{y3}\" text-anchor=\"middle\">{}</text>",
                escape(&fit(&line, 12.0, UP_W - 16.0))
            );
        }
    }
    arrow(
        out,
        (MID, UP_Y + UP_H + 2.0),
        (MID, hub_top - 2.0),
        expected.is_empty(),
    );
    if let Some(first) = expected.first() {
        let words = upstream_words(first.source, now);
        if !words.is_empty() {
            let ja: Vec<&str> = words.iter().map(|w| w.0).collect();
            let en: Vec<&str> = words.iter().map(|w| w.1).collect();
            let ymid = UP_Y + UP_H + DROP / 2.0;
            let _ = write!(
                out,
                "<text class=\"lbl ja\" x=\"{}\" y=\"{}\">{}（正しい設定）</text>\
                 <text class=\"lbl-en en\" lang=\"en\" x=\"{}\" y=\"{}\">{} (the right ones)</text>",
                MID + 10.0,
                ymid - 2.0,
                escape(&ja.join("・")),
                MID + 10.0,
                ymid + 12.0,
                escape(&en.join(", "))
            );
        }
    }
    out.push_str("</g>\n");
}

/// A box beside the hub, its arrow into the hub and the arrow's labels.
fn node_box(out: &mut String, node: &Node<'_, '_>, x: f32, y: f32, left: bool) {
    let (class, dashed, words) = match node {
        Node::Device(f, _) => (
            sev_class(f.severity),
            f.severity == Severity::Info,
            arrow_words(f.effects),
        ),
        Node::Flood(_) => ("s-critical", false, vec![("大量の RA", "RA flood")]),
        Node::More(rest) => {
            let worst = rest
                .iter()
                .map(|f| f.severity)
                .max()
                .unwrap_or(Severity::Info);
            let effects: Effects = rest.iter().flat_map(|f| f.effects.iter()).collect();
            (
                sev_class(worst),
                worst == Severity::Info,
                arrow_words(effects),
            )
        }
    };
    let dash = if dashed {
        " stroke-dasharray=\"6 4\""
    } else {
        ""
    };
    let _ = write!(
        out,
        "<g class=\"{class}\"><rect class=\"box\" x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" \
         height=\"{BOX_H}\" rx=\"6\"{dash}/>"
    );
    let tx = x + 8.0;
    let inner = BOX_W - 16.0;
    match node {
        Node::Device(f, n) => {
            let _ = write!(
                out,
                "<text class=\"t-sev\" x=\"{tx}\" y=\"{}\">[{n}] <tspan class=\"ja\">{}</tspan>\
                 <tspan class=\"en\" lang=\"en\" dx=\"5\">{}</tspan></text>\
                 <text class=\"t-mac\" x=\"{tx}\" y=\"{}\">{}</text>",
                y + 16.0,
                severity_words(f.severity, Lang::Ja),
                severity_words(f.severity, Lang::En),
                y + 32.0,
                f.source.mac
            );
            // The offender's name, else the vendor's, else why there is none.
            let model: Cow<'_, str> = match (f.offender, &f.vendor) {
                (Some(o), _) => Cow::Borrowed(without_parenthesis(&o.name, 11.0, inner)),
                (None, Some(_)) => Cow::Owned(short_vendor(f)),
                (None, None) => Cow::Borrowed(""),
            };
            if model.is_empty() {
                let (ja, en) = if f.mac_randomized {
                    ("ランダム MAC", "randomized MAC")
                } else {
                    ("メーカー不明", "unknown vendor")
                };
                let _ = write!(
                    out,
                    "<text class=\"t-line\" x=\"{tx}\" y=\"{}\"><tspan class=\"ja\">{ja}</tspan>\
                     <tspan class=\"en\" lang=\"en\" dx=\"5\">{en}</tspan></text>",
                    y + 48.0
                );
            } else {
                let _ = write!(
                    out,
                    "<text class=\"t-line\" x=\"{tx}\" y=\"{}\">{}</text>",
                    y + 48.0,
                    escape(&fit(&model, 11.0, inner))
                );
            }
        }
        Node::Flood(flood) => {
            let _ = write!(
                out,
                "<text class=\"t-sev\" x=\"{tx}\" y=\"{}\"><tspan class=\"ja\">危険</tspan>\
                 <tspan class=\"en\" lang=\"en\" dx=\"5\">CRITICAL</tspan></text>\
                 <text class=\"t-line\" x=\"{tx}\" y=\"{}\"><tspan class=\"ja\">RA の大量送信</tspan>\
                 <tspan class=\"en\" lang=\"en\" dx=\"5\">RA flood</tspan></text>\
                 <text class=\"t-line\" x=\"{tx}\" y=\"{}\"><tspan class=\"ja\">新しい送信元 {} 台</tspan>\
                 <tspan class=\"en\" lang=\"en\" dx=\"5\">{} new</tspan></text>",
                y + 16.0,
                y + 32.0,
                y + 48.0,
                flood.new_sources,
                flood.new_sources
            );
        }
        Node::More(rest) => {
            let _ = write!(
                out,
                "<text class=\"t-sev\" x=\"{tx}\" y=\"{}\"><tspan class=\"ja\">ほか {} 台</tspan>\
                 <tspan class=\"en\" lang=\"en\" dx=\"5\">{} more</tspan></text>\
                 <text class=\"t-line ja\" x=\"{tx}\" y=\"{}\">下の一覧をご覧ください</text>\
                 <text class=\"t-line en\" lang=\"en\" x=\"{tx}\" y=\"{}\">see the list below</text>",
                y + 16.0,
                rest.len(),
                rest.len(),
                y + 32.0,
                y + 48.0
            );
        }
    }

    // The arrow into the hub, at the box's middle.
    let cy = y + BOX_H / 2.0;
    let (from, to) = if left {
        (x + BOX_W + 2.0, HUB_X - 2.0)
    } else {
        (x - 2.0, HUB_X + HUB_W + 2.0)
    };
    if dashed {
        let _ = write!(
            out,
            "<line class=\"wire\" x1=\"{from}\" y1=\"{cy}\" x2=\"{to}\" y2=\"{cy}\" \
             stroke-dasharray=\"5 4\"/>"
        );
    } else {
        arrow(out, (from, cy), (to, cy), false);
    }
    let lx = (from + to) / 2.0;
    let (ja, en): (Vec<&str>, Vec<&str>) = if words.is_empty() {
        (vec!["影響なし"], vec!["no effect"])
    } else {
        words.iter().copied().unzip()
    };
    let ja_lines = label_lines(&ja, "・", 11.0, LABEL_W);
    let en_lines = label_lines(&en, ", ", 10.0, LABEL_W);
    for (k, line) in ja_lines.iter().rev().enumerate() {
        let _ = write!(
            out,
            "<text class=\"lbl ja\" x=\"{lx}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            cy - 6.0 - 13.0 * k as f32,
            escape(line)
        );
    }
    for (k, line) in en_lines.iter().enumerate() {
        let _ = write!(
            out,
            "<text class=\"lbl-en en\" lang=\"en\" x=\"{lx}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            cy + 15.0 + 12.0 * k as f32,
            escape(line)
        );
    }
    out.push_str("</g>\n");
}

/// `name` without a last parenthesised part ("BUFFALO Wi-Fi router (AirStation)") when
/// it does not fit `max` px at `size` px and the rest does.
fn without_parenthesis(name: &str, size: f32, max: f32) -> &str {
    if text_width(name, size) <= max {
        return name;
    }
    match name.rfind(" (").or_else(|| name.rfind('（')) {
        Some(i) if i > 0 && (name.ends_with(')') || name.ends_with('）')) => name[..i].trim_end(),
        _ => name,
    }
}

/// A straight arrow from `a` to `b` with its head at `b` (drawn as a polygon, so the
/// page needs no marker references).
fn arrow(out: &mut String, a: (f32, f32), b: (f32, f32), dashed: bool) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    // The shaft stops where the head begins.
    let head = 10.0;
    let (bx, by) = (b.0 - ux * head, b.1 - uy * head);
    let dash = if dashed {
        " stroke-dasharray=\"6 4\""
    } else {
        ""
    };
    let _ = write!(
        out,
        "<line class=\"wire\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{bx:.1}\" y2=\"{by:.1}\"{dash}/>\
         <polygon class=\"head\" points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\"/>",
        a.0,
        a.1,
        b.0,
        b.1,
        bx - uy * 5.5,
        by + ux * 5.5,
        bx + uy * 5.5,
        by - ux * 5.5
    );
}

/// The style sheet: screen and A4 print, the language switch, severity colours.
const STYLE: &str = r#":root {
  --crit: #c62828; --crit-bg: #fdecea; --crit-fg: #b71c1c;
  --warn: #e69a00; --warn-bg: #fff4d6; --warn-fg: #7a4f00;
  --ok: #2e7d32; --ok-bg: #e8f5e9; --ok-fg: #1b5e20;
  --info: #9e9e9e; --info-bg: #f5f5f5; --info-fg: #555555;
  --ink: #1a1a1a; --muted: #5f6368; --line: #d7dbe0;
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #eef0f3; color: var(--ink);
  font: 15px/1.6 "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN",
    "Yu Gothic", "Meiryo", "IPAexGothic", "IPAPGothic", "IPAGothic", "VL PGothic", sans-serif; }
.page { max-width: 980px; margin: 0 auto; padding: 20px 28px 28px; background: #fff; }
code { font-family: "DejaVu Sans Mono", "Noto Sans Mono", Menlo, Consolas, monospace; font-size: .92em;
  overflow-wrap: anywhere; }
h2 { font-size: 1.25em; margin: 1.4em 0 .5em; padding-bottom: .2em; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.05em; margin: 1em 0 .4em; }
h2 .en, h3 .en { font-weight: 400; font-size: .8em; margin-left: .6em; }
.en { color: var(--muted); }
span.en { margin-left: .5em; }
span.en.block { display: block; margin-left: 0; font-size: .92em; }
p { margin: .3em 0; }
p.en { font-size: .92em; margin-top: 0; }
small { font-size: .85em; }
.lang-radio { position: absolute; opacity: 0; pointer-events: none; }
#v-ja:checked ~ .page .en { display: none !important; }
#v-en:checked ~ .page .ja { display: none !important; }
#v-en:checked ~ .page span.en { margin-left: 0; }
#v-en:checked ~ .page p.en, #v-en:checked ~ .page span.en.block, #v-en:checked ~ .page dt .en,
#v-en:checked ~ .page h2 .en, #v-en:checked ~ .page h3 .en { color: inherit; font-size: inherit; }
#v-en:checked ~ .page .verdict .lead.en { font-size: 20px; }
#v-en:checked ~ .page .verdict .big.en { font-size: 56px; }
.langbar { display: flex; gap: .4em; align-items: center; justify-content: flex-end; font-size: .85em;
  color: var(--muted); }
.langbar label { border: 1px solid #b0b7bf; border-radius: 4px; padding: 1px 10px; cursor: pointer;
  background: #fff; color: var(--ink); }
#v-both:checked ~ .page label[for=v-both], #v-ja:checked ~ .page label[for=v-ja],
#v-en:checked ~ .page label[for=v-en] { background: #263238; border-color: #263238; color: #fff; }
.lang-radio:focus-visible ~ .page .langbar { outline: 2px solid #1565c0; }
.verdict { border: 3px solid var(--info); border-left-width: 16px; border-radius: 10px; padding: 12px 22px 14px;
  margin: 10px 0 6px; }
.verdict.s-critical { border-color: var(--crit); background: var(--crit-bg); }
.verdict.s-warning { border-color: var(--warn); background: var(--warn-bg); }
.verdict.s-ok { border-color: var(--ok); background: var(--ok-bg); }
.verdict .kicker { font-size: .95em; font-weight: 600; margin: 0; }
.verdict .word { margin: .1em 0 .15em; line-height: 1.1; font-weight: 800; }
.verdict .big { font-size: 56px; letter-spacing: .04em; }
.verdict .big.en { font-size: 40px; margin-left: .4em; color: inherit; }
.verdict .sub { font-size: 26px; margin-left: .6em; font-weight: 700; }
.verdict.s-critical .word { color: var(--crit-fg); }
.verdict.s-warning .word { color: var(--warn-fg); }
.verdict.s-ok .word { color: var(--ok-fg); }
.verdict .lead { font-size: 20px; font-weight: 700; line-height: 1.45; }
.verdict .lead.en { font-size: 16px; }
.verdict .detail { margin-top: .4em; }
dl.facts { display: grid; grid-template-columns: 11em 1fr; gap: 2px 14px; margin: 0; }
dt { font-weight: 600; }
dt .en { display: block; margin-left: 0; font-weight: 400; font-size: .85em; line-height: 1.3; }
dd { margin: 0; }
figure { margin: 0; }
svg.segment { display: block; width: 100%; height: auto; max-width: 760px; margin: 0 auto;
  font-family: inherit; }
svg .box { stroke-width: 2; fill: #fff; stroke: var(--info); }
svg .wire { stroke-width: 3; stroke: var(--info); fill: none; }
svg .head { fill: var(--info); }
svg .s-critical .box { fill: var(--crit-bg); stroke: var(--crit); stroke-width: 3; }
svg .s-critical .wire { stroke: var(--crit); }
svg .s-critical .head { fill: var(--crit); }
svg .s-warning .box { fill: var(--warn-bg); stroke: var(--warn); }
svg .s-warning .wire { stroke: var(--warn); }
svg .s-warning .head { fill: var(--warn); }
svg .s-ok .box { fill: var(--ok-bg); stroke: var(--ok); }
svg .s-ok .wire { stroke: var(--ok); }
svg .s-ok .head { fill: var(--ok); }
svg .s-info .box, svg .s-none .box { fill: var(--info-bg); stroke: var(--info); }
svg .s-none .wire { stroke: var(--info); }
svg .hub rect { fill: #eceff1; stroke: #607d8b; stroke-width: 2; }
svg text { fill: var(--ink); font-size: 11px; }
svg .t-hub { font-size: 12px; font-weight: 700; fill: #455a64; letter-spacing: .08em; }
svg .t-title { font-size: 13px; font-weight: 700; }
svg .t-sub, svg .t-line { font-size: 11px; fill: #333; }
svg .t-mac { font-family: "DejaVu Sans Mono", "Noto Sans Mono", Menlo, Consolas, monospace; font-size: 11.5px; }
svg .t-sev { font-size: 11.5px; font-weight: 700; }
svg .t-none { font-size: 12px; fill: var(--muted); }
svg .t-verdict { font-size: 13px; font-weight: 700; }
svg .t-verdict-en { font-size: 11px; font-weight: 700; }
svg .lbl { font-size: 11px; font-weight: 700; }
svg .lbl-en { font-size: 10px; }
svg .s-critical .t-sev, svg .s-critical .lbl, svg .s-critical .lbl-en, svg .s-critical .t-verdict,
svg .s-critical .t-verdict-en { fill: var(--crit-fg); }
svg .s-warning .t-sev, svg .s-warning .lbl, svg .s-warning .lbl-en, svg .s-warning .t-verdict,
svg .s-warning .t-verdict-en { fill: var(--warn-fg); }
svg .s-ok .t-sev, svg .s-ok .lbl, svg .s-ok .lbl-en, svg .s-ok .t-verdict,
svg .s-ok .t-verdict-en { fill: var(--ok-fg); }
svg .s-info .t-sev, svg .s-info .lbl, svg .s-info .lbl-en { fill: var(--info-fg); }
.legend { list-style: none; padding: 0; margin: .6em 0 .2em; display: grid;
  grid-template-columns: repeat(auto-fit, minmax(20em, 1fr)); gap: 2px 16px; font-size: .88em; }
.sw { display: inline-block; width: 1.6em; height: .9em; border: 2px solid var(--info);
  vertical-align: -.05em; margin-right: .4em; border-radius: 2px; }
.s-critical.sw { background: var(--crit-bg); border-color: var(--crit); }
.s-warning.sw { background: var(--warn-bg); border-color: var(--warn); }
.s-info.sw { background: var(--info-bg); border-style: dashed; }
.s-ok.sw { background: var(--ok-bg); border-color: var(--ok); }
figcaption .words { font-size: .85em; }
section.flood { border: 3px solid var(--crit); background: var(--crit-bg); border-radius: 8px;
  padding: 4px 16px 10px; margin-top: 1em; }
.card { border: 2px solid var(--info); border-left-width: 10px; border-radius: 8px; padding: 10px 16px;
  margin: 12px 0; background: #fff; }
.card.s-critical { border-color: var(--crit); }
.card.s-warning { border-color: var(--warn); }
.card.s-ok { border-color: var(--ok); }
.card header { display: flex; flex-wrap: wrap; gap: .2em .7em; align-items: baseline;
  font-size: 1.1em; }
.card .num { font-weight: 700; }
.card .mac { font-size: 1.05em; font-weight: 700; }
.card .vendor { font-weight: 600; }
.card dl { display: grid; grid-template-columns: 10.5em 1fr; gap: 3px 14px; margin: .5em 0; }
.card ul { margin: 0; padding-left: 1.2em; }
.badge, .tag { display: inline-block; border-radius: 4px; padding: 0 .55em; font-weight: 700;
  color: #fff; background: var(--info); white-space: nowrap; }
.badge .en, .tag .en { color: inherit; margin-left: .35em; font-weight: 600; }
.badge.s-critical, .tag.s-critical { background: var(--crit); }
.badge.s-warning, .tag.s-warning { background: var(--warn); color: #201400; }
.badge.s-ok, .tag.s-ok { background: var(--ok); }
.remedy { border: 2px solid #455a64; border-radius: 6px; background: #f6f8fa; padding: 6px 12px;
  margin: .6em 0 .4em; }
.remedy .rh { font-weight: 700; margin: 0 0 .2em; }
.contact { font-size: .86em; color: #333; }
table { border-collapse: collapse; width: 100%; font-size: .92em; margin: .4em 0; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line); }
th { background: #f1f3f5; }
tr.s-critical td { background: var(--crit-bg); }
tr.s-warning td { background: var(--warn-bg); }
tr.s-ok td { background: var(--ok-bg); }
.note { font-size: .9em; }
footer { margin-top: 2em; border-top: 2px solid var(--line); padding-top: .8em; }
.signoff { display: flex; flex-wrap: wrap; gap: .6em 2.5em; margin-bottom: 1em; }
.signoff .lbl { font-weight: 600; }
.signoff .blank { display: inline-block; min-width: 13em; border-bottom: 1px solid #333;
  margin-left: .6em; height: 1.3em; vertical-align: bottom; }
.status { font-size: .8em; color: var(--muted); }
.gen { font-size: .8em; color: var(--muted); }
@page { size: A4; margin: 12mm 11mm 14mm; }
@media print {
  body { background: #fff; font-size: 10pt; }
  .page { max-width: none; padding: 0; }
  .langbar { display: none; }
  .verdict .big { font-size: 40pt; }
  .verdict .big.en { font-size: 28pt; }
  .card, .verdict, svg.segment, tr, .remedy, .signoff, section.flood, .legend {
    break-inside: avoid; page-break-inside: avoid; }
  .verdict .lead { font-size: 15pt; }
  .verdict .lead.en { font-size: 12pt; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  svg.segment { max-width: 100%; }
}
@media (max-width: 640px) {
  dl.facts, .card dl { grid-template-columns: 1fr; }
  .verdict .big { font-size: 40px; }
}
"#;

#[cfg(test)]
mod tests {
    use super::super::testutil::{feed, feed_into, feed_with};
    use super::*;
    use crate::detect::{Config, Detector, HostAddress, HostObservation};
    use crate::oui::Registry;
    use crate::rules::Rules;
    use std::sync::Arc;

    fn render(names: &[&str]) -> String {
        let fed = feed(names);
        let snap = fed.detector.snapshot(fed.last);
        let rules = Rules::embedded();
        report_html(&snap, &fed.context(rules, names))
    }

    /// The checks every page passes: well-formed shell, the CSP, nothing external, no
    /// script, no unescaped hostile text.
    fn check_page(html: &str) {
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"ja\">"),
            "{html}"
        );
        assert!(html.ends_with("</html>\n"));
        assert!(html.contains(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'unsafe-inline'; img-src data:;"
        ));
        assert!(html.contains("@page { size: A4;"));
        let lower = html.to_ascii_lowercase();
        for bad in [
            "<script", "<link", "<iframe", "<img", "<object", "<embed", "@import", "src=\"",
            "src='", "href=\"", "href='", "url(", "=\"http", "='http", "=http",
        ] {
            assert!(!lower.contains(bad), "the page holds {bad}");
        }
        // Balanced sections and SVG.
        assert_eq!(
            html.matches("<section").count(),
            html.matches("</section>").count()
        );
        assert_eq!(html.matches("<svg").count(), 1);
        assert_eq!(html.matches("</svg>").count(), 1);
        assert_eq!(
            html.matches("<article").count(),
            html.matches("</article>").count()
        );
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("plain テキスト"), "plain テキスト");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape("a \"b\" & c"), "a &quot;b&quot; &amp; c");
        // Already escaped text is escaped again: the page shows what was sent.
        assert_eq!(escape("&amp;"), "&amp;amp;");
        assert_eq!(escape("\" onmouseover=\"x"), "&quot; onmouseover=&quot;x");
        assert_eq!(
            escape("a\u{0}b\u{7}c\td\ne\u{7f}"),
            "a\u{fffd}b\u{fffd}c\td\ne\u{fffd}"
        );
        assert_eq!(escape("]]><!--"), "]]&gt;&lt;!--");
    }

    #[test]
    fn label_wrapping() {
        let words = ["アドレス", "既定経路", "経路", "DNS"];
        let lines = label_lines(&words, "・", 11.0, LABEL_W);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines.iter().all(|l| text_width(l, 11.0) <= LABEL_W),
            "{lines:?}"
        );
        assert_eq!(lines.join("・"), "アドレス・既定経路・経路・DNS");
        let many = [
            "アドレス",
            "既定経路",
            "経路",
            "DNS",
            "重複プレフィックス",
            "プレフィックス無効化",
            "DHCPv6 誘導",
        ];
        let lines = label_lines(&many, "・", 11.0, LABEL_W);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[1].ends_with('…'), "{lines:?}");
        assert!(
            lines.iter().all(|l| text_width(l, 11.0) <= LABEL_W),
            "{lines:?}"
        );
        assert_eq!(label_lines(&["DNS"], ", ", 10.0, LABEL_W), vec!["DNS"]);
        assert_eq!(fit("abc", 10.0, 100.0), "abc");
        let long = "x".repeat(100);
        let cut = fit(&long, 10.0, 60.0);
        assert!(
            cut.ends_with('…') && text_width(&cut, 10.0) <= 60.0,
            "{cut}"
        );
    }

    #[test]
    fn buffalo_page() {
        let html = render(&["radvd-buffalo.pcap"]);
        check_page(&html);
        assert!(
            html.contains("<header class=\"verdict s-critical\""),
            "{html}"
        );
        assert!(html.contains("<span class=\"big ja\">危険</span>"));
        assert!(html.contains("ネットワークエラー011"));
        assert!(html.contains("<code class=\"mac\">10:6f:3f:12:34:56</code>"));
        assert!(html.contains("BUFFALO.INC"));
        assert!(html.contains("BUFFALO Wi-Fi router (AirStation)"));
        // The remedy in the rule file's words (the seed's), both languages, and the
        // contact line.
        let rules = Rules::embedded();
        let remedy = rules.remedy(RemedyCode::DisableIpv6);
        assert!(html.contains(&*escape(&remedy.ja)), "no remedy text");
        assert!(html.contains(&*escape(&remedy.en)), "no remedy text (en)");
        assert!(html.contains("【対処方法１】"));
        assert!(html.contains(&*escape(&rules.contact().ja)));
        assert!(html.contains("0800-080-4583"));
        // The diagram: an arrow labelled with what it hands out.
        // (radvd's last RA in this capture had router lifetime 0: no default route.)
        assert!(html.contains(">アドレス・DHCPv6 誘導</text>"), "{html}");
        assert!(html.contains(">address</text>"), "{html}");
        assert!(html.contains(">DHCPv6 trigger</text>"), "{html}");
        // The offender's name, without its parenthesis when the box is too narrow.
        assert!(html.contains(">BUFFALO Wi-Fi router</text>"), "{html}");
        // No host observation in a capture: the predicted table names the sender.
        assert!(html.contains("<code>2001:db8:1::/64</code>"), "{html}");
        assert!(
            html.contains("<code>10:6f:3f:12:34:56</code> BUFFALO [1]"),
            "{html}"
        );
        assert!(html.contains("CRITICAL - 1 device hands out IPv6: 10:6f:3f:12:34:56 (BUFFALO)"));
    }

    #[test]
    fn upstream_only_is_ok() {
        let html = render(&["radvd-ntt-nec.pcap"]);
        check_page(&html);
        assert!(html.contains("<header class=\"verdict s-ok\""));
        assert!(html.contains("<span class=\"big\">OK</span>"));
        assert!(html.contains("<article class=\"card s-ok\">"));
        assert!(html.contains("00:3a:9d:11:22:33"));
        assert!(
            html.contains("NTT East FLET&#39;S NGN"),
            "provider, escaped"
        );
        assert!(!html.contains("0800-080-4583"), "no contact line when OK");
        assert!(html.contains("IPv6 を配る想定外の機器はありません"));
        assert!(html.contains("（正しい設定）"), "upstream arrow label");
    }

    #[test]
    fn thread_border_routers_get_remedy_two() {
        let html = render(&["radvd-apple-thread.pcap", "radvd-randomized-thread.pcap"]);
        check_page(&html);
        assert!(html.contains("f0:18:98:aa:bb:01") && html.contains("7a:11:22:33:44:55"));
        let rules = Rules::embedded();
        assert!(html.contains(&*escape(&rules.remedy(RemedyCode::SeparateLine).ja)));
        assert!(html.contains("【対処方法２】"));
        assert!(html.contains("ランダム MAC"), "randomized box");
        assert!(
            html.contains("Apple TV・HomePod・Google Nest Hub"),
            "model guess"
        );
    }

    #[test]
    fn every_capture_renders_every_device() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/captures");
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".pcap") || n.ends_with(".pcapng"))
            .collect();
        names.sort();
        let rules = Rules::embedded();
        for name in &names {
            let fed = feed(&[name.as_str()]);
            let snap = fed.detector.snapshot(fed.last);
            let html = report_html(&snap, &fed.context(rules, &[name.as_str()]));
            check_page(&html);
            for f in &snap.findings {
                assert!(
                    html.contains(&f.source.mac.to_string()),
                    "{name}: {}",
                    f.source.mac
                );
                if !f.expected && f.remedy != RemedyCode::None {
                    let (ja, en) = remedy_texts(Some(rules), f.remedy);
                    assert!(
                        html.contains(&*escape(&ja)),
                        "{name}: remedy of {}",
                        f.source.mac
                    );
                    assert!(
                        html.contains(&*escape(&en)),
                        "{name}: remedy of {}",
                        f.source.mac
                    );
                }
            }
            if snap.verdict != Verdict::Ok {
                assert!(html.contains(&*escape(&rules.contact().ja)), "{name}");
            }
        }
    }

    #[test]
    fn flood_is_summarised() {
        let fed = feed(&["thc-flood_router26.pcap"]);
        let snap = fed.detector.snapshot(fed.last);
        let html = report_html(&snap, &fed.context(Rules::embedded(), &[]));
        check_page(&html);
        let flood = snap.flood.unwrap();
        assert!(html.contains("<section class=\"flood s-critical\">"));
        assert!(html.contains(&format!("新しい送信元 {} 台", flood.new_sources)));
        let unexpected = snap.findings.iter().filter(|f| !f.expected).count();
        // Three cards, a table row for each other device, and at most 12 boxes.
        assert_eq!(
            html.matches("<article class=\"card").count(),
            MAX_CARDS_IN_FLOOD
        );
        assert_eq!(table_rows(&html, "list"), unexpected - MAX_CARDS_IN_FLOOD);
        assert!(html.contains(&format!(
            "ほか {} 台",
            unexpected - MAX_DIAGRAM_DEVICES_IN_FLOOD
        )));
        assert!(html.matches("<rect class=\"box\"").count() <= MAX_DIAGRAM_NODES + 1);
    }

    /// Body rows of the table of class `class`.
    fn table_rows(html: &str, class: &str) -> usize {
        html.split(&format!("<table class=\"{class}\">"))
            .nth(1)
            .and_then(|t| t.split("</table>").next())
            .map_or(0, |t| t.matches("<tr class=").count())
    }

    #[test]
    fn diagram_layout_never_overlaps() {
        // Boxes for 0..=40 devices: at most 12, side by side in rows, none overlapping the
        // hub or each other.
        let fed = feed(&["thc-flood_router26.pcap"]);
        let snap = fed.detector.snapshot(fed.last);
        let all: Vec<&Finding<'_>> = snap.findings.iter().filter(|f| !f.expected).collect();
        assert!(all.len() >= 12, "the flood capture keeps enough sources");
        let quiet = Snapshot {
            flood: None,
            ..snap.clone()
        };
        for n in [0, 1, 2, 3, 11, 12, 13, all.len()] {
            let devices = &all[..n.min(all.len())];
            let nodes = diagram_nodes(&quiet, devices);
            assert!(nodes.len() <= MAX_DIAGRAM_NODES, "{n}: {}", nodes.len());
            assert_eq!(nodes.len(), n.min(MAX_DIAGRAM_NODES), "{n}");
            let mut svg = String::new();
            diagram(&mut svg, &quiet, devices, &[]);
            let rects = rects(&svg);
            for (i, a) in rects.iter().enumerate() {
                assert!(
                    a.0 >= 0.0 && a.0 + a.2 <= SVG_W,
                    "{n}: off the drawing {a:?}"
                );
                for b in &rects[i + 1..] {
                    let apart = a.0 + a.2 <= b.0
                        || b.0 + b.2 <= a.0
                        || a.1 + a.3 <= b.1
                        || b.1 + b.3 <= a.1;
                    assert!(apart, "{n}: {a:?} overlaps {b:?}");
                }
            }
        }
    }

    /// The device, upstream and terminal boxes of an SVG (the hub's rect is not a box).
    fn rects(svg: &str) -> Vec<(f32, f32, f32, f32)> {
        svg.split("<rect class=\"box")
            .skip(1)
            .map(|r| {
                let attr = |name: &str| -> f32 {
                    let start = r.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                    r[start..].split('"').next().unwrap().parse().unwrap()
                };
                (attr("x"), attr("y"), attr("width"), attr("height"))
            })
            .collect()
    }

    #[test]
    fn host_addresses_name_their_sources() {
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
                HostAddress {
                    addr: "2001:db8:99::5".parse().unwrap(),
                    prefix_len: 128,
                    origin: AddressOrigin::Dhcpv6,
                },
            ],
            default_routers: vec!["fe80::126f:3fff:fe12:3456".parse().unwrap()],
            routes: vec![],
            dns: vec!["2001:db8:1::1".parse().unwrap()],
        };
        let fed = feed_with(&["radvd-buffalo.pcap"], Config::default(), Some(host));
        let snap = fed.detector.snapshot(fed.last);
        let html = report_html(&snap, &fed.context(Rules::embedded(), &[]));
        check_page(&html);
        assert!(
            html.contains(
                "<tr class=\"s-critical\"><td><span class=\"ja\">アドレス（RA から自動生成）</span>\
                 <span class=\"en\" lang=\"en\">address (SLAAC)</span></td><td><code>\
                 2001:db8:1:0:76:36ff:fe00:1/64</code></td><td><span class=\"tag s-critical\">"
            ),
            "{html}"
        );
        assert!(html.contains("</span> <code>10:6f:3f:12:34:56</code> BUFFALO [1]</td>"));
        assert!(html.contains("<code>fe80::76:36ff:fe00:1/64</code>"));
        assert!(html.contains("（自分で作るアドレス）"));
        // The DHCPv6 address nobody was heard handing out.
        assert!(html.contains("<code>2001:db8:99::5/128</code>"));
        assert!(html.contains("不明（この調査中は何も送ってこなかった機器）"));
        assert!(html.contains("「不明」の設定は"));
        assert!(html.contains("このパソコンはすでにこの機器からのアドレスを持っています"));
        assert!(html.contains("<code>fe80::126f:3fff:fe12:3456</code>"));
    }

    #[test]
    fn hostile_names_are_escaped() {
        // A registry and a rule file that put markup where names go.
        let registry = {
            let mut r = Registry::embedded().clone();
            r.merge(
                Registry::from_table("106F3F\tMA-L\t<script>alert(\"vendor\")</script> & 'Co'\n")
                    .unwrap(),
            );
            r
        };
        let offenders = r#"
[[offender]]
id = "evil"
name = "<img src='x' onerror=alert(1)>"
vendors = ["<script>alert(\"vendor\")</script> & 'Co'"]
models = ["\"><svg onload=alert(2)>"]
category = "wifi_router"
remedy = "disable_ipv6"
source = "test"
"#;
        let embedded = |name: &str| {
            std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("rules")
                    .join(name),
            )
            .unwrap()
        };
        let remedies = embedded("remedies.toml").replace(
            "【対処方法１】",
            "【対処方法１】</p><script>alert(3)</script>",
        );
        let rules = Rules::from_texts(offenders, &embedded("providers.toml"), &remedies).unwrap();
        let detector = Detector::new(
            Config::default(),
            Arc::new(rules.clone()),
            Arc::new(registry),
        );
        let fed = feed_into(detector, &["radvd-buffalo.pcap"], None);
        let snap = fed.detector.snapshot(fed.last);
        let mut ctx = fed.context(&rules, &[]);
        ctx.inputs = vec!["<b>capture</b>.pcap".into()];
        ctx.interface = Some("eth0\"><script>");
        let html = report_html(&snap, &ctx);
        check_page(&html);
        assert!(
            html.contains(
                "&lt;script&gt;alert(&quot;vendor&quot;)&lt;/script&gt; &amp; &#39;Co&#39;"
            )
        );
        assert!(html.contains("&lt;img src=&#39;x&#39; onerror=alert(1)&gt;"));
        assert!(html.contains("&quot;&gt;&lt;svg onload=alert(2)&gt;"));
        assert!(html.contains("&lt;/p&gt;&lt;script&gt;alert(3)&lt;/script&gt;"));
        assert!(html.contains("&lt;b&gt;capture&lt;/b&gt;.pcap"));
        assert!(html.contains("eth0&quot;&gt;&lt;script&gt;"));
        assert!(!html.contains("<svg onload") && !html.contains("<img"));
    }
}
