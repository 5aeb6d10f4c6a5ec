//! What surrounds every page: the header with the organization, the navigation of the area
//! (portal or desk), the language switch and the signed-in person.

use super::assets::asset_url;
use super::i18n::{Lang, Tr};
use super::session::{PageContext, StaffContext};
use sanad_store::Organization;

#[derive(Debug, Clone)]
pub struct NavItem {
    pub href: String,
    pub label: String,
    pub current: bool,
    /// A keyboard shortcut shown beside the label, if any.
    pub key: &'static str,
}

#[derive(Debug, Clone)]
pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    pub org_name: String,
    pub home_href: String,
    pub nav: Vec<NavItem>,
    /// The signed-in staff member's name, for the header and the sign-out form.
    pub user_name: Option<String>,
    pub logout_href: String,
    pub csrf: String,
    pub switch_lang_href: String,
    pub switch_lang_label: String,
    pub switch_lang_code: &'static str,
}

impl Chrome {
    pub fn lang(&self) -> &'static str {
        self.tr.lang.code()
    }

    pub fn dir(&self) -> &'static str {
        self.tr.lang.dir()
    }

    pub fn asset(&self, name: &str) -> String {
        asset_url(name)
    }

    pub fn t(&self, key: &str) -> String {
        self.tr.t(key)
    }
}

/// The URL of the same page in the other language.
fn switch_href(path: &str, lang: Lang) -> String {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("lang="))
        .collect();
    let lang_pair = format!("lang={}", lang.code());
    pairs.push(&lang_pair);
    format!("{base}?{}", pairs.join("&"))
}

fn base_chrome(page: &PageContext, title: String, org: Option<&Organization>) -> Chrome {
    let tr = page.tr;
    let other = tr.lang.other();
    Chrome {
        tr,
        title,
        org_name: org.map(|org| org.name.clone()).unwrap_or_default(),
        home_href: org
            .map(|org| format!("/o/{}", org.slug))
            .unwrap_or_else(|| "/".to_owned()),
        nav: Vec::new(),
        user_name: None,
        logout_href: String::new(),
        csrf: page.csrf.0.clone(),
        switch_lang_href: switch_href(&page.path, other),
        switch_lang_label: Tr::new(other).t("language-name"),
        switch_lang_code: other.code(),
    }
}

/// The chrome of the public portal.
pub fn portal(page: &PageContext, org: &Organization, title: String, current: &str) -> Chrome {
    let tr = page.tr;
    let mut chrome = base_chrome(page, title, Some(org));
    let base = format!("/o/{}", org.slug);
    chrome.nav = [
        ("new", format!("{base}/new"), "nav-new-request"),
        ("track", format!("{base}/track"), "nav-track"),
        ("policy", format!("{base}/policy"), "nav-policy"),
        ("kb", format!("{base}/kb"), "nav-help-centre"),
    ]
    .into_iter()
    .map(|(id, href, key)| NavItem {
        href,
        label: tr.t(key),
        current: id == current,
        key: "",
    })
    .collect();
    chrome
}

/// The chrome of the staff desk.
pub fn desk(staff: &StaffContext, title: String, current: &str) -> Chrome {
    let tr = *staff.tr();
    let mut chrome = base_chrome(&staff.page, title, Some(&staff.org));
    let base = format!("/o/{}/desk", staff.org.slug);
    chrome.home_href = base.clone();
    let mut items = vec![
        ("queues", base.clone(), "nav-queues", "g q"),
        ("search", format!("{base}/search"), "nav-search", "g s"),
    ];
    if staff.may_change() {
        items.push((
            "log",
            format!("{base}/log-contact"),
            "nav-log-contact",
            "g l",
        ));
    }
    if staff.is_manager() {
        items.push((
            "dashboard",
            format!("{base}/dashboard"),
            "nav-dashboard",
            "g d",
        ));
    }
    if super::reports::may_see_reports(staff) {
        items.push(("reports", format!("{base}/reports"), "nav-reports", "g r"));
    }
    if staff.is_admin() {
        items.push(("admin", format!("{base}/admin"), "nav-admin", "g a"));
    }
    // Every staff member reads the knowledge base (and links its articles in replies); who
    // may write is decided on its pages.
    items.push(("kb", format!("{base}/kb"), "nav-knowledge-base", "g k"));
    items.push(("account", format!("{base}/account"), "nav-account", ""));
    chrome.nav = items
        .into_iter()
        .map(|(id, href, key, shortcut)| NavItem {
            href,
            label: tr.t(key),
            current: id == current,
            key: shortcut,
        })
        .collect();
    chrome.user_name = Some(staff.user.name.clone());
    chrome.logout_href = format!("/o/{}/logout", staff.org.slug);
    chrome
}

/// The chrome of a regulator's supervisor: no organization of their own, the organizations
/// they oversee side by side, their API tokens, and signing out.
pub fn supervision(
    page: &PageContext,
    title: String,
    current: &str,
    supervisor_name: Option<&str>,
) -> Chrome {
    let tr = page.tr;
    let mut chrome = base_chrome(page, title, None);
    chrome.home_href = "/supervision".to_owned();
    if let Some(name) = supervisor_name {
        chrome.nav = [
            ("overview", "/supervision", "nav-supervision-overview"),
            ("tokens", "/supervision/tokens", "nav-supervision-tokens"),
        ]
        .into_iter()
        .map(|(id, href, key)| NavItem {
            href: href.to_owned(),
            label: tr.t(key),
            current: id == current,
            key: "",
        })
        .collect();
        chrome.user_name = Some(name.to_owned());
        chrome.logout_href = "/supervision/logout".to_owned();
    }
    chrome
}
