import DjsecTestSupport
import Foundation
import XCTest

/// Django never runs on startproject's defaults by accident (issue 8, problem
/// 6): without local_settings.py it stops with one message naming the file and
/// `djsec render`, unless a development settings module opted in; and `init`
/// takes the published `django-insecure-` key out of settings.py, so removing
/// djsec's block fails too. Real Django 5.2, real startproject.
final class FailClosedTests: XCTestCase {
  private var work: URL!
  private var python: URL!
  private var project: URL { work.appendingPathComponent("demo") }
  private var settingsFile: URL { project.appendingPathComponent("demo/settings.py") }
  private var local: URL { project.appendingPathComponent("demo/local_settings.py") }

  override func setUpWithError() throws {
    python = try CLI.python()
    work = try CLI.startProject("fail-closed", python: python)
    try CLI.git(["init", "-q"], in: project)
    try CLI.git(["add", "-A"], in: project)
    try CLI.git(["commit", "-qm", "startproject"], in: project)
  }

  override func tearDownWithError() throws {
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  private func manage(_ arguments: [String]) throws -> Run {
    try CLI.run(python, ["manage.py"] + arguments, in: project)
  }

  /// `python -c CODE` with DJANGO_SETTINGS_MODULE set, as gunicorn or a script would start Django.
  private func pythonC(_ code: String, in folder: URL? = nil) throws -> Run {
    try CLI.run(
      python, ["-c", code], in: folder ?? project, environment: ["DJANGO_SETTINGS_MODULE": "demo.settings", "PYTHONPATH": project.path])
  }

  private func lastLine(_ text: String) -> String {
    String(text.split(separator: "\n").last ?? "")
  }

  private func settingsText() throws -> String { try String(contentsOf: settingsFile, encoding: .utf8) }

  func testMissingLocalSettingsStopsDjangoWithOneMessageNamingTheFile() throws {
    try CLI.expect(["init", ".", "--host", "example.com"], in: project)
    try FileManager.default.removeItem(at: local)

    let check = try manage(["check"])
    XCTAssertNotEqual(check.status, 0, "Django started without local_settings.py")
    let message = lastLine(check.stderr)
    XCTAssertTrue(message.hasPrefix("django.core.exceptions.ImproperlyConfigured: demo/local_settings.py is missing"), check.stderr)
    XCTAssertTrue(message.contains("djsec render"), message)
    XCTAssertFalse(check.stderr.contains("demo.local_settings.py"), "the old garbled name: \(check.stderr)")
    XCTAssertFalse(check.stderr.contains("djsec: warning"), check.stderr)

    let started = try pythonC("import django; django.setup(); print('started')")
    XCTAssertNotEqual(started.status, 0)
    XCTAssertFalse(started.stdout.contains("started"))
    XCTAssertTrue(lastLine(started.stderr).contains("demo/local_settings.py is missing"), started.stderr)

    // Started from elsewhere (a process manager's folder), the message names the file by its full path.
    let folder = work.appendingPathComponent("elsewhere")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let elsewhere = try pythonC("import django; django.setup()", in: folder)
    XCTAssertNotEqual(elsewhere.status, 0)
    XCTAssertTrue(lastLine(elsewhere.stderr).contains("\(local.path) is missing"), elsewhere.stderr)

    // `djsec render` is the way back.
    try CLI.expect(["render"], in: project)
    XCTAssertEqual(try manage(["check"]).status, 0)
  }

  func testAnImportErrorInsideLocalSettingsStillStopsDjango() throws {
    try CLI.expect(["init", ".", "--host", "example.com"], in: project)
    let original = try String(contentsOf: local, encoding: .utf8)
    try (original + "\nimport djsec_no_such_module\n").write(to: local, atomically: true, encoding: .utf8)
    let broken = try manage(["check"])
    XCTAssertNotEqual(broken.status, 0)
    XCTAssertTrue(lastLine(broken.stderr).contains("No module named 'djsec_no_such_module'"), broken.stderr)
    XCTAssertFalse(broken.stderr.contains("is missing"), broken.stderr)
  }

  func testAllowDefaultsWarnsAndStartsOnTheDefaults() throws {
    let r = try CLI.expect(["init", ".", "--profile", "dev", "--allow-defaults"], in: project)
    XCTAssertTrue(r.stdout.contains("runs on the defaults"), r.stdout)
    try FileManager.default.removeItem(at: local)
    let check = try manage(["check"])
    XCTAssertEqual(check.status, 0, check.stderr)
    XCTAssertTrue(check.stderr.contains("djsec: warning: demo/local_settings.py is missing"), check.stderr)
    XCTAssertTrue(check.stderr.contains("djsec render"), check.stderr)
    // startproject's key is gone from settings.py: the defaults run on a throwaway key, never on none or the published one.
    let key = try pythonC("from django.conf import settings; print(len(settings.SECRET_KEY), 'insecure' in settings.SECRET_KEY)")
    XCTAssertEqual(key.stdout, "64 False\n", key.stderr)
    let digest = "import hashlib; from django.conf import settings; print(hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest())"
    XCTAssertNotEqual(try pythonC(digest).stdout, try pythonC(digest).stdout, "the throwaway key is the same in two processes")

    // init without the flag goes back to failing closed.
    try CLI.expect(["init", ".", "--profile", "dev"], in: project)
    try FileManager.default.removeItem(at: local)
    XCTAssertNotEqual(try manage(["check"]).status, 0)
  }

  func testAllowDefaultsIsForTheDevProfileOnly() throws {
    let files = CLI.snapshot(project)
    let r = try CLI.expect(["init", ".", "--host", "example.com", "--allow-defaults"], in: project, status: 2)
    XCTAssertEqual(r.stdout, "")
    let lines = r.stderr.split(separator: "\n")
    XCTAssertTrue(lines.first?.hasPrefix("djsec: error: --allow-defaults") ?? false, r.stderr)
    XCTAssertTrue(r.stderr.contains("--profile dev"), r.stderr)
    XCTAssertLessThanOrEqual(lines.count, 2, r.stderr)
    XCTAssertEqual(CLI.snapshot(project), files)
  }

  func testTheBlockAnOlderDjsecWroteIsUpgradedInPlace() throws {
    var settings = try settingsText()
    settings += "\n\n" + OldSettingsHook.v1 + "\n# a line the user added after the block\n"
    try settings.write(to: settingsFile, atomically: true, encoding: .utf8)

    try CLI.expect(["init", ".", "--host", "example.com"], in: project)
    let upgraded = try settingsText()
    XCTAssertFalse(upgraded.contains(OldSettingsHook.v1), "the old block is still there")
    XCTAssertEqual(upgraded.components(separatedBy: "# >>> djsec").count, 2, "one block, not two")
    XCTAssertTrue(upgraded.hasSuffix("# <<< djsec <<<\n\n# a line the user added after the block\n"), "not replaced in place")
    try FileManager.default.removeItem(at: local)
    XCTAssertTrue(lastLine(try manage(["check"]).stderr).contains("demo/local_settings.py is missing"))

    // And a second init changes nothing.
    try CLI.expect(["render"], in: project)
    let again = try CLI.expect(["init", ".", "--host", "example.com"], in: project)
    XCTAssertTrue(again.stdout.contains("unchanged demo/settings.py"), again.stdout)
    XCTAssertEqual(try settingsText(), upgraded)
  }

  func testInitTakesTheInsecureKeyOutOfSettings() throws {
    XCTAssertTrue(try settingsText().contains("SECRET_KEY = 'django-insecure-"))
    let r = try CLI.expect(["init", ".", "--host", "example.com"], in: project)
    XCTAssertTrue(
      r.stdout.contains("updated demo/settings.py:") && r.stdout.contains("django-insecure- SECRET_KEY removed"), r.stdout)
    let settings = try settingsText()
    XCTAssertFalse(settings.contains("django-insecure-"), "the published key is still in settings.py")
    XCTAssertTrue(settings.contains("# SECRET_KEY is set by djsec in local_settings.py"), settings)

    // Django runs on djsec's key...
    let key = try pythonC("import django; django.setup(); from django.conf import settings; print(len(settings.SECRET_KEY))")
    XCTAssertEqual(key.stdout, "50\n", key.stderr)

    // ... and with djsec's block taken out, on no key at all rather than the published one.
    let begin = try XCTUnwrap(settings.range(of: "# >>> djsec"))
    try String(settings[..<begin.lowerBound]).write(to: settingsFile, atomically: true, encoding: .utf8)
    let unhooked = try pythonC("import django; django.setup(); from django.conf import settings; settings.SECRET_KEY")
    XCTAssertNotEqual(unhooked.status, 0)
    XCTAssertTrue(
      lastLine(unhooked.stderr).hasPrefix("django.core.exceptions.ImproperlyConfigured: The SECRET_KEY setting must not be empty"),
      unhooked.stderr)

    // init puts the block back; the key line stays out and nothing else changes.
    try CLI.expect(["init", ".", "--host", "example.com"], in: project)
    XCTAssertEqual(try settingsText(), settings)
    let again = try CLI.expect(["init", ".", "--host", "example.com"], in: project)
    XCTAssertTrue(again.stdout.contains("unchanged demo/settings.py"), again.stdout)
  }

  func testAnotherSecretKeyLineIsLeftAloneAndReported() throws {
    var lines = try settingsText().components(separatedBy: "\n")
    let index = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("SECRET_KEY = ") })
    lines[index] = #"SECRET_KEY = __import__("os").environ.get("DJANGO_SECRET_KEY", "")"#
    try lines.joined(separator: "\n").write(to: settingsFile, atomically: true, encoding: .utf8)

    let r = try CLI.expect(["init", ".", "--host", "example.com"], in: project)
    XCTAssertTrue(r.stdout.contains("SECRET_KEY on line \(index + 1) left as it is"), r.stdout)
    XCTAssertTrue(try settingsText().contains(lines[index] + "\n"))
  }
}
