//! What `protect` prints, in Japanese and English: one line per change (printed just
//! before the change is made), notes, and the one-line refusals and failures.

use super::{Error, Note, PinnedAddress, PinnedRoute, Upstream};
use crate::report::Lang;
use std::path::Path;

/// The setting's name as printed.
fn setting_name(setting: &str, lang: Lang) -> &str {
    match (setting, lang) {
        ("routerdiscovery", Lang::En) => "router discovery",
        ("routerdiscovery", Lang::Ja) => "ルーター探索 (routerdiscovery)",
        (other, _) => other,
    }
}

/// A lifetime: seconds or forever.
fn lifetime(secs: Option<u32>, lang: Lang) -> String {
    match (secs, lang) {
        (Some(s), Lang::En) => format!("{s} s"),
        (Some(s), Lang::Ja) => format!("{s} 秒"),
        (None, Lang::En) => "forever".to_owned(),
        (None, Lang::Ja) => "無期限".to_owned(),
    }
}

/// An address's lifetimes as recorded.
fn lifetimes(a: &PinnedAddress, lang: Lang) -> String {
    let (valid, preferred) = (
        lifetime(a.valid_lifetime_s, lang),
        lifetime(a.preferred_lifetime_s, lang),
    );
    match lang {
        Lang::En => format!("valid {valid}, preferred {preferred}"),
        Lang::Ja => format!("有効期間 {valid}・推奨期間 {preferred}"),
    }
}

/// `accept_ra on eth0: 1 -> 0 (/proc/sys/net/ipv6/conf/eth0/accept_ra)`.
pub fn setting_change(
    setting: &str,
    interface: &str,
    from: &str,
    to: &str,
    location: &str,
    lang: Lang,
) -> String {
    let name = setting_name(setting, lang);
    match lang {
        Lang::En => format!("{name} on {interface}: {from} -> {to} ({location})"),
        Lang::Ja => format!("{interface} の {name}: {from} -> {to} ({location})"),
    }
}

/// The setting already has the value undo would write.
pub fn setting_unchanged(setting: &str, interface: &str, value: &str, lang: Lang) -> String {
    let name = setting_name(setting, lang);
    match lang {
        Lang::En => format!("{name} on {interface} is already {value}: left as it is"),
        Lang::Ja => format!("{interface} の {name} はすでに {value} です(変更しません)"),
    }
}

/// Router discovery is off already: nothing to do.
pub fn already_off(setting: &str, interface: &str, value: &str, lang: Lang) -> String {
    let name = setting_name(setting, lang);
    let daemons = setting == "accept_ra";
    match lang {
        Lang::En => {
            let mut s = format!(
                "{name} on {interface} is already {value}: Router Advertisements are ignored \
                 there; nothing changed"
            );
            if daemons {
                s.push_str(
                    " (if NetworkManager or systemd-networkd manage it, they handle Router \
                     Advertisements themselves: turn that off in their configuration)",
                );
            }
            s
        }
        Lang::Ja => {
            let mut s = format!(
                "{interface} の {name} はすでに {value} です。ルーター広告は受け付けていません。\
                 何も変更しません"
            );
            if daemons {
                s.push_str(
                    "(NetworkManager や systemd-networkd が管理している場合は、それらが自分で\
                     ルーター広告を処理します。そちらの設定で無効にしてください)",
                );
            }
            s
        }
    }
}

/// Before the state file is written.
pub fn save_state(path: &Path, lang: Lang) -> String {
    match lang {
        Lang::En => format!("save the state to {}", path.display()),
        Lang::Ja => format!("状態を保存: {}", path.display()),
    }
}

/// Before the state file is deleted.
pub fn remove_state(path: &Path, lang: Lang) -> String {
    match lang {
        Lang::En => format!("remove the state file {}", path.display()),
        Lang::Ja => format!("状態ファイルを削除: {}", path.display()),
    }
}

/// Before an address is made static.
pub fn pin(a: &PinnedAddress, interface: &str, command: &str, lang: Lang) -> String {
    let (addr, len, was) = (a.address, a.prefix_len, lifetimes(a, lang));
    match lang {
        Lang::En => {
            format!("pin address {addr}/{len} on {interface}: {was} -> static, forever ({command})")
        }
        Lang::Ja => {
            format!("{interface} のアドレス {addr}/{len} を固定: {was} -> 無期限 ({command})")
        }
    }
}

