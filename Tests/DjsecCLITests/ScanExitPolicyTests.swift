import DjsecTestSupport
import Foundation
import XCTest

/// When a scan fails a CI job: only on findings at or above `--fail-on`
/// (default medium), with `--exit-code` (default 1). A fresh `django-admin
/// startproject` holds a `django-insecure-` key, a low finding: shown, and
/// the job passes.
final class ScanExitPolicyTests: XCTestCase {
  func testAFreshStartprojectIsShownButPassesAndFailOnAndExitCodeDecide() throws {
    let python = try CLI.python()
    let work = try CLI.startProject("exit-policy", python: python)
    defer { try? FileManager.default.removeItem(at: work) }
    let project = work.appendingPathComponent("demo")
    for args in [["init", "-q", "-b", "main"], ["add", "-A"]] { XCTAssertEqual(try CLI.git(args, in: project).status, 0) }
    XCTAssertEqual(
      try CLI.git(["-c", "user.name=Dev", "-c", "user.email=dev@example.invalid", "commit", "-q", "-m", "startproject"], in: project)
        .status, 0)

    let plain = try CLI.djsec(["scan", project.path])
    XCTAssertEqual(plain.status, 0, plain.stderr)
    XCTAssertTrue(plain.stdout.contains("django-insecure-secret-key"), plain.stdout)
    XCTAssertTrue(plain.stdout.contains("1 leak found"), plain.stdout)

    XCTAssertEqual(try CLI.djsec(["scan", project.path, "--fail-on", "low"]).status, 1)
    XCTAssertEqual(try CLI.djsec(["scan", project.path, "--fail-on", "low", "--exit-code", "3"]).status, 3)
    XCTAssertEqual(try CLI.djsec(["scan", project.path, "--fail-on", "low", "--exit-code", "0"]).status, 0)

    // A provider's live key is critical: the default fails on it.
    var generator = SecretGenerator()
    let live = try generator.fill("{{stripe_live}}")
    try "STRIPE_SECRET_KEY = '\(live)'\n".write(
      to: project.appendingPathComponent("demo/payments.py"), atomically: true, encoding: .utf8)
    XCTAssertEqual(try CLI.git(["add", "-A"], in: project).status, 0)
    XCTAssertEqual(
      try CLI.git(["-c", "user.name=Dev", "-c", "user.email=dev@example.invalid", "commit", "-q", "-m", "pay"], in: project).status, 0)
    XCTAssertEqual(try CLI.djsec(["scan", project.path]).status, 1)
    XCTAssertEqual(try CLI.djsec(["scan", project.path, "--fail-on", "critical", "--exit-code", "42"]).status, 42)
  }

  /// Values that used to end in "no leaks found" (`--max-size 0`, an empty
  /// `--since` from an unset CI variable) or in a crash are errors now.
  func testBadValuesAreOneLineErrorsWithExitTwo() throws {
    let repo = try GitFixture("exit-policy-bad")
    try repo.commit("x", files: ["a.txt": "a\n"])
    for args in [
      ["--fail-on", "severe"], ["--exit-code", "2"], ["--exit-code", "126"], ["--exit-code", "-1"], ["--exit-code", "x"],
      ["--max-size", "0"], ["--max-size", "99999999999999999999"], ["--max-size", "5000"], ["--since", ""], ["--range", " "],
      ["--redact", "--show-secrets"],
    ] {
      let r = try CLI.djsec(["scan", repo.root.path] + args)
      XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
      XCTAssertTrue(r.stderr.hasPrefix("djsec: error: "), "\(args): \(r.stderr)")
      XCTAssertEqual(r.stdout, "", "\(args)")
    }
  }

  func testRedactIsAcceptedAndIsTheDefault() throws {
    let repo = try GitFixture("redact")
    let key = SecretGenerator.make("django_key")!
    try repo.commit("x", files: ["mysite/settings.py": "SECRET_KEY = '\(key)'\n"])
    for args in [[], ["--redact"]] {
      let r = try CLI.djsec(["scan", repo.root.path] + args)
      XCTAssertEqual(r.status, 1, r.stderr)
      XCTAssertTrue(r.stdout.contains("REDACTED"), r.stdout)
      XCTAssertFalse(r.stdout.contains(key))
    }
  }
}
