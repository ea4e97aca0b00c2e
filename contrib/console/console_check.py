#!/usr/bin/env python3
"""The web console in headless Chromium (Debian's chromium and chromium-driver, driven by selenium).

    console_check.py CONFIG.json

CONFIG names the daemon's console (`base`, http://127.0.0.1:PORT), its tokens by role (`tokens`:
`read`, `operate`, `admin`; `read` may be absent on a daemon without roles), the profiles
directory (`profiles_dir`, where the 1,000-profile step drops its files), the demo profiles
(`demo`), the failing profile (`failing`, whose error message carries markup: `markup`), and the
screenshot directory (`screenshots`). One browser session plays every step; each step prints a
line, a failed check raises and exits 1 with a screenshot of the moment.
"""
import json
import os
import signal
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

STATES = {"starting", "ready", "idle", "syncing", "stopping", "stopped", "backoff", "fatal", "invalid", "disabled"}


class Check:
    def __init__(self, config):
        self.config = config
        self.base = config["base"].rstrip("/")
        self.shots = config["screenshots"]
        os.makedirs(self.shots, exist_ok=True)
        options = Options()
        options.binary_location = config.get("chromium", "/usr/bin/chromium")
        options.add_argument("--headless=new")
        options.add_argument("--window-size=1280,1800")
        options.add_argument("--disable-dev-shm-usage")
        options.add_argument("--disable-gpu")
        options.add_argument("--no-first-run")
        if os.geteuid() == 0:
            # Chromium's sandbox refuses to run as root (tests and CI run as root here); the pages
            # are this test's own console on loopback.
            options.add_argument("--no-sandbox")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(executable_path=config.get("chromedriver", "/usr/bin/chromedriver"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(60)
        self.driver.set_script_timeout(30)

    # -- helpers ---------------------------------------------------------------------------------

    def step(self, text):
        print(f"== {text}", flush=True)

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(self.shots, name + ".png"))

    def wait(self, what, condition, timeout=30):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(lambda d: condition())
        except Exception as e:
            self.shot("failed")
            raise AssertionError(f"timed out after {timeout}s waiting for {what}") from e

    def expect(self, ok, message):
        if not ok:
            self.shot("failed")
            raise AssertionError(message)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def api(self, method, path, token, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def rows(self):
        """The fleet page's rows as dicts (name, state, failing, mark text)."""
        return self.js(
            """return [...document.querySelectorAll('#fleet-rows tr')].map(tr => ({
                name: tr.dataset.profile, state: tr.dataset.state, failing: tr.dataset.failing === 'true',
                mark: (tr.querySelector('.mark') || {}).textContent || '',
                badge: tr.querySelector('td:nth-child(2) .badge').textContent}))""")

    def fleet_loaded_after(self, mark):
        return self.js("const r = document.getElementById('fleet-rows'); return Number(r.dataset.loaded || 0);") > mark

    def loaded_mark(self):
        return self.js("return Number(document.getElementById('fleet-rows').dataset.loaded || 0);")

    def sign_in(self, token):
        self.driver.find_element(By.ID, "token").clear()
        self.driver.find_element(By.ID, "token").send_keys(token)
        self.driver.find_element(By.ID, "signin-button").click()

    def sign_out(self):
        self.driver.find_element(By.ID, "signout").click()
        self.wait("the sign-in page", lambda: self.js("return document.body.dataset.page") == "signin")

    def click(self, selector):
        """Clicks what `selector` finds; again when a refresh of the page replaced it meanwhile."""
        for attempt in range(10):
            try:
                self.driver.find_element(By.CSS_SELECTOR, selector).click()
                return
            except (StaleElementReferenceException, NoSuchElementException):
                if attempt == 9:
                    raise
                time.sleep(0.2)

    def open_profile(self, name):
        self.click(f'#fleet-rows tr[data-profile="{name}"] a')
        self.wait(f"{name}'s page", lambda: self.js("return document.body.dataset.page") == "profile"
                  and self.js("return document.getElementById('p-facts').children.length") > 0)

    def runs_shown(self):
        return self.js("return Number(document.getElementById('p-charts').dataset.runs || -1);")

    # -- the acceptance steps --------------------------------------------------------------------

    def run(self):
        tokens = self.config["tokens"]
        demo, failing = self.config["demo"], self.config["failing"]

        self.step("sign-in: a wrong token is refused, the operate token gets in")
        self.driver.get(self.base + "/")
        self.wait("the sign-in page", lambda: self.js("return document.body.dataset.page") == "signin")
        self.shot("01-signin")
        self.sign_in("not-a-token")
        self.wait("the refusal", lambda: "refused" in self.driver.find_element(By.ID, "signin-error").text)
        operate_role = "operate" if "read" in tokens else "admin"
        self.sign_in(tokens["operate"])
        self.wait("the fleet page", lambda: self.js("return document.body.dataset.page") == "fleet"
                  and self.loaded_mark() > 0)
        self.expect(self.js("return document.body.dataset.role") == operate_role,
                    f"role shown: {self.js('return document.body.dataset.role')}, want {operate_role}")
        self.expect(self.js("return sessionStorage.getItem('almanac.token')") == tokens["operate"],
                    "the token is not in the tab's session storage")
        self.expect(self.js("return document.cookie") == "", "the console set a cookie")

        self.step("fleet: the demo profiles with their states, the failing one first and marked")
        self.wait("every demo profile listed", lambda: set(demo + [failing]) <= {r["name"] for r in self.rows()})
        rows = self.rows()
        for r in rows:
            self.expect(r["state"] in STATES and r["badge"] == r["state"], f"row {r}: no valid state shown")
        self.expect(rows[0]["name"] == failing and rows[0]["failing"] and "failing" in rows[0]["mark"],
                    f"the failing profile is not first and marked: {rows[:2]}")
        for r in rows[1:]:
            self.expect(r["name"] not in demo or not r["failing"], f"demo profile marked failing: {r}")
        self.shot("02-fleet")

        self.step("fleet: filter by text and by state")
        mark = self.loaded_mark()
        self.driver.find_element(By.ID, "filter-text").send_keys(demo[0][:4])
        self.wait("the text filter", lambda: self.fleet_loaded_after(mark)
                  and [r["name"] for r in self.rows()] == [demo[0]])
        self.driver.find_element(By.ID, "filter-text").clear()
        self.js("document.getElementById('filter-text').dispatchEvent(new Event('input'))")
        mark = self.loaded_mark()
        Select(self.driver.find_element(By.ID, "filter-state")).select_by_value("failing")
        self.wait("the state filter", lambda: self.fleet_loaded_after(mark)
                  and [r["name"] for r in self.rows()] == [failing])
        Select(self.driver.find_element(By.ID, "filter-state")).select_by_value("")
        self.wait("the whole fleet again", lambda: len(self.rows()) >= len(demo) + 1)

        self.step("profile: run history chart, connection status, config hash, log tail")
        self.open_profile(demo[0])
        self.wait("a run history chart with runs", lambda: self.js(
            "const s = document.querySelector('#p-charts svg.history'); return s ? Number(s.dataset.runs) : 0") >= 1)
        self.wait("log lines streamed", lambda: self.js(
            "return Number(document.getElementById('p-log').dataset.lines || 0)") >= 1)
        facts = self.driver.find_element(By.ID, "p-facts").text
        hashes = [w for w in facts.split() if len(w) == 64 and all(c in "0123456789abcdef" for c in w)]
        self.expect(hashes, f"no config hash among the facts: {facts}")
        conns = self.js("return [...document.querySelectorAll('#p-connections tr[data-connection]')].map(t => t.dataset.connection)")
        self.expect(len(conns) >= 2, f"connections shown: {conns}")
        self.shot("03-profile")
        self.driver.find_element(By.ID, "p-charts").screenshot(os.path.join(self.shots, "03-profile-history.png"))
        self.driver.find_element(By.ID, "p-log").screenshot(os.path.join(self.shots, "03-profile-log.png"))

        self.step("operate: the buttons are there, a sync shows its new run")
        actions = self.js("return [...document.querySelectorAll('#p-actions button')].map(b => b.dataset.action)")
        self.expect(set(actions) >= {"sync", "restart", "disable", "test-connection"}, f"buttons: {actions}")
        before = self.runs_shown()
        lines_before = self.js("return Number(document.getElementById('p-log').dataset.lines || 0)")
        self.click('#p-actions button[data-action="sync"]')
        self.wait("the sync's answer", lambda: self.js("return document.getElementById('p-message').dataset.status")
                  in ("202",))
        self.wait("the new run in the chart", lambda: self.runs_shown() > before, timeout=60)
        self.wait("the run's lines in the log tail", lambda: self.js(
            "return Number(document.getElementById('p-log').dataset.lines || 0)") > lines_before)
        self.shot("04-after-sync")

        self.step("failing profile: marked failures, the last error in full, escaped")
        self.driver.get(self.base + "/#/")
        self.wait("the fleet page", lambda: self.loaded_mark() > 0 and len(self.rows()) > 0)
        self.open_profile(failing)
        self.wait("its failed runs marked", lambda: self.js(
            "const s = document.querySelector('#p-charts svg.history'); return s ? Number(s.dataset.failures) : 0") >= 1)
        error = self.driver.find_element(By.ID, "p-error").text
        self.expect(self.config["markup"] in error, f"the last error does not show the text as written: {error!r}")
        self.expect(self.js("return document.getElementById('injected')") is None, "markup from data became an element")
        self.shot("05-failing-profile")
        self.driver.find_element(By.ID, "p-charts").screenshot(os.path.join(self.shots, "05-failing-history.png"))

        if "read" in tokens:
            self.step("read: no action buttons, and a POST anyway answers 403")
            self.js("location.hash = '#/'")
            self.sign_out()
            mark = self.loaded_mark()
            self.sign_in(tokens["read"])
            self.wait("the fleet page as read", lambda: self.js("return document.body.dataset.role") == "read"
                      and self.js("return document.body.dataset.page") == "fleet" and self.fleet_loaded_after(mark))
            self.expect("read" in self.driver.find_element(By.ID, "who").text, "the role is not shown")
            self.open_profile(demo[0])
            buttons = self.js("return document.querySelectorAll('#p-actions button').length")
            self.expect(buttons == 0, f"read sees {buttons} action buttons")
            answer = self.driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "Api.post(Api.profilePath(arguments[0]) + '/sync', {}).then(r => done(r));", demo[0])
            self.expect(answer["status"] == 403 and answer["body"]["code"] == "api.forbidden",
                        f"a read token's sync answered {answer}")
            self.shot("06-read")
        else:
            self.step("read: SKIPPED, the daemon has no roles (one token, /v1/me absent: admin)")

        self.step("phone: one card per profile")
        self.driver.get(self.base + "/#/")
        self.driver.set_window_size(390, 844)
        self.wait("the fleet page", lambda: self.loaded_mark() > 0)
        head = self.js("return getComputedStyle(document.querySelector('#fleet-table thead')).display")
        self.expect(head == "none", f"the table head on a phone: display {head}")
        width = self.js("return document.documentElement.scrollWidth")
        self.expect(width <= 390, f"the page scrolls sideways on a phone: {width}px")
        self.shot("07-phone")
        self.open_profile(self.config["demo"][0])
        width = self.js("return document.documentElement.scrollWidth")
        self.expect(width <= 390, f"the profile page scrolls sideways on a phone: {width}px")
        self.shot("07-phone-profile")
        self.driver.set_window_size(1280, 1800)

        self.fleet_of(self.config.get("fleet_size", 1000), tokens.get("admin", tokens["operate"]))
        self.csp_violations()

    def fleet_of(self, count, admin):
        self.step(f"{count} profiles: the fleet page renders within 1 s")
        folder = self.config["profiles_dir"]
        for i in range(count):
            path = os.path.join(folder, f"bulk{i:04d}.toml")
            with open(path + ".tmp", "w") as f:
                f.write('enabled = false\ntimezone = "UTC"\n[schedule]\nmanual = true\n'
                        '[connections.a]\nconnector = "csv"\npath = "/nonexistent/a.csv"\n'
                        '[connections.b]\nconnector = "csv"\npath = "/nonexistent/b.csv"\n'
                        '[[jobs]]\nname = "main"\nfrom = "a"\nto = "b"\n')
            os.rename(path + ".tmp", path)
        status, body = self.api("POST", "/v1/reload", admin)
        self.expect(status == 200, f"reload answered {status} {body}")
        deadline = time.time() + 60
        while time.time() < deadline:
            status, body = self.api("GET", "/v1/profiles?limit=1", admin)
            if status == 200 and body["total"] >= count:
                break
            time.sleep(0.5)
        self.expect(body["total"] >= count, f"the daemon lists {body['total']} profiles")
        timings = []
        for _ in range(3):  # the best of three loads, so one stall of the loaded machine does not decide
            self.driver.get(self.base + "/?" + str(time.time()) + "#/")
            self.wait("the big fleet", lambda: int(self.js(
                "return document.getElementById('fleet-rows').dataset.total || 0")) >= count)
            timings.append(self.js("return performance.getEntriesByName('fleet-rendered')[0].startTime"))
        rows = len(self.rows())
        print(f"   fleet page of {count}+ profiles rendered after {', '.join(f'{t:.0f}' for t in timings)} ms"
              f" ({rows} rows on the first page)", flush=True)
        self.expect(min(timings) < 1000, f"the fleet page took {min(timings):.0f} ms")
        self.expect(rows == 100 and self.driver.find_element(By.ID, "page-info").text.endswith(f"of {body['total']}"),
                    f"{rows} rows, pager {self.driver.find_element(By.ID, 'page-info').text!r}")
        self.expect(self.rows()[0]["name"] == self.config["failing"], "the failing profile is not first of 1,000")
        start = time.time()
        mark = self.loaded_mark()
        self.driver.find_element(By.ID, "filter-text").send_keys("bulk0999")
        self.wait("the filtered big fleet", lambda: self.fleet_loaded_after(mark)
                  and [r["name"] for r in self.rows()] == ["bulk0999"])
        print(f"   filtering {count}+ profiles to one took {(time.time() - start) * 1000:.0f} ms (150 ms debounce)",
              flush=True)
        self.shot("08-fleet-filtered")

    def csp_violations(self):
        self.step("no content-security-policy violation logged")
        logs = self.driver.get_log("browser")
        bad = [e["message"] for e in logs if "Content Security Policy" in e["message"]]
        self.expect(not bad, f"CSP violations: {bad}")


def main():
    # The browser and its driver are Debian's, named in CONFIG: selenium must never fetch one.
    os.environ.setdefault("SE_OFFLINE", "true")
    # A test that gives up sends SIGTERM: leave through `finally`, so Chromium is closed too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))
    config = json.load(open(sys.argv[1]))
    check = Check(config)
    try:
        check.run()
    except Exception as e:  # a check that failed, or the browser that did
        try:
            check.shot("failed")
        except Exception:
            pass
        print(f"FAIL: {type(e).__name__}: {e}", flush=True)
        return 1
    finally:
        check.driver.quit()
    print("console check passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
