import Foundation
import XCTest

/// `djsec init` on a real project made by Django's own `startproject`, checked
/// by Django's own `check --deploy`, in a real git repository.
final class InitEndToEndTests: XCTestCase {
  var work: URL!
  var project: URL { work.appendingPathComponent("demo") }
  private var local: URL { project.appendingPathComponent("demo/local_settings.py") }
  private var python: URL!

  override func setUpWithError() throws {
    python = try CLI.python()
    work = try CLI.startProject("init", python: python)
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

  func key() throws -> String {
    let r = try manage(["shell", "-v", "0", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"])
    XCTAssertEqual(r.status, 0, r.stderr)
    return r.stdout.trimmingCharacters(in: .newlines)
  }

  func testDeployProfileMakesCheckDeployClean() throws {
    // Django's fresh project fails the deploy check before djsec runs.
    let before = try manage(["check", "--deploy", "--fail-level", "WARNING"])
    XCTAssertNotEqual(before.status, 0)
    XCTAssertTrue(before.stderr.contains("security.W009") || before.stdout.contains("security.W009"))

    let r = try CLI.djsec(["init", "demo", "--host", "example.com", "--host", ".example.org", "--hsts", "full"], in: work)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertTrue(r.stdout.contains("created demo/local_settings.py"), r.stdout)

    let deploy = try manage(["check", "--deploy", "--fail-level", "WARNING"])
    XCTAssertEqual(deploy.status, 0, deploy.stdout + deploy.stderr)
    XCTAssertTrue(deploy.stdout.contains("System check identified no issues (0 silenced)"), deploy.stdout)
    XCTAssertEqual(try manage(["check"]).status, 0)

    XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: local.path)[.posixPermissions] as? Int, 0o600)
    try CLI.git(["check-ignore", "-q", "demo/local_settings.py"], in: project)
    let status = try CLI.git(["status", "--porcelain"], in: project).stdout
    XCTAssertFalse(status.contains("local_settings"), status)

    let settings = try manage(["shell", "-v", "0", "-c", "from django.conf import settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)"])
    XCTAssertEqual(settings.stdout.trimmingCharacters(in: .newlines), "False ['example.com', '.example.org']")
    let secret = try key()
    XCTAssertEqual(secret.count, 50)
    XCTAssertFalse(r.stdout.contains(secret) || r.stderr.contains(secret), "init printed the key")

    // Again: the key is kept and nothing changes.
    let settingsFile = project.appendingPathComponent("demo/settings.py")
    let hooked = try String(contentsOf: settingsFile, encoding: .utf8)
    let again = try CLI.djsec(["init", "demo", "--host", "example.com", "--host", ".example.org"], in: work)
    XCTAssertEqual(again.status, 0, again.stderr)
    XCTAssertTrue(again.stdout.contains("unchanged demo/local_settings.py"), again.stdout)
    XCTAssertEqual(try key(), secret)
    XCTAssertEqual(try String(contentsOf: settingsFile, encoding: .utf8), hooked)
    XCTAssertEqual(hooked.components(separatedBy: "# >>> djsec").count, 2, "the hook was added twice")

    // --dry-run writes nothing, even with --force.
    let files = CLI.snapshot(project)
    let dry = try CLI.djsec(["init", "demo", "--host", "example.net", "--force", "--dry-run"], in: work)
    XCTAssertEqual(dry.status, 0, dry.stderr)
    XCTAssertTrue(dry.stdout.contains("would update demo/local_settings.py"), dry.stdout)
    XCTAssertEqual(CLI.snapshot(project), files)

    // --force: a new key.
    let forced = try CLI.djsec(["init", "demo", "--host", "example.com", "--force"], in: work)
    XCTAssertEqual(forced.status, 0, forced.stderr)
    XCTAssertNotEqual(try key(), secret)
    XCTAssertEqual(try manage(["check", "--deploy", "--fail-level", "WARNING"]).status, 0)
  }

  func testDevProfileServesPlainHTTPOnLocalhost() throws {
    let r = try CLI.djsec(["init", "demo", "--profile", "dev"], in: work)
    XCTAssertEqual(r.status, 0, r.stderr)
    // A plain-HTTP request to localhost gets through (no 400, no redirect to https).
    let probe = try manage([
      "shell", "-v", "0", "-c",
      "from django.test import Client; from django.conf import settings as s; "
        + "print(s.DEBUG, Client(HTTP_HOST='localhost').get('/admin/login/').status_code)",
    ])
    XCTAssertEqual(probe.stdout.trimmingCharacters(in: .newlines), "True 200", probe.stderr)
    XCTAssertEqual(try key().count, 50)
  }

  func testRefusesWhenLocalSettingsIsTracked() throws {
    try "SECRET_KEY = 'x'\n".write(to: local, atomically: true, encoding: .utf8)
    try CLI.git(["add", "demo/local_settings.py"], in: project)
    try CLI.git(["commit", "-qm", "oops"], in: project)
    let files = CLI.snapshot(project)
    let r = try CLI.djsec(["init", "demo", "--host", "example.com", "--force"], in: work)
    XCTAssertEqual(r.status, 2)
    XCTAssertTrue(r.stderr.contains("git tracks it"), r.stderr)
    XCTAssertTrue(r.stderr.contains("git rm --cached demo/local_settings.py"), r.stderr)
    XCTAssertEqual(CLI.snapshot(project), files)
  }

  func testBadInputIsOneLineAndWritesNothing() throws {
    let files = CLI.snapshot(project)
    for (args, fragment) in [
      (["init", "demo", "--host", "not a host"], "--host not a host is not a valid host name"),
      (["init", work.path, "--host", "example.com"], "is not a Django project"),
      (["init", "demo", "--host", "example.com", "--settings", "demo/nope.py"], "settings file"),
      (["init", "demo"], "the deploy profile needs the host names"),
    ] {
      let r = try CLI.djsec(args, in: work)
      XCTAssertEqual(r.status, 2, args.joined(separator: " "))
      XCTAssertEqual(r.stdout, "")
      XCTAssertTrue(r.stderr.hasPrefix("djsec: error: "), r.stderr)
      XCTAssertTrue(r.stderr.contains(fragment), r.stderr)
      XCTAssertLessThanOrEqual(r.stderr.split(separator: "\n").count, 2, r.stderr)
    }
    XCTAssertEqual(CLI.snapshot(project), files)
  }
}

extension InitEndToEndTests {
  /// `--no-store` keeps the key in local_settings.py only: no key pair, no store.
  func testNoStoreKeepsTheKeyInLocalSettingsOnly() throws {
    let r = try CLI.djsec(["init", "demo", "--host", "example.com", "--no-store", "--hsts", "full"], in: work)
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: project.appendingPathComponent("secrets.djsec").path))
    XCTAssertFalse(FileManager.default.fileExists(atPath: project.appendingPathComponent("keys").path))
    let deploy = try CLI.run(try CLI.python(), ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], in: project)
    XCTAssertEqual(deploy.status, 0, deploy.stdout + deploy.stderr)
  }

  /// With the store (the default), the key lives in secrets.djsec and a second init keeps it.
  func testStoreHoldsTheKey() throws {
    XCTAssertEqual(try CLI.djsec(["init", "demo", "--host", "example.com"], in: work).status, 0)
    let get = try CLI.djsec(["secret", "get", "SECRET_KEY"], in: project)
    XCTAssertEqual(get.status, 0, get.stderr)
    XCTAssertEqual(get.stdout.trimmingCharacters(in: .newlines), try key())
    XCTAssertTrue(try CLI.djsec(["init", "demo", "--host", "example.com"], in: work).stdout.contains("unchanged secrets.djsec"))
  }
}