/// Before an address gets its lifetimes back.
pub fn unpin(a: &PinnedAddress, interface: &str, command: &str, lang: Lang) -> String {
    let (addr, len, was) = (a.address, a.prefix_len, lifetimes(a, lang));
    match lang {
        Lang::En => {
            format!(
                "unpin address {addr}/{len} on {interface}: static, forever -> {was} ({command})"
            )
        }
        Lang::Ja => {
            format!("{interface} のアドレス {addr}/{len} の固定を解除: 無期限 -> {was} ({command})")
        }
    }
}

/// Before the default route is added.
pub fn add_route(r: &PinnedRoute, interface: &str, command: &str, lang: Lang) -> String {
    let (gw, metric) = (r.gateway, r.metric);
    match lang {
        Lang::En => {
            format!("add default route on {interface} via {gw}, metric {metric} ({command})")
        }
        Lang::Ja => {
            format!("{interface} に既定経路を追加: {gw} 経由、メトリック {metric} ({command})")
        }
    }
}

/// Before the default route is removed.
pub fn remove_route(r: &PinnedRoute, interface: &str, command: &str, lang: Lang) -> String {
    let (gw, metric) = (r.gateway, r.metric);
    match lang {
        Lang::En => {
            format!("remove default route on {interface} via {gw}, metric {metric} ({command})")
        }
        Lang::Ja => {
            format!("{interface} の既定経路を削除: {gw} 経由、メトリック {metric} ({command})")
        }
    }
}

/// The pinned route is not there any more.
pub fn route_gone(r: &PinnedRoute, interface: &str, lang: Lang) -> String {
    let (gw, metric) = (r.gateway, r.metric);
    match lang {
        Lang::En => format!(
            "the default route on {interface} via {gw}, metric {metric} is no longer there: \
             nothing to remove"
        ),
        Lang::Ja => format!(
            "{interface} の既定経路({gw} 経由、メトリック {metric})はもうありません(削除不要)"
        ),
    }
}

/// A pinned address was changed since.
pub fn address_not_static(a: &PinnedAddress, interface: &str, lang: Lang) -> String {
    let (addr, len) = (a.address, a.prefix_len);
    match lang {
        Lang::En => format!(
            "address {addr}/{len} on {interface} is no longer static (changed since): left as \
             it is"
        ),
        Lang::Ja => format!(
            "{interface} のアドレス {addr}/{len} はもう固定ではありません(その後変更されたため、\
             そのままにします)"
        ),
    }
}

/// A pinned address is gone.
pub fn address_gone(a: &PinnedAddress, interface: &str, lang: Lang) -> String {
    let (addr, len) = (a.address, a.prefix_len);
    match lang {
        Lang::En => format!("address {addr}/{len} is no longer on {interface}: nothing to unpin"),
        Lang::Ja => format!("{interface} にアドレス {addr}/{len} はもうありません(解除不要)"),
    }
}

/// After a dry run.
pub fn dry_run(lang: Lang) -> String {
    match lang {
        Lang::En => "dry run: nothing was changed".to_owned(),
        Lang::Ja => "ドライラン: 何も変更していません".to_owned(),
    }
}

/// After `protect`.
pub fn protected(setting: &str, interface: &str, lang: Lang) -> String {
    let name = setting_name(setting, lang);
    match lang {
        Lang::En => format!(
            "done: {interface} ignores Router Advertisements now ({name} off); undo with \
             `v6sentinel protect -i {interface} --undo`"
        ),
        Lang::Ja => format!(
            "完了: {interface} はルーター広告を受け付けなくなりました({name} を無効化)。\
             元に戻すには `v6sentinel protect -i {interface} --undo`"
        ),
    }
}

/// After `--undo`.
pub fn undone(setting: &str, interface: &str, previous: &str, lang: Lang) -> String {
    let name = setting_name(setting, lang);
    match lang {
        Lang::En => format!(
            "done: {name} on {interface} is {previous} again; the upstream's next Router \
             Advertisement refreshes its address and route"
        ),
        Lang::Ja => format!(
            "完了: {interface} の {name} を {previous} に戻しました。上流の次のルーター広告で\
             アドレスと経路が更新されます"
        ),
    }
}

