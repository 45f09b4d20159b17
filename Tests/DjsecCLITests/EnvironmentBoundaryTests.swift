import Foundation
import XCTest

/// What a push or a slip must not do across environments (found by a red
/// team on issue 8's first build): a committed `.djsec/` choosing where
/// secrets go, one environment's render replacing another's, a store name
/// for another environment, a linked store losing its name, and a store
/// value choosing what code `djsec exec` runs.
final class EnvironmentBoundaryTests: XCTestCase {
  private var work: URL!

  override func setUpWithError() throws {
    work = try CLI.startProject("env-boundary", python: try CLI.python())
  }

  override func tearDownWithError() throws {
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  private var root: URL { work.appendingPathComponent("demo") }

  @discardableResult
  private func djsec(
    _ args: [String], stdin: String? = nil, env: [String: String] = [:], status: Int32 = 0, file: StaticString = #filePath,
    line: UInt = #line
  ) throws -> Run {
    try CLI.expect(args, in: root, stdin: stdin, env: env, status: status, file: file, line: line)
  }

  /// Commits everything git does not ignore, and `.djsec` even where it does (a push meant to plant it).
  private func commitAll(_ message: String) throws {
    try CLI.git(["add", "-A"], in: root)
    try CLI.git(["add", "-f", ".djsec"], in: root)
    try CLI.git(["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", message], in: root)
  }

  /// H1, H2: a `.djsec` folder someone committed (a `render-default`
  /// naming an output path, or a link to another folder) is never read or
  /// written: this checkout's state lives in the user's own state folder.
  func testACommittedDotDjsecChoosesNothing() throws {
    try CLI.git(["init", "-q", "-b", "main"], in: root)
    try djsec(["init", "--host", "example.com"])
    let leak = work.appendingPathComponent("leak.html")
    try FileManager.default.createDirectory(at: root.appendingPathComponent(".djsec"), withIntermediateDirectories: true)
    try "out \(leak.path)\n".write(to: root.appendingPathComponent(".djsec/render-default"), atomically: true, encoding: .utf8)
    try "production\n".write(to: root.appendingPathComponent(".djsec/environment"), atomically: true, encoding: .utf8)
    try commitAll("state")
    let rendered = try djsec(["render"]).stdout
    XCTAssertTrue(rendered.contains("rendered demo/local_settings.py (environment default)"), rendered)
    XCTAssertFalse(FileManager.default.fileExists(atPath: leak.path), "a committed .djsec chose where secrets went")
    try djsec(["rotate", "secret-key"])
    XCTAssertFalse(FileManager.default.fileExists(atPath: leak.path))

    let elsewhere = work.appendingPathComponent("etc")
    try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
    try "keep\n".write(to: elsewhere.appendingPathComponent("environment"), atomically: true, encoding: .utf8)
    try FileManager.default.removeItem(at: root.appendingPathComponent(".djsec"))
    try FileManager.default.createSymbolicLink(at: root.appendingPathComponent(".djsec"), withDestinationURL: elsewhere)
    try djsec(["render", "--env", "default"])
    try djsec(["init", "--env", "production", "--host", "example.com"])
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path), ["environment"])
    XCTAssertEqual(try String(contentsOf: elsewhere.appendingPathComponent("environment"), encoding: .utf8), "keep\n")
  }

  /// M2 and L7: making production's store on a laptop leaves development's
  /// file; rendering another environment over it needs --force (and keeps a copy).
  func testAnotherEnvironmentsFileIsReplacedOnlyOnPurpose() throws {
    try CLI.git(["init", "-q", "-b", "main"], in: root)
    try djsec(["init", "--env", "development", "--profile", "dev"])
    let local = root.appendingPathComponent("demo/local_settings.py")
    let before = try Data(contentsOf: local)
    let made = try djsec(["init", "--env", "production", "--host", "example.com"]).stdout
    XCTAssertTrue(made.contains("holds environment development, left alone"), made)
    XCTAssertEqual(try Data(contentsOf: local), before, "init of production replaced development's file")
    let refused = try djsec(["render", "--env", "production"], status: 2)
    XCTAssertTrue(refused.stderr.contains("holds environment development") && refused.stderr.contains("--force"), refused.stderr)
    XCTAssertEqual(try Data(contentsOf: local), before)
    let forced = try djsec(["render", "--env", "production", "--force"]).stdout
    XCTAssertTrue(forced.contains("backed up") || forced.contains(".djsec/backups"), forced)
    XCTAssertNotEqual(try Data(contentsOf: local), before)
    // A store of another environment under this one's name.
    let mixed = try djsec(["render", "--env", "production", "--store", "secrets.development.djsec"], status: 2)
    XCTAssertTrue(mixed.stderr.contains("not environment production's store"), mixed.stderr)
  }

  /// L3: a store that is a symbolic link keeps its own name in the rendered
  /// file, so rotate recognises the file as the store's and renders it.
  func testALinkedStoreKeepsItsName() throws {
    try djsec(["init", "--host", "example.com"])
    try FileManager.default.moveItem(at: root.appendingPathComponent("secrets.djsec"), to: root.appendingPathComponent("s.djsec"))
    try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("secrets.djsec").path, withDestinationPath: "s.djsec")
    try djsec(["render"])
    let out = try djsec(["rotate", "secret-key"]).stdout
    XCTAssertTrue(out.contains("rendered"), out)
    XCTAssertTrue(try djsec(["status"]).stdout.contains("in step"))
  }

  /// M3: a stored LD_PRELOAD, PYTHONPATH or PATH would let whoever signs the
  /// store choose what code `djsec exec` runs; refused unless named with --only.
  func testExecRefusesNamesThatChooseWhatRuns() throws {
    try djsec(["init", "--host", "example.com"])
    try djsec(["secret", "set", "LD_PRELOAD", "--stdin"], stdin: "/nonexistent/evil.so")
    let r = try djsec(["exec", "--", "/bin/true"], status: 2)
    XCTAssertTrue(r.stderr.contains("LD_PRELOAD") && r.stderr.contains("changes which code"), r.stderr)
    XCTAssertFalse(r.stderr.contains("evil"), "the value reached the message")
    for name in ["GUNICORN_CMD_ARGS", "OPENSSL_CONF", "PYTHONSTARTUP", "GIT_SSH_COMMAND"] {
      try djsec(["secret", "rm", "LD_PRELOAD"], status: name == "GUNICORN_CMD_ARGS" ? 0 : 1)
      try djsec(["secret", "set", name, "--stdin"], stdin: "-c /nonexistent/conf.py")
      let refused = try djsec(["exec", "--", "/bin/true"], status: 2)
      XCTAssertTrue(refused.stderr.contains(name), refused.stderr)
      try djsec(["secret", "rm", name])
    }
    try djsec(["exec", "--only", "SECRET_KEY", "--", "/bin/true"])
    let missing = try djsec(["exec", "--only", "SECRET_KEY", "--", "/nonexistent/program"], status: 127)
    XCTAssertTrue(missing.stderr.contains("not found"), missing.stderr)
  }

  /// M1: --allow-defaults changes settings.py's block, which production
  /// shares when both render for one settings file: refused; and a deploy
  /// init over an opted-in block says it now fails closed.
  func testAllowDefaultsNeverReachesAnEnvironmentThatDeploys() throws {
    try djsec(["init", "--env", "production", "--host", "example.com"])
    let r = try djsec(["init", "--env", "development", "--profile", "dev", "--allow-defaults"], status: 2)
    XCTAssertTrue(r.stderr.contains("secrets.production.djsec deploys from demo/settings.py"), r.stderr)
    let other = try CLI.startProject("env-boundary-2", python: try CLI.python())
    defer { try? FileManager.default.removeItem(at: other) }
    let project = other.appendingPathComponent("demo")
    try CLI.expect(["init", "--env", "development", "--profile", "dev", "--allow-defaults"], in: project)
    let out = try CLI.expect(["init", "--env", "production", "--host", "example.com"], in: project).stdout
    XCTAssertTrue(out.contains("now stops Django instead"), out)
  }
}
