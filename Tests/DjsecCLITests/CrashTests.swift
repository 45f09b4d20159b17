import DjsecCore
import Foundation
import XCTest

/// `kill -9` at every write point of `keys new`, `init` and `render` (see
/// CrashHarness). After each kill: no key file is empty or partial, no file
/// git would commit holds a plaintext secret, and the same command run again
/// succeeds (or says what to run) and leaves the project whole: Django imports
/// local_settings.py with the store's values, and git ignores it.
final class CrashTests: XCTestCase {
  private var work: URL!

  override func setUpWithError() throws {
    work = try CLI.temporaryFolder("crash")
  }

  override func tearDownWithError() throws {
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  /// A template folder, with the XDG folders each case gets a copy of.
  private func template(repository: String? = nil) throws -> URL {
    let template = work.appendingPathComponent("template")
    for folder in ["state", "config"] + (repository.map { [$0] } ?? []) {
      try FileManager.default.createDirectory(at: template.appendingPathComponent(folder), withIntermediateDirectories: true)
    }
    return template
  }

  /// A Django project made once by `startproject` and committed: each case copies it.
  private func djangoTemplate(python: URL) throws -> URL {
    let template = try template()
    let made = try CLI.run(python, ["-m", "django", "startproject", "demo"], in: template)
    XCTAssertEqual(made.status, 0, made.stderr)
    let project = template.appendingPathComponent("demo")
    try CLI.git(["init", "-q", "-b", "main"], in: project)
    try CLI.git(["add", "-A"], in: project)
    try CLI.git(["commit", "-qm", "startproject"], in: project)
    return template
  }

  func testTheShimSeesTheCallsOfTheSwiftBinary() throws {
    let template = try template(repository: "repo")
    try CLI.git(["init", "-q"], in: template.appendingPathComponent("repo"))
    let harness = CrashHarness(work: work, template: template, directory: "repo", command: ["keys", "new"])
    // keys/.gitignore and default.pub are renamed into place and the key is
    // published with link(2), each from a temporary file made by mkstemp and
    // fsynced, then the folder is fsynced (strace shows the same calls).
    let counts = try harness.counts()
    XCTAssertEqual(counts["rename"], 2, "\(counts)")
    XCTAssertEqual(counts["link"], 1, "\(counts)")
    XCTAssertEqual(counts["mkstemp"], 3, "\(counts)")
    XCTAssertEqual(counts["fsync"], 6, "\(counts)")
    // And it kills: before the first rename, keys/.gitignore is not there yet.
    let c = try harness.copy("kill")
    XCTAssertEqual(try harness.runShimmed(c, spec: "rename:1").signal, SIGKILL)
    XCTAssertFalse(FileManager.default.fileExists(atPath: c.url("repo/keys/.gitignore").path))
    XCTAssertTrue(FileManager.default.fileExists(atPath: c.url("repo/keys").path))
  }

  func testKeysNewKilledAnywhere() throws {
    let template = try template(repository: "repo")
    try CLI.git(["init", "-q"], in: template.appendingPathComponent("repo"))
    let harness = CrashHarness(work: work, template: template, directory: "repo", command: ["keys", "new"])
    let points = try harness.run { c, point in
      try c.requireSafe(project: "repo")
      let pub = c.url("repo/keys/default.pub")
      let again = try c.djsec(["keys", "new"], in: "repo")
      if again.status != 0 {
        // The key was published before the kill: the next run says so, and
        // how to finish the pair when its public half is missing.
        try CrashHarness.require(again.stderr.contains("refusing to overwrite keys/default.key"), "keys new again: \(again.stderr)")
        if !FileManager.default.fileExists(atPath: pub.path) {
          try CrashHarness.require(again.stderr.contains("djsec keys pub"), "keys new again names no repair: \(again.stderr)")
          try c.expect(["keys", "pub"], in: "repo")
        }
      }
      _ = try KeyFile.read(c.url("repo/keys/default.key"))
      let written = try String(contentsOf: pub, encoding: .utf8)
      try CrashHarness.require(try c.expect(["keys", "pub"], in: "repo").stdout == written, "default.pub is not the key's public half")
      try c.requireSafe(project: "repo")
    }
    XCTAssertGreaterThanOrEqual(points.count, 10)
  }

  func testInitKilledAnywhere() throws {
    let python = try CLI.python()
    let template = try djangoTemplate(python: python)
    let harness = CrashHarness(work: work, template: template, directory: "demo", command: ["init", ".", "--host", "example.com"])
    let points = try harness.run { c, point in
      try c.requireSafe(project: "demo")
      try c.expect(["init", ".", "--host", "example.com"], in: "demo")
      try c.requireWhole(python: python)
    }
    XCTAssertGreaterThanOrEqual(points.count, 20)
  }

  func testRenderKilledAnywhere() throws {
    let python = try CLI.python()
    let template = try djangoTemplate(python: python)
    let prepared = CrashHarness.Case(root: template)
    try prepared.expect(["init", ".", "--host", "example.com"], in: "demo")
    // A value the rendered file does not hold yet, so render changes it.
    let password = "pw-\(UUID().uuidString)"
    try prepared.expect(["secret", "set", "DB_PASSWORD", "--stdin"], in: "demo", stdin: password)
    try prepared.git(["add", "-A"], in: "demo")
    try CLI.git(["commit", "-qm", "djsec"], in: prepared.url("demo"))
    let harness = CrashHarness(work: work, template: template, directory: "demo", command: ["render"])
    let points = try harness.run { c, point in
      try c.requireSafe(project: "demo", known: [password])
      try c.expect(["render"], in: "demo")
      try c.requireWhole(python: python, expect: ["DB_PASSWORD": password])
    }
    XCTAssertGreaterThanOrEqual(points.count, 4)
  }
}
