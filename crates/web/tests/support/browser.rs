//! The WebDriver side of the browser tests (`browser.rs`, `browser_chat.rs` and
//! `browser_knowledge.rs`): a ChromeDriver of one test on its own port, browser sessions with
//! fresh profiles, so tests run in parallel, and what every test does in a page (find, fill,
//! click, wait, sign in, run axe). Each test file adds the helpers of its own pages to
//! [`Browser`] in an `impl` block of its own.
//!
//! The browser test files include it with `#[path]` rather than through `support/mod.rs`, so
//! that the other test binaries do not compile WebDriver code.
// Each of the files uses only part of it.
#![allow(dead_code)]

use crate::support::{PASSWORD, UiApp};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// axe-core, injected into a page before [`Browser::axe`] runs it.
const AXE: &str = include_str!("../assets/axe.min.js");

/// Browsers running at once across the tests of one test file: each is a few processes, and the
/// machines have two cores.
static BROWSER_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(3);

/// A ChromeDriver process of one test, on its own port; killed (with the browsers it started)
/// when dropped.
pub struct ChromeDriver {
    child: Child,
    url: String,
    _slot: tokio::sync::SemaphorePermit<'static>,
}

fn require_browser() {
    for (path, what) in [(CHROMIUM, "Chromium"), (CHROMEDRIVER, "ChromeDriver")] {
        assert!(
            Path::new(path).exists(),
            "{what} is not installed at {path}, and the browser tests need it: run `.ci/run`, \
             which installs it, or `apt-get install chromium chromium-driver`"
        );
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free local port")
        .port()
}

impl ChromeDriver {
    pub async fn start() -> ChromeDriver {
        require_browser();
        let slot = BROWSER_SLOTS
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let client = reqwest::Client::new();
        let mut last_problem = String::new();
        // A port found free can be taken by another test before ChromeDriver binds it; then
        // ChromeDriver exits and another port is tried.
        for _attempt in 0..3 {
            let port = free_port();
            let mut command = Command::new(CHROMEDRIVER);
            command
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            // Its own process group, so that the browsers it starts can be ended with it.
            std::os::unix::process::CommandExt::process_group(&mut command, 0);
            let mut child = command
                .spawn()
                .unwrap_or_else(|error| panic!("cannot start {CHROMEDRIVER}: {error}"));
            let url = format!("http://127.0.0.1:{port}");
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            loop {
                if let Ok(Some(status)) = child.try_wait() {
                    last_problem = format!("{CHROMEDRIVER} exited with {status}");
                    break;
                }
                let ready = match client.get(format!("{url}/status")).send().await {
                    Ok(response) => response
                        .json::<Value>()
                        .await
                        .is_ok_and(|body| body["value"]["ready"] == json!(true)),
                    Err(_) => false,
                };
                if ready {
                    return ChromeDriver {
                        child,
                        url,
                        _slot: slot,
                    };
                }
                if std::time::Instant::now() > deadline {
                    last_problem = format!("{CHROMEDRIVER} did not answer on {url}/status in 10 s");
                    end_process_group(&mut child);
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        panic!("{last_problem}");
    }

    /// A new browser session with a fresh profile.
    pub async fn browser(&self, width: u32) -> Browser {
        self.open(width, true).await
    }

    /// A new browser session in which pages run no JavaScript.
    pub async fn browser_without_javascript(&self, width: u32) -> Browser {
        self.open(width, false).await
    }

    async fn open(&self, width: u32, javascript: bool) -> Browser {
        let profile = tempfile::tempdir().expect("a temporary profile directory");
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(CHROMIUM).unwrap();
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-sync",
            "--disable-component-update",
            "--disable-quic",
            "--hide-scrollbars",
            "--disable-crash-reporter",
            "--disable-breakpad",
            "--force-device-scale-factor=1",
        ] {
            caps.add_arg(arg).unwrap();
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))
            .unwrap();
        if !javascript {
            caps.add_experimental_option(
                "prefs",
                json!({ "profile.managed_default_content_settings.javascript": 2 }),
            )
            .unwrap();
        }
        let driver = WebDriver::new(self.url.as_str(), caps)
            .await
            .unwrap_or_else(|error| panic!("ChromeDriver could not start {CHROMIUM}: {error}"));
        let browser = Browser {
            driver,
            _profile: profile,
        };
        browser.resize(width, 900).await;
        browser
            .driver
            .set_script_timeout(Duration::from_secs(60))
            .await
            .unwrap();
        browser
    }
}

fn end_process_group(child: &mut Child) {
    // The group holds ChromeDriver and the browsers it started; nothing else. (`--` matters:
    // procps reads `kill -KILL -1234` as a signal to group -1, that is to every process.)
    let group = child.id();
    if group > 1 {
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{group}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        end_process_group(&mut self.child);
    }
}

/// One browser session (one window, one cookie jar).
pub struct Browser {
    pub driver: WebDriver,
    _profile: tempfile::TempDir,
}

impl std::ops::Deref for Browser {
    type Target = WebDriver;

    fn deref(&self) -> &WebDriver {
        &self.driver
    }
}

impl Browser {
    pub async fn quit(self) {
        self.driver.quit().await.expect("the browser quits");
    }

    /// Sets the window's size (headless windows have no frame). The page sees the new width a moment after the window has it:
    /// this waits (up to 5 s) until it does.
    pub async fn resize(&self, width: u32, height: u32) {
        self.driver
            .set_window_rect(0, 0, width, height)
            .await
            .expect("the window can be resized");
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if self.viewport().await.0 == width {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The page's `innerWidth` and `innerHeight`.
    pub async fn viewport(&self) -> (u32, u32) {
        let seen = self
            .driver
            .execute(
                "return [window.innerWidth, window.innerHeight];",
                Vec::new(),
            )
            .await
            .map(|result| result.json().clone())
            .unwrap_or_default();
        let side = |i: usize| {
            seen[i]
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .unwrap_or(0)
        };
        (side(0), side(1))
    }

    pub async fn go(&self, url: &str) {
        self.driver
            .goto(url)
            .await
            .unwrap_or_else(|error| panic!("cannot open {url}: {error}"));
    }

    pub async fn js(&self, script: &str) -> Value {
        self.driver
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|error| panic!("script failed: {error}\n{script}"))
            .json()
            .clone()
    }

    pub async fn js_async(&self, script: &str) -> Value {
        self.driver
            .execute_async(script, Vec::new())
            .await
            .unwrap_or_else(|error| panic!("script failed: {error}\n{script}"))
            .json()
            .clone()
    }

    /// Runs axe (injecting it first) over the page for the WCAG 2.1 A and AA rules: the number
    /// of rules passed, the violations found with the elements at fault, or the error.
    pub async fn axe(&self) -> Value {
        self.js(AXE).await;
        self.js_async(AXE_RUN).await
    }

    /// Runs [`Browser::axe`] over the page called `name` and returns its violations as readable
    /// lines, failing if axe itself fails or checks nothing.
    pub async fn axe_violations(&self, name: &str) -> Vec<String> {
        let result = self.axe().await;
        assert!(
            result["error"].is_null(),
            "axe failed on {name}: {}",
            result["error"]
        );
        assert!(
            result["passes"].as_u64().unwrap_or(0) > 0,
            "axe checked nothing on {name}"
        );
        let mut violations = Vec::new();
        for violation in result["violations"].as_array().cloned().unwrap_or_default() {
            let targets: Vec<String> = violation["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|target| format!("      {}", target.as_str().unwrap_or_default()))
                .collect();
            violations.push(format!(
                "{name}: {} [{}] {}\n{}",
                violation["id"].as_str().unwrap_or_default(),
                violation["impact"].as_str().unwrap_or_default(),
                violation["help"].as_str().unwrap_or_default(),
                targets.join("\n")
            ));
        }
        violations
    }

    /// The first element matching `css` (failing if there is none).
    pub async fn element(&self, css: &str) -> WebElement {
        let url = self.url().await;
        self.driver
            .query(By::Css(css))
            .first()
            .await
            .unwrap_or_else(|error| panic!("no `{css}` on {url}: {error}"))
    }

    pub async fn exists(&self, css: &str) -> bool {
        !self
            .driver
            .find_all(By::Css(css))
            .await
            .expect("the page can be searched")
            .is_empty()
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.element(css).await;
        field.clear().await.unwrap();
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|error| panic!("cannot type into `{css}`: {error}"));
    }

    pub async fn choose(&self, css: &str, value: &str) {
        let select = SelectElement::new(&self.element(css).await).await.unwrap();
        select
            .select_by_value(value)
            .await
            .unwrap_or_else(|error| panic!("`{css}` has no option `{value}`: {error}"));
    }

    pub async fn click(&self, css: &str) {
        self.element(css)
            .await
            .click()
            .await
            .unwrap_or_else(|error| panic!("cannot click `{css}`: {error}"));
    }

    pub async fn text(&self, css: &str) -> String {
        self.element(css).await.text().await.unwrap()
    }

    pub async fn url(&self) -> String {
        self.driver
            .current_url()
            .await
            .map(|url| url.to_string())
            .unwrap_or_default()
    }

    /// The page's text (empty while a page is being replaced).
    pub async fn body_text(&self) -> String {
        match self.driver.find(By::Tag("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Waits (up to 20 s) until the address contains `fragment`.
    pub async fn wait_for_url(&self, fragment: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let url = self.url().await;
            if url.contains(fragment) {
                return url;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the browser never reached an address containing {fragment:?}; it is at {url}:\n{}",
                self.body_text().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to 20 s) until the text of the first `css` element contains `needle`, and
    /// returns that text. Unlike a WebDriver query with a text filter, it tolerates the page
    /// being replaced while it looks: after a form posts, the old page's elements go stale
    /// between being found and being read, and that must mean "look again", not a failure.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let script = format!(
            "const element = document.querySelector({}); return element ? element.innerText : null;",
            Value::String(css.to_owned())
        );
        loop {
            let text = match self.driver.execute(&script, Vec::new()).await {
                Ok(result) => result.json().as_str().map(str::to_owned),
                Err(_) => None,
            };
            if let Some(text) = &text
                && text.contains(needle)
            {
                return text.clone();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "`{css}` never contained {needle:?} on {}; it holds {text:?}",
                self.url().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Whether the page shows the error page (`404 — سند` …), and its status.
    pub async fn error_status(&self) -> Option<u16> {
        if !self.exists("body.error-page").await {
            return None;
        }
        let title = self.driver.title().await.unwrap_or_default();
        Some(
            title
                .split_whitespace()
                .next()
                .and_then(|code| code.parse().ok())
                .unwrap_or(0),
        )
    }

    pub async fn expect_no_error_page(&self) {
        if let Some(status) = self.error_status().await {
            panic!(
                "{} shows the error page ({status}):\n{}",
                self.url().await,
                self.body_text().await
            );
        }
    }
}

/// Signs a staff member in on the sign-in page of `org`.
pub async fn sign_in(browser: &Browser, app: &UiApp, org: &str, email: &str) {
    browser.go(&app.url(&format!("/o/{org}/login"))).await;
    browser.fill("#email", email).await;
    browser.fill("#password", PASSWORD).await;
    browser.click("#sign-in").await;
    browser.wait_for_url(&format!("/o/{org}/desk")).await;
    browser.expect_no_error_page().await;
}

const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
  .then((results) => done({
    passes: results.passes.length,
    violations: results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.map((node) => node.target.join(' ') + (node.failureSummary ? ' — ' + node.failureSummary.replace(/\s+/g, ' ') : '')),
    })),
  }))
  .catch((error) => done({ error: String(error) }));
"#;
