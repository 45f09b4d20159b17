import Foundation
import XCTest

/// A leaked Django key is judged by what it can still sign: after `djsec
/// init`, a committed local_settings.py holds the key in use (critical);
/// after a rotation it is a fallback Django still accepts (high); once no
/// fallback is kept it is an old key (low). Run on a real startproject.
final class KeyInUseTests: XCTestCase {
  private func severity(_ project: URL, path: String, _ extra: [String] = []) throws -> (
    severity: String?, description: String?, status: Int32
  ) {
    let r = try CLI.djsec(["scan", project.path, "--format", "json"] + extra)
    let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    let found = (doc?["findings"] as? [[String: Any]] ?? []).first { $0["path"] as? String == path }
    return (found?["severity"] as? String, found?["description"] as? String, r.status)
  }

  func testACommittedKeyIsCurrentThenAFallbackThenOld() throws {
    let python = try CLI.python()
    let work = try CLI.startProject("key-in-use", python: python)
    defer { try? FileManager.default.removeItem(at: work) }
    let project = work.appendingPathComponent("demo")
    try CLI.git(["init", "-q", "-b", "main"], in: project)
    try CLI.git(["add", "-A"], in: project)
    try CLI.git(["commit", "-q", "-m", "startproject"], in: project)
    try CLI.expect(["init", ".", "--host", "example.com"], in: project)
    // The mistake: the ignored file committed anyway.
    try CLI.git(["add", "-A"], in: project)
    try CLI.git(["add", "-f", "demo/local_settings.py"], in: project)
    try CLI.git(["commit", "-q", "-m", "deploy"], in: project)

    let leaked = try severity(project, path: "demo/local_settings.py")
    XCTAssertEqual(leaked.severity, "critical")
    XCTAssertTrue(leaked.description?.contains("the key in use now") == true, leaked.description ?? "")
    XCTAssertTrue(leaked.description?.contains("djsec rotate secret-key") == true)
    XCTAssertEqual(leaked.status, 1)
    // startproject's key is in no store: every store opened, so it is old.
    XCTAssertEqual(try severity(project, path: "demo/settings.py").severity, "low")

    // Rotated: the leaked key leads SECRET_KEY_FALLBACKS.
    try CLI.git(["rm", "-q", "--cached", "demo/local_settings.py"], in: project)
    try CLI.git(["commit", "-q", "-m", "untrack"], in: project)
    try CLI.expect(["rotate", "secret-key"], in: project)
    let fallback = try severity(project, path: "demo/local_settings.py")
    XCTAssertEqual(fallback.severity, "high", fallback.description ?? "")
    XCTAssertTrue(fallback.description?.contains("a fallback Django still accepts") == true)

    // Rotated again keeping no fallback: nothing accepts it any more.
    try CLI.expect(["rotate", "secret-key", "--keep", "0"], in: project)
    let old = try severity(project, path: "demo/local_settings.py")
    XCTAssertEqual(old.severity, "low", old.description ?? "")
    XCTAssertTrue(old.description?.contains("an old key") == true)
    // With --settings-from (a pull request in CI) the stores are the pull
    // request's own, one of them perhaps deleted by it: never lowered.
    let trusted = try severity(project, path: "demo/local_settings.py", ["--settings-from", "HEAD"])
    XCTAssertNotEqual(trusted.severity, "low", trusted.description ?? "")

    // Without the private key, only local_settings.py is known: a key it
    // does not hold keeps its severity (production's store may hold it).
    let keys = project.appendingPathComponent("keys")
    let away = work.appendingPathComponent("keys-away")
    try FileManager.default.moveItem(at: keys, to: away)
    defer { try? FileManager.default.moveItem(at: away, to: keys) }
    let unknown = try severity(project, path: "demo/local_settings.py")
    XCTAssertNotEqual(unknown.severity, "low", "an unproven old key is not lowered")
    XCTAssertFalse(unknown.description?.contains("an old key") == true)
  }
}
