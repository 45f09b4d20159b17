import DjsecCore
import Foundation
import XCTest

/// `rotate secret-key` killed, starved of disk or raced at each of its write
/// points (CrashHarness and its shim): the key users' sessions are signed
/// with is never lost, no plaintext is left where git would commit it, a
/// failure prints no success line, and the next command reports and repairs.
final class RotateCrashTests: XCTestCase {
  private var work: URL!

  override func setUpWithError() throws {
    work = try CLI.temporaryFolder("rotate-crash")
  }

  override func tearDownWithError() throws {
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  /// A committed project after `init`, with the XDG folders each case copies.
  private func template(python: URL) throws -> URL {
    let template = work.appendingPathComponent("template")
    for folder in ["state", "config"] {
      try FileManager.default.createDirectory(at: template.appendingPathComponent(folder), withIntermediateDirectories: true)
    }
    let made = try CLI.run(python, ["-m", "django", "startproject", "demo"], in: template)
    XCTAssertEqual(made.status, 0, made.stderr)
    try CLI.git(["init", "-q", "-b", "main"], in: template.appendingPathComponent("demo"))
    let prepared = CrashHarness.Case(root: template)
    try prepared.expect(["init", ".", "--host", "example.com"], in: "demo")
    try prepared.git(["add", "-A"], in: "demo")
    try CLI.git(["commit", "-qm", "djsec"], in: prepared.url("demo"))
    return template
  }

  /// The SECRET_KEY local_settings.py holds in a case.
  private static func deployedKey(_ c: CrashHarness.Case) throws -> String {
    let text = try String(contentsOf: c.url("demo/demo/local_settings.py"), encoding: .utf8)
    guard let key = PythonLiteral.assignedString(named: "SECRET_KEY", in: text) else {
      throw CrashHarness.Violation("local_settings.py holds no SECRET_KEY")
    }
    return key
  }

  /// Whether Django, on the settings now deployed, still accepts `key`
  /// (it is SECRET_KEY or one of SECRET_KEY_FALLBACKS); compared in Python.
  private static func djangoAccepts(_ key: String, in c: CrashHarness.Case, python: URL) throws -> Bool {
    let check = """
      import os
      from django.conf import settings
      k = os.environ["OLD_KEY"]
      print(k == settings.SECRET_KEY or k in settings.SECRET_KEY_FALLBACKS)
      """
    let r = try CLI.run(
      python, ["-c", check], in: c.url("demo"), environment: ["DJANGO_SETTINGS_MODULE": "demo.settings", "OLD_KEY": key])
    try CrashHarness.require(r.status == 0, "Django could not import the settings: \(r.stderr)")
    return r.stdout == "True\n"
  }

  /// kill -9 at every write point, then the user's next steps: `status`
  /// says where things stand, `render` repairs without dropping the key that
  /// was deployed before the kill, a second `rotate` (the retry the report
  /// describes) keeps the key deployed when it starts, and the project is whole.
  func testRotateKilledAnywhereKeepsTheDeployedKey() throws {
    let python = try CLI.python()
    let template = try template(python: python)
    let deployed = try Self.deployedKey(CrashHarness.Case(root: template))
    let harness = CrashHarness(work: work, template: template, directory: "demo", command: ["rotate", "secret-key"])
    let points = try harness.run { c, _ in
      try c.requireSafe(project: "demo", known: [deployed])
      let status = try c.djsec(["status"], in: "demo")
      try CrashHarness.require(
        status.stdout.contains("in step") || status.stdout.contains("behind the store"), "status does not say where things stand")
      // The repair: render deploys the store, and the key deployed before the kill still signs in.
      try c.expect(["render"], in: "demo")
      try CrashHarness.require(try Self.djangoAccepts(deployed, in: c, python: python), "render dropped the deployed key")
      try CrashHarness.require(try c.djsec(["status"], in: "demo").status == 0, "status still finds work after render")
      // The retry: whatever is deployed now is kept by the next rotation.
      let now = try Self.deployedKey(c)
      try c.expect(["rotate", "secret-key"], in: "demo")
      try CrashHarness.require(try Self.djangoAccepts(now, in: c, python: python), "the retry dropped the deployed key")
      try c.requireWhole(python: python)
    }
    XCTAssertGreaterThanOrEqual(points.count, 4)
  }

  /// A full disk at each write point: a rotation that could not write
  /// everything prints no success line and names what finishes the job;
  /// `render` then deploys the store without logging anyone out.
  func testADiskFullAtAnyPointPrintsNoSuccessAndRenderRepairs() throws {
    let python = try CLI.python()
    let template = try template(python: python)
    let deployed = try Self.deployedKey(CrashHarness.Case(root: template))
    let harness = CrashHarness(work: work, template: template, directory: "demo", command: ["rotate", "secret-key"])
    var failures = 0
    for (kind, count) in try harness.counts() where count > 0 && ["rename", "renameat", "link", "linkat", "fsync"].contains(kind) {
      for n in 1...count {
        let c = try harness.copy("enospc-\(kind)-\(n)")
        defer { try? FileManager.default.removeItem(at: c.root) }
        let r = try harness.runShimmed(c, spec: "\(kind):\(n):fail=ENOSPC")
        if r.status != 0 {
          failures += 1
          XCTAssertFalse(r.stdout.contains("rotated"), "\(kind) \(n): a failed rotation printed success")
          XCTAssertTrue(r.stderr.contains("djsec: error:"), "\(kind) \(n): \(r.stderr)")
        }
        if r.stderr.contains("was saved") { XCTAssertTrue(r.stderr.contains("djsec render"), "\(kind) \(n): \(r.stderr)") }
        try c.expect(["render"], in: "demo")
        XCTAssertTrue(try Self.djangoAccepts(deployed, in: c, python: python), "\(kind) \(n): the deployed key was dropped")
        XCTAssertTrue(try c.djsec(["status"], in: "demo").stdout.contains("in step"), "\(kind) \(n): render did not repair")
      }
    }
    XCTAssertGreaterThan(failures, 0, "no injected failure reached djsec")
  }

  /// A rotation paused after it saved the store and before it wrote
  /// local_settings.py, and a second rotation started in that window: the
  /// second waits for the first, so the file ends on the store's key. (With
  /// the lock released between the two writes, the paused one wrote its
  /// older key over the second's.)
  func testARotationInTheMiddleOfAnotherWaits() throws {
    let python = try CLI.python()
    let template = try template(python: python)
    let harness = CrashHarness(work: work, template: template, directory: "demo", command: ["rotate", "secret-key", "--keep", "3"])
    let c = try harness.copy("race")
    nonisolated(unsafe) var first: Run?
    let done = DispatchGroup()
    done.enter()
    DispatchQueue.global().async {
      first = try? harness.runShimmed(c, spec: "rename:@local_settings.py:pause=1500")
      done.leave()
    }
    usleep(700_000)
    let second = try c.djsec(["rotate", "secret-key", "--keep", "3"], in: "demo")
    done.wait()
    XCTAssertEqual(first?.status, 0, first?.stderr ?? "")
    XCTAssertEqual(second.status, 0, second.stderr)
    let stored = try c.expect(["secret", "get", "SECRET_KEY"], in: "demo").stdout.trimmingCharacters(in: .newlines)
    XCTAssertTrue(try Self.deployedKey(c) == stored, "local_settings.py is on another key than the store")
  }

  /// A render whose file cannot be written says exactly that: the store did
  /// not change, so nothing claims it was saved ahead of the file.
  func testARenderThatCannotWriteSaysSo() throws {
    let python = try CLI.python()
    let template = try template(python: python)
    let harness = CrashHarness(work: work, template: template, directory: "demo", command: ["render"])
    let c = try harness.copy("render-enospc")
    let r = try harness.runShimmed(c, spec: "rename:@local_settings.py:fail=ENOSPC")
    XCTAssertEqual(r.status, 2, r.stderr)
    XCTAssertTrue(r.stderr.contains("local_settings.py was not written"), r.stderr)
    XCTAssertFalse(r.stderr.contains("was saved") || r.stdout.contains("rendered"), r.stdout + r.stderr)
  }
}