/// `2408:…/64 lies in NTT East's prefixes`.
fn found(u: &Upstream, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{} lies in the prefixes of {}", u.subject, u.provider),
        Lang::Ja => format!("{} は {} のプレフィックスです", u.subject, u.provider),
    }
}

/// A note about the plan.
pub fn note(note: &Note, interface: &str, lang: Lang) -> String {
    match (note, lang) {
        (Note::UpstreamKept(u), Lang::En) => format!(
            "{interface} carries the NGN upstream ({}): kept by --keep-prefix",
            found(u, lang)
        ),
        (Note::UpstreamKept(u), Lang::Ja) => format!(
            "{interface} は NGN の上流につながっています({})。--keep-prefix で保持します",
            found(u, lang)
        ),
        (Note::AlreadyStatic(a, len), Lang::En) => {
            format!("address {a}/{len} on {interface} is already static: left as it is")
        }
        (Note::AlreadyStatic(a, len), Lang::Ja) => {
            format!("{interface} のアドレス {a}/{len} はすでに固定です(そのままにします)")
        }
        (Note::TemporaryLeft(a, len), Lang::En) => format!(
            "address {a}/{len} on {interface} is a temporary (privacy) address: not pinned, \
             it runs out with its lifetime"
        ),
        (Note::TemporaryLeft(a, len), Lang::Ja) => format!(
            "{interface} のアドレス {a}/{len} は一時アドレスのため固定しません(有効期間が切れると\
             消えます)"
        ),
        (Note::DuplicateLeft(a, len), Lang::En) => format!(
            "address {a}/{len} on {interface} is a duplicate (another host uses it): not pinned"
        ),
        (Note::DuplicateLeft(a, len), Lang::Ja) => format!(
            "{interface} のアドレス {a}/{len} は重複しています(他の機器が使用中)。固定しません"
        ),
        (Note::NoDefaultRoute, Lang::En) => format!(
            "{interface} has no default route to pin (name the upstream router with \
             --keep-router to add one)"
        ),
        (Note::NoDefaultRoute, Lang::Ja) => format!(
            "{interface} には固定する既定経路がありません(追加するには --keep-router で上流\
             ルーターを指定してください)"
        ),
        (Note::RouteAlreadyStatic(gw), Lang::En) => {
            format!("the default route on {interface} via {gw} is already static: left as it is")
        }
        (Note::RouteAlreadyStatic(gw), Lang::Ja) => {
            format!("{interface} の {gw} 経由の既定経路はすでに固定です(そのままにします)")
        }
        (Note::RouterNotSeen(gw), Lang::En) => {
            format!("{gw} is not a default router of {interface} now: the route is added anyway")
        }
        (Note::RouterNotSeen(gw), Lang::Ja) => {
            format!("{gw} は現在 {interface} の既定ルーターではありませんが、経路を追加します")
        }
    }
}

