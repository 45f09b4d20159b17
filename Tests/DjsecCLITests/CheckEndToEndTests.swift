import DjsecCore
import DjsecTestSupport
import Foundation
import XCTest

/// `djsec check` on projects made by Django's own `startproject`: a fresh
/// one fails (DEBUG, the development key, hosts…), the same after `djsec
/// init` passes at high, and each secrets and settings check is made to
/// fire and kept quiet on real files, git and stores.
final class CheckEndToEndTests: XCTestCase {
  private var work: URL!
  private var project: URL { work.appendingPathComponent("demo") }

  override func setUpWithError() throws {
    work = try CLI.startProject("check", python: try CLI.python())
    try CLI.git(["init", "-q", "-b", "main"], in: project)
    try CLI.git(["add", "-A"], in: project)
    try CLI.git(["commit", "-q", "-m", "startproject"], in: project)
  }

  override func tearDownWithError() throws { try? FileManager.default.removeItem(at: work) }

  private func check(_ extra: [String] = []) throws -> CheckReport { try CheckReport.run(project, extra) }

  private func initProject(_ extra: [String] = []) throws {
    try CLI.expect(["init", ".", "--host", "example.com", "--hsts", "full"] + extra, in: project)
    try CLI.git(["add", "-A"], in: project)
    try CLI.git(["commit", "-q", "-m", "djsec init"], in: project)
  }

  func testAFreshStartprojectFailsAndPassesAfterInit() throws {
    let fresh = try check()
    XCTAssertEqual(fresh.status, 1, fresh.stderr)
    for id in ["settings.debug", "secrets.key-strength", "settings.allowed-hosts", "secrets.local-settings-present", "settings.deploy"] {
      XCTAssertFalse(fresh.fired(id).isEmpty, "\(id) should fire on a fresh startproject")
    }
    XCTAssertEqual(fresh.fired("secrets.key-strength").first?["severity"] as? String, "critical")
    XCTAssertTrue((fresh.fired("secrets.key-strength").first?["message"] as? String ?? "").contains("django-insecure-"), "names the prefix")

    try initProject()
    let after = try check()
    XCTAssertEqual(after.status, 0, "\(after.findings)")
    for id in [
      "secrets.local-settings-present", "secrets.local-settings-ignored", "secrets.local-settings-mode", "secrets.private-keys",
      "secrets.store", "secrets.key-strength", "secrets.key-in-history", "secrets.leftover-files", "settings.debug",
      "settings.allowed-hosts", "settings.deploy",
    ] {
      XCTAssertEqual(after.checks[id], "passed", "\(id) after init: \(after.fired(id))")
    }
    XCTAssertEqual(after.checks["secrets.fallbacks"], "not-applicable")
    XCTAssertEqual(after.checks["settings.django-check"], "not-applicable", "no Python given and none beside manage.py")
  }

  /// Django's own check --deploy, with the test virtualenv's Django: its
  /// findings under Django's ids on a fresh project, none after init.
  func testDjangosOwnDeployCheckIsMergedUnderItsIds() throws {
    try checkDeploy(with: try CLI.python().path)
  }

  /// The same with Django 6 (Python 3.12+), where `make test` could make its
  /// virtualenv (DJSEC_TEST_PYTHON_DJANGO6; the Makefile says when it could not).
  func testDjango6sOwnDeployCheckToo() throws {
    guard let python = ProcessInfo.processInfo.environment["DJSEC_TEST_PYTHON_DJANGO6"],
      FileManager.default.isExecutableFile(atPath: python)
    else { throw XCTSkip("no Django 6 virtualenv (it needs Python 3.12 or newer)") }
    let version = try CLI.run(URL(fileURLWithPath: python), ["-c", "import django; print(django.VERSION[0])"])
    XCTAssertEqual(version.stdout, "6\n")
    try checkDeploy(with: python)
  }

