import Foundation
import XCTest

/// `djsec check --host-checks` on hosts built as folders under `--root`:
/// dpkg's status database, apt's configuration, cron and systemd, each
/// check made to fire and kept quiet on the files a Debian system has.
final class HostCheckEndToEndTests: XCTestCase {
  private var work: URL!
  private var project: URL { work.appendingPathComponent("demo") }
  private var root: URL { work.appendingPathComponent("host") }
  private let hostIDs = ["host.automatic-updates", "host.no-x-server", "host.lynis"]

  override func setUpWithError() throws {
    work = try CLI.startProject("host", python: try CLI.python())
    try write("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nID=debian\n")
    try installed([])
  }

  override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

  private func check() throws -> CheckReport { try CheckReport.run(project, ["--host-checks", "--root", root.path]) }

  private func write(_ path: String, _ text: String, mode: Int = 0o644) throws {
    let file = root.appendingPathComponent(path)
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: file, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)
  }

  /// dpkg's status database with these packages installed, and one only
  /// removed (its configuration files kept), which counts as not installed.
  private func installed(_ packages: [String], removed: String = "xserver-xephyr") throws {
    var stanzas = packages.map { name in
      """
      Package: \(name)
      Status: install ok installed
      Priority: optional
      Version: 1.0-1
      Description: \(name) for the test
       A continuation line of the description: Status: deinstall ok config-files.

      """
    }
    stanzas.append("Package: \(removed)\nStatus: deinstall ok config-files\nVersion: 2:21.1.7-3\n")
    try write("var/lib/dpkg/status", stanzas.joined(separator: "\n"))
  }

  /// Debian's own 20auto-upgrades, as dpkg-reconfigure writes it.
  private let autoUpgrades = "APT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"1\";\n"

  func testHostChecksDoNotRunWithoutTheFlag() throws {
    let r = try CheckReport.run(project)
    for id in hostIDs {
      XCTAssertEqual(r.checks[id], "not-applicable", id)
      XCTAssertTrue(r.reasons[id]?.contains("--host-checks") ?? false, "\(id): \(r.reasons[id] ?? "")")
    }
  }

  func testHostChecksDoNotApplyOffDebianAndUbuntu() throws {
    try write("etc/os-release", "NAME=\"Fedora Linux\"\nID=fedora\nPRETTY_NAME=\"Fedora Linux 40 (Server Edition)\"\n")
    let r = try check()
    for id in hostIDs {
      XCTAssertEqual(r.checks[id], "not-applicable", id)
      XCTAssertTrue(r.reasons[id]?.contains("Fedora Linux 40 (Server Edition)") ?? false, "\(id): \(r.reasons[id] ?? "")")
    }
    // Ubuntu is Debian-like: the checks run.
    try write("etc/os-release", "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\n")
    XCTAssertEqual(try check().checks["host.no-x-server"], "passed")
  }

  func testAutomaticUpdates() throws {
    // Not installed.
    var r = try check()
    var found = r.fired("host.automatic-updates")
    XCTAssertEqual(found.count, 1, "\(r.findings)")
    XCTAssertTrue((found.first?["message"] as? String ?? "").contains("not installed"), "\(found)")
    XCTAssertTrue((found.first?["fix"] as? String ?? "").contains("apt-get install unattended-upgrades"), "\(found)")

    // Installed and on; a commented-out "0" and an earlier file's "0" change nothing.
    try installed(["unattended-upgrades"])
    try write("etc/apt/apt.conf.d/10periodic", "APT::Periodic::Unattended-Upgrade \"0\";\n")
    try write(
      "etc/apt/apt.conf.d/20auto-upgrades",
      autoUpgrades + "// APT::Periodic::Unattended-Upgrade \"0\";\n# APT::Periodic::Update-Package-Lists \"0\";\n")
    r = try check()
    XCTAssertEqual(r.checks["host.automatic-updates"], "passed", "\(r.fired("host.automatic-updates"))")

    // Installed, and a later file turns it off in apt's nested form.
    try write(
      "etc/apt/apt.conf.d/99local",
      """
      /* ours */
      APT {
        Periodic {
          Update-Package-Lists "1"; // still fetched
          Unattended-Upgrade "0";
        };
      };

      """)
    r = try check()
    found = r.fired("host.automatic-updates")
    XCTAssertEqual(found.count, 1, "\(r.findings)")
    XCTAssertTrue((found.first?["message"] as? String ?? "").contains("APT::Periodic::Unattended-Upgrade"), "\(found)")
    XCTAssertEqual(found.first?["path"] as? String, "/etc/apt/apt.conf.d/99local")
    XCTAssertTrue((found.first?["fix"] as? String ?? "").contains("dpkg-reconfigure -plow unattended-upgrades"), "\(found)")
    XCTAssertEqual(r.status, 1, "an unpatched host is high")

    // apt skips a file whose name it ignores (a backup): on again.
    try FileManager.default.moveItem(
      at: root.appendingPathComponent("etc/apt/apt.conf.d/99local"), to: root.appendingPathComponent("etc/apt/apt.conf.d/99local.bak"))
    XCTAssertEqual(try check().checks["host.automatic-updates"], "passed")
  }

  func testNoXServer() throws {
    try installed(["unattended-upgrades", "nginx"])
    var r = try check()
    XCTAssertEqual(r.checks["host.no-x-server"], "passed", "a removed xserver-xephyr is not installed: \(r.findings)")

    try installed(["nginx", "xserver-xorg-core", "xorg"])
    r = try check()
    let found = r.fired("host.no-x-server")
    XCTAssertEqual(found.count, 1, "\(r.findings)")
    XCTAssertEqual(found.first?["severity"] as? String, "medium")
    XCTAssertEqual(found.first?["fix"] as? String, "apt-get purge xorg xserver-xorg-core")
  }

  func testLynisInstalledAndScheduled() throws {
    // Not installed.
    var r = try check()
    XCTAssertTrue((r.fired("host.lynis").first?["message"] as? String ?? "").contains("not installed"), "\(r.findings)")
    XCTAssertEqual(r.fired("host.lynis").first?["severity"] as? String, "medium")

    // Installed, never scheduled: a commented cron line and a weekly one do not count.
    try installed(["lynis", "cron"])
    try write("etc/cron.d/lynis", "# 0 3 * * * root /usr/sbin/lynis audit system --cronjob\n")
    try write("etc/crontab", "SHELL=/bin/sh\n0 4 * * 0 root /usr/sbin/lynis audit system --cronjob\n")
    r = try check()
    var found = r.fired("host.lynis")
    XCTAssertEqual(found.count, 1, "\(r.findings)")
    XCTAssertTrue((found.first?["message"] as? String ?? "").contains("/etc/crontab:2 runs it less often"), "\(found)")
    XCTAssertTrue((found.first?["fix"] as? String ?? "").contains("> /etc/cron.d/lynis"), "no timer shipped: \(found)")

    // A daily cron.d line.
    try write("etc/cron.d/lynis", "MAILTO=root\n0 3 * * * root /usr/sbin/lynis audit system --cronjob > /dev/null\n")
    r = try check()
    XCTAssertEqual(r.checks["host.lynis"], "passed", "\(r.fired("host.lynis"))")

    // The same line with no cron daemon installed runs nothing.
    try installed(["lynis"])
    r = try check()
    found = r.fired("host.lynis")
    XCTAssertTrue((found.first?["message"] as? String ?? "").contains("no cron daemon"), "\(r.findings)")

    // An installed program, not a package, run by a daily job of cron.daily.
    try installed(["cron"])
    try FileManager.default.removeItem(at: root.appendingPathComponent("etc/cron.d/lynis"))
    try write("usr/sbin/lynis", "#!/bin/sh\n", mode: 0o755)
    try write("etc/cron.daily/lynis", "#!/bin/sh\nexec /usr/sbin/lynis audit system --cronjob\n", mode: 0o755)
    XCTAssertEqual(try check().checks["host.lynis"], "passed")
  }

  func testLynisScheduledBySystemdTimer() throws {
    try installed(["lynis"])
    let wants = root.appendingPathComponent("etc/systemd/system/timers.target.wants")
    // Units as packages ship them; the timer not yet enabled.
    try write("lib/systemd/system/lynis.timer", "[Timer]\nOnCalendar=daily\nRandomizedDelaySec=1800\n\n[Install]\nWantedBy=timers.target\n")
    try write("lib/systemd/system/lynis.service", "[Service]\nType=oneshot\nExecStart=/usr/sbin/lynis audit system --cronjob\n")
    var r = try check()
    XCTAssertTrue((r.fired("host.lynis").first?["message"] as? String ?? "").contains("not scheduled"), "\(r.findings)")
    XCTAssertEqual(r.fired("host.lynis").first?["fix"] as? String, "systemctl enable --now lynis.timer")

    // Enabled: the link systemctl enable makes (absolute, so dangling under --root).
    try FileManager.default.createDirectory(at: wants, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: wants.appendingPathComponent("lynis.timer").path, withDestinationPath: "/lib/systemd/system/lynis.timer")
    r = try check()
    XCTAssertEqual(r.checks["host.lynis"], "passed", "\(r.fired("host.lynis"))")

    // Masked in /etc: enabled or not, it never runs.
    try FileManager.default.createSymbolicLink(
      atPath: root.appendingPathComponent("etc/systemd/system/lynis.timer").path, withDestinationPath: "/dev/null")
    r = try check()
    XCTAssertEqual(r.checks["host.lynis"], "failed", "a masked timer")
    try FileManager.default.removeItem(at: root.appendingPathComponent("etc/systemd/system/lynis.timer"))
    try FileManager.default.removeItem(at: wants.appendingPathComponent("lynis.timer"))

    // A timer of another name whose unit runs lynis.
    try write("etc/systemd/system/audit.timer", "[Timer]\nOnCalendar=*-*-* 03:00\nUnit=host-audit.service\n")
    try write("usr/lib/systemd/system/host-audit.service", "[Service]\nExecStart=/usr/bin/env lynis audit system\n")
    try FileManager.default.createSymbolicLink(
      atPath: wants.appendingPathComponent("audit.timer").path, withDestinationPath: "/etc/systemd/system/audit.timer")
    r = try check()
    XCTAssertEqual(r.checks["host.lynis"], "passed", "\(r.fired("host.lynis"))")
  }
}