fn join<T: core::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// An error, one line.
pub fn error(e: &Error, lang: Lang) -> String {
    match (e, lang) {
        (
            Error::AlreadyProtected {
                interface,
                since,
                path,
                reset,
            },
            Lang::En,
        ) => {
            let mut s = format!(
                "{interface} is already protected since {since} (state file {}): run \
                 `v6sentinel protect -i {interface} --undo` first",
                path.display()
            );
            if let Some((setting, value)) = reset.as_deref() {
                s.push_str(&format!(
                    " ({} is {value} again, e.g. after a reboot; --undo puts back the rest and \
                     removes the state file)",
                    setting_name(setting, lang)
                ));
            }
            s
        }
        (
            Error::AlreadyProtected {
                interface,
                since,
                path,
                reset,
            },
            Lang::Ja,
        ) => {
            let mut s = format!(
                "{interface} は {since} から保護済みです(状態ファイル {})。先に \
                 `v6sentinel protect -i {interface} --undo` を実行してください",
                path.display()
            );
            if let Some((setting, value)) = reset.as_deref() {
                s.push_str(&format!(
                    "({} は再起動などで {value} に戻っています。--undo で残りを元に戻し、\
                     状態ファイルを削除します)",
                    setting_name(setting, lang)
                ));
            }
            s
        }
        (Error::NotProtected { interface, path }, Lang::En) => format!(
            "{interface} is not protected: no state file {}, nothing to undo",
            path.display()
        ),
        (Error::NotProtected { interface, path }, Lang::Ja) => format!(
            "{interface} は保護されていません(状態ファイル {} がありません)。元に戻すものは\
             ありません",
            path.display()
        ),
        (
            Error::Upstream {
                interface,
                found: u,
            },
            Lang::En,
        ) => format!(
            "refused: {interface} carries the NGN upstream ({}); with router discovery off it \
             would lose it when the lifetime runs out. Pass --keep-prefix {} to pin it",
            found(u, lang),
            suggestion(u)
        ),
        (
            Error::Upstream {
                interface,
                found: u,
            },
            Lang::Ja,
        ) => format!(
            "中止: {interface} は NGN の上流につながっています({})。ルーター探索を止めると、\
             有効期間が切れたときにこの接続を失います。固定するには --keep-prefix {} を\
             指定してください",
            found(u, lang),
            suggestion(u)
        ),
        (
            Error::NotCovered {
                interface,
                found: u,
            },
            Lang::En,
        ) => format!(
            "refused: --keep-prefix does not cover {} on {interface} ({}); add --keep-prefix {}",
            u.subject,
            u.provider,
            suggestion(u)
        ),
        (
            Error::NotCovered {
                interface,
                found: u,
            },
            Lang::Ja,
        ) => format!(
            "中止: --keep-prefix が {interface} の {} ({})を含んでいません。--keep-prefix {} を\
             追加してください",
            u.subject,
            u.provider,
            suggestion(u)
        ),
        (
            Error::NothingToKeep {
                interface,
                prefixes,
            },
            Lang::En,
        ) => format!(
            "refused: no address of {interface} lies in --keep-prefix {}: nothing to keep; \
             check the prefix",
            join(prefixes)
        ),
        (
            Error::NothingToKeep {
                interface,
                prefixes,
            },
            Lang::Ja,
        ) => format!(
            "中止: {interface} には --keep-prefix {} 内のアドレスがありません。プレフィックスを\
             確認してください",
            join(prefixes)
        ),
        (
            Error::SeveralRouters {
                interface,
                gateways,
            },
            Lang::En,
        ) => format!(
            "refused: {interface} has {} default routers ({}), a rogue router may be among \
             them: name the upstream with --keep-router ADDR (`v6sentinel scan -i {interface}` \
             shows which one is the NGN's)",
            gateways.len(),
            join(gateways)
        ),
        (
            Error::SeveralRouters {
                interface,
                gateways,
            },
            Lang::Ja,
        ) => format!(
            "中止: {interface} に既定ルーターが {} 台あります({})。不正なルーターが混じって\
             いる可能性があります。--keep-router で上流ルーターを指定してください(どれが NGN の\
             ものかは `v6sentinel scan -i {interface}` でわかります)",
            gateways.len(),
            join(gateways)
        ),
        (Error::NoSuchInterface { interface }, Lang::En) => {
            format!("no such interface: {interface}")
        }
        (Error::NoSuchInterface { interface }, Lang::Ja) => {
            format!("インターフェース {interface} がありません")
        }
        (
            Error::Permission {
                interface,
                what,
                detail,
            },
            Lang::En,
        ) => format!(
            "no privilege to change {interface} ({what}: {detail}): run as root (sudo), or \
             on Windows as administrator"
        ),
        (
            Error::Permission {
                interface,
                what,
                detail,
            },
            Lang::Ja,
        ) => format!(
            "{interface} を変更する権限がありません({what}: {detail})。root (sudo)、Windows \
             では管理者として実行してください"
        ),
        (
            Error::System {
                interface,
                what,
                detail,
            },
            Lang::En,
        ) => format!("{interface}: {what} failed: {detail}"),
        (
            Error::System {
                interface,
                what,
                detail,
            },
            Lang::Ja,
        ) => format!("{interface}: {what} に失敗しました: {detail}"),
        (
            Error::State {
                interface,
                path,
                detail,
            },
            Lang::En,
        ) => format!("{interface}: state file {}: {detail}", path.display()),
        (
            Error::State {
                interface,
                path,
                detail,
            },
            Lang::Ja,
        ) => format!("{interface}: 状態ファイル {}: {detail}", path.display()),
        (
            Error::RolledBack {
                cause,
                rollback: None,
                ..
            },
            Lang::En,
        ) => format!(
            "{}; what had been changed was put back: nothing is changed",
            cause.message(lang)
        ),
        (
            Error::RolledBack {
                cause,
                rollback: None,
                ..
            },
            Lang::Ja,
        ) => format!(
            "{}。変更した内容は元に戻しました(何も変わっていません)",
            cause.message(lang)
        ),
        (
            Error::RolledBack {
                interface,
                cause,
                rollback: Some(rb),
                path,
            },
            Lang::En,
        ) => format!(
            "{}; putting back failed too ({}): the state file {} is kept, run \
             `v6sentinel protect -i {interface} --undo` once the cause is fixed",
            cause.message(lang),
            rb.message(lang),
            path.display()
        ),
        (
            Error::RolledBack {
                interface,
                cause,
                rollback: Some(rb),
                path,
            },
            Lang::Ja,
        ) => format!(
            "{}。元に戻す処理も失敗しました({})。状態ファイル {} は残してあります。原因を\
             取り除いてから `v6sentinel protect -i {interface} --undo` を実行してください",
            cause.message(lang),
            rb.message(lang),
            path.display()
        ),
        (Error::UndoIncomplete { cause, path, .. }, Lang::En) => format!(
            "undo stopped: {}; the state file {} is kept: fix the cause and run --undo again",
            cause.message(lang),
            path.display()
        ),
        (Error::UndoIncomplete { cause, path, .. }, Lang::Ja) => format!(
            "元に戻す処理を中断しました: {}。状態ファイル {} は残してあります。原因を取り除いて\
             から --undo をもう一度実行してください",
            cause.message(lang),
            path.display()
        ),
    }
}