  private func checkDeploy(with python: String) throws {
    let fresh = try check(["--python", python])
    let ids = Set(fresh.findings.compactMap { $0["check"] as? String })
    XCTAssertTrue(ids.contains("security.W004"), "\(ids)")
    XCTAssertTrue(ids.contains("security.W008"), "\(ids)")
    XCTAssertFalse(ids.contains("security.W018"), "DEBUG is settings.debug's, reported once")
    XCTAssertFalse(ids.contains("security.W009"), "the key is secrets.key-strength's, reported once")
    XCTAssertEqual(fresh.checks["settings.deploy"], "not-applicable")
    try initProject()
    let after = try check(["--python", python])
    XCTAssertEqual(after.checks["settings.django-check"], "passed", "\(after.findings)")
  }

  func testEachSecretsCheckFiresOnItsMistake() throws {
    try initProject()
    let local = project.appendingPathComponent("demo/local_settings.py")
    let key = project.appendingPathComponent("keys/default.key")

    // Modes: world-readable local_settings.py and private key.
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: local.path)
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key.path)
    var r = try check()
    XCTAssertEqual(r.fired("secrets.local-settings-mode").first?["severity"] as? String, "high")
    XCTAssertEqual(r.fired("secrets.private-keys").first?["path"] as? String, "keys/default.key")
    XCTAssertEqual(r.status, 1)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: local.path)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)

    // An editor's backup beside it.
    try Data("copy".utf8).write(to: project.appendingPathComponent("demo/local_settings.py~"))
    r = try check()
    XCTAssertEqual(r.fired("secrets.leftover-files").first?["path"] as? String, "demo/local_settings.py~")
    try FileManager.default.removeItem(at: project.appendingPathComponent("demo/local_settings.py~"))

    // One rotation keeping one fallback is what a rotation needs: quiet.
    try CLI.expect(["rotate", "secret-key", "--keep", "1"], in: project)
    XCTAssertEqual(try check().checks["secrets.fallbacks"], "passed")

    // Two rotations keeping two fallbacks.
    try CLI.expect(["rotate", "secret-key", "--keep", "2"], in: project)
    try CLI.expect(["rotate", "secret-key", "--keep", "2"], in: project)
    r = try check()
    XCTAssertEqual(r.fired("secrets.fallbacks").first?["severity"] as? String, "medium", "\(r.findings)")

    // The key in use committed: tracked local_settings.py, key in history.
    try CLI.git(["add", "-f", "demo/local_settings.py"], in: project)
    try CLI.git(["commit", "-q", "-m", "oops"], in: project)
    r = try check()
    XCTAssertEqual(r.fired("secrets.local-settings-ignored").first?["severity"] as? String, "critical")
    let history = r.fired("secrets.key-in-history")
    XCTAssertTrue(history.contains { $0["severity"] as? String == "critical" }, "\(history)")
    XCTAssertTrue((history.first?["fix"] as? String ?? "").contains("djsec rotate secret-key"))
    XCTAssertEqual(r.status, 1)

    // A store whose bytes were changed does not open.
    try CLI.git(["rm", "-q", "--cached", "demo/local_settings.py"], in: project)
    let store = project.appendingPathComponent("secrets.djsec")
    var bytes = [UInt8](try Data(contentsOf: store))
    let at = bytes.count / 2
    bytes[at] = bytes[at] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
    try Data(bytes).write(to: store)
    r = try check()
    XCTAssertEqual(r.fired("secrets.store").first?["severity"] as? String, "critical", "\(r.findings)")
  }

  /// Each environment rendered on this machine is judged on its own
  /// settings; one rendered elsewhere is left to the machine it runs on.
  func testEachEnvironmentRenderedHereIsJudged() throws {
    try initProject()
    try CLI.expect(["init", ".", "--env", "staging", "--profile", "dev"], in: project)
    var r = try check()
    XCTAssertEqual(r.checks["settings.debug"], "passed", "staging is not rendered here: \(r.findings)")
    let out = work.appendingPathComponent("staging_settings.py")
    try CLI.expect(["render", "--env", "staging", "--out", out.path], in: project)
    r = try check()
    let debug = r.fired("settings.debug")
    XCTAssertEqual(debug.count, 1, "\(debug)")
    XCTAssertTrue((debug.first?["message"] as? String ?? "").hasPrefix("environment staging: DEBUG = True"), "\(debug)")
    XCTAssertEqual(r.status, 1)
  }

  /// A virtualenv committed to the repository is not run: it came from
  /// whoever pushed it, not from this machine.
  func testACommittedVirtualenvIsNeverRun() throws {
    let marker = work.appendingPathComponent("ran")
    let bin = project.appendingPathComponent(".venv/bin")
    try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
    try "#!/bin/sh\ntouch '\(marker.path)'\n".write(to: bin.appendingPathComponent("python"), atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin.appendingPathComponent("python").path)
    try CLI.git(["add", "-f", ".venv"], in: project)
    try CLI.git(["commit", "-q", "-m", "a venv"], in: project)
    let r = try check()
    XCTAssertEqual(r.checks["settings.django-check"], "not-applicable", "\(r.findings)")
    XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path), "the committed python ran")
    // The same file, untracked (a virtualenv made here), is used.
    try CLI.git(["rm", "-q", "-r", "--cached", ".venv"], in: project)
    _ = try check()
    XCTAssertTrue(FileManager.default.fileExists(atPath: marker.path), "an untracked virtualenv beside manage.py is the project's")
  }

  func testTheReportsValidateAndParse() throws {
    let python = try CLI.python()
    let schema = CLI.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/schemas/sarif-schema-2.1.0.json")
    guard FileManager.default.fileExists(atPath: schema.path) else {
      if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("no SARIF schema at \(schema.path)") }
      throw XCTSkip("no SARIF schema at \(schema.path)")
    }
    let sarif = try CLI.djsec(["check", project.path, "--format", "sarif"])
    XCTAssertEqual(sarif.status, 1)
    let file = work.appendingPathComponent("check.sarif")
    try sarif.stdout.write(to: file, atomically: true, encoding: .utf8)
    let valid = try CLI.run(
      python,
      [
        "-c", "import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))); print('ok')",
        file.path, schema.path,
      ])
    XCTAssertEqual(valid.stdout, "ok\n", valid.stderr)
    let junit = try CLI.djsec(["check", project.path, "--format", "junit"])
    let parsed = try CLI.run(
      python,
      [
        "-c",
        "import sys, xml.etree.ElementTree as E; r = E.fromstring(sys.stdin.read()); print(len(r.iter('testcase').__next__().attrib))",
      ],
      stdin: junit.stdout)
    XCTAssertEqual(parsed.status, 0, parsed.stderr)
    let text = try CLI.djsec(["check", project.path])
    XCTAssertTrue(text.stdout.contains("fix: "), text.stdout)
    XCTAssertEqual(try CLI.djsec(["check", project.path, "--format", "csv"]).status, 2, "an unknown format is a usage error")
  }
}

/// Every check id has its page in docs/checks/, and every page a check.
final class CheckDocsTests: XCTestCase {
  func testEveryCheckHasADocsPage() throws {
    let folder = CLI.packageRoot.appendingPathComponent("docs/checks")
    let pages = Set(
      try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".md") }.map { String($0.dropLast(3)) })
    let ids = Set(Audit.checks.map(\.id))
    XCTAssertEqual(ids.subtracting(pages), [], "checks without a page")
    XCTAssertEqual(pages.subtracting(ids), [], "pages without a check")
    for id in ids {
      let text = try String(contentsOf: folder.appendingPathComponent(id + ".md"), encoding: .utf8)
      XCTAssertTrue(text.contains("OWASP Top 10 (2021)") || text.contains("ASVS"), "\(id) names what it serves")
    }
  }
}