/// The `--keep-prefix` value to suggest.
fn suggestion(u: &Upstream) -> String {
    u.subject
        .prefix()
        .map_or_else(|| "PREFIX".to_owned(), |p| p.to_string())
}

/// After `protect` on Linux: what stays, how to clear it, how long it lasts.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub fn after_protect_linux(interface: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "Addresses and routes {interface} learned from Router Advertisements before stay \
             until their lifetimes run out; to clear them now (pinned ones are static and \
             stay): `ip -6 route flush dev {interface} proto ra` and `ip -6 addr flush dev \
             {interface} scope global dynamic`. This lasts until the next reboot; to keep it, \
             put `net.ipv6.conf.{interface}.accept_ra = 0` in a file of /etc/sysctl.d/."
        ),
        Lang::Ja => format!(
            "{interface} がこれまでにルーター広告から得たアドレスと経路は、有効期間が切れるまで\
             残ります。すぐに消すには(固定したものは残ります): `ip -6 route flush dev \
             {interface} proto ra` と `ip -6 addr flush dev {interface} scope global dynamic`。\
             この設定は次の再起動までです。続けるには /etc/sysctl.d/ のファイルに \
             `net.ipv6.conf.{interface}.accept_ra = 0` と書いてください。"
        ),
    }
}

/// After `protect` on Windows.
#[cfg_attr(not(windows), allow(dead_code))]
pub fn after_protect_windows(interface: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "The setting is stored and stays after a reboot. Addresses and routes \"{interface}\" \
             learned from Router Advertisements before may stay until their lifetimes run out; \
             to clear them now, unplug the network cable and plug it back (pinned ones are \
             stored and stay)."
        ),
        Lang::Ja => format!(
            "この設定は保存され、再起動後も有効です。\"{interface}\" がこれまでにルーター広告から\
             得たアドレスと経路は、有効期間が切れるまで残ることがあります。すぐに消すには LAN \
             ケーブルを抜いて差し直してください(固定したものは残ります)。"
        ),
    }
}
