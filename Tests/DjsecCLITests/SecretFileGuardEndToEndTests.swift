import Foundation
import XCTest

/// The files djsec writes plaintext secrets into, and the project files it
/// edits, as a teammate with push access could prepare them: a committed
/// local_settings.py stub, a settings module moved out of the ignore rule, an
/// ignore rule re-included, a committed symlink. Every case runs the built
/// binary on a project made by Django's own `startproject`, in a real git
/// repository, and checks the bytes on disk afterwards.
final class SecretFileGuardEndToEndTests: XCTestCase {
  private var work: URL!
  private var project: URL { work.appendingPathComponent("demo") }
  private var local: URL { project.appendingPathComponent("demo/local_settings.py") }
  private var store: URL { project.appendingPathComponent("secrets.djsec") }

  override func setUpWithError() throws {
    work = try CLI.startProject("secret-file-guard", python: try CLI.python())
    try CLI.git(["init", "-q", "-b", "main"], in: project)
    try commit("startproject")
  }

  override func tearDownWithError() throws {
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  @discardableResult
  private func djsec(_ args: [String], status: Int32 = 0, file: StaticString = #filePath, line: UInt = #line) throws -> Run {
    let r = try CLI.run(CLI.binary, args, in: project)
    XCTAssertEqual(r.status, status, "djsec \(args.joined(separator: " ")): \(r.stderr)", file: file, line: line)
    return r
  }

  private func git(_ args: String...) throws -> String {
    try CLI.git(args, in: project).stdout.trimmingCharacters(in: .newlines)
  }

  private func commit(_ message: String) throws {
    try CLI.git(["add", "-A"], in: project)
    try CLI.git(["commit", "-qm", message], in: project)
  }

  private func write(_ path: String, _ text: String) throws {
    let url = project.appendingPathComponent(path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: url, atomically: false, encoding: .utf8)
  }

  private func read(_ url: URL) throws -> Data { try Data(contentsOf: url) }

  private func isLink(_ url: URL) -> Bool { (try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) != nil }

  /// The owner's `djsec init`, committed the way the README says.
  private func initialise() throws {
    try djsec(["init", ".", "--host", "example.com"])
    try commit("Adopt djsec")
    XCTAssertEqual(try git("status", "--porcelain"), "")
  }

  /// One `djsec: error:` line and one hint line, nothing on stdout, exit 2.
  private func assertRefusal(_ r: Run, error: [String], hint: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(r.status, 2, r.stderr, file: file, line: line)
    let lines = r.stderr.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.count, 2, r.stderr, file: file, line: line)
    XCTAssertTrue(lines.first?.hasPrefix("djsec: error: ") == true, r.stderr, file: file, line: line)
    for fragment in error { XCTAssertTrue(lines.first?.contains(fragment) == true, "\(fragment): \(r.stderr)", file: file, line: line) }
    XCTAssertTrue(lines.last?.hasPrefix("djsec: hint: ") == true && lines[1].contains(hint), r.stderr, file: file, line: line)
    XCTAssertEqual(r.stdout, "", file: file, line: line)
  }

  // MARK: render and rotate

  func testRenderAndRotateRefuseALocalSettingsGitTracks() throws {
    try initialise()
    try write("demo/local_settings.py", "# local overrides (keep empty)\n")
    try CLI.git(["add", "-f", "demo/local_settings.py"], in: project)
    try commit("add local settings stub")
    let stub = try read(local)
    let sealed = try read(store)

    let render = try djsec(["render"], status: 2)
    assertRefusal(render, error: ["demo/local_settings.py", "git tracks it"], hint: "git rm --cached demo/local_settings.py")
    XCTAssertEqual(try read(local), stub)

    // rotate re-renders: it refuses before it changes the store, so the
    // store and the file still agree.
    let rotate = try djsec(["rotate", "secret-key"], status: 2)
    assertRefusal(rotate, error: ["demo/local_settings.py", "git tracks it"], hint: "git rm --cached demo/local_settings.py")
    XCTAssertEqual(try read(local), stub)
    XCTAssertEqual(try read(store), sealed)
    XCTAssertEqual(try git("status", "--porcelain"), "")

    // The fix the hint names; init's ignore rule is already there.
    _ = try git("rm", "-q", "--cached", "demo/local_settings.py")
    try CLI.git(["commit", "-qm", "Stop tracking demo/local_settings.py"], in: project)
    // The stub is not djsec's: rotate leaves it, render --force replaces it (keeping a copy).
    let rotated = try djsec(["rotate", "secret-key"])
    XCTAssertTrue(rotated.stdout.contains("djsec render --force"), rotated.stdout)
    XCTAssertEqual(try read(local), stub)
    try djsec(["render", "--force"])
    XCTAssertNotEqual(try read(local), stub)
    XCTAssertEqual(try git("status", "--porcelain"), " M secrets.djsec")
  }

  func testRenderRefusesASettingsTargetGitDoesNotIgnore() throws {
    try initialise()
    // manage.py now names another settings package, beside which init's rule does not reach.
    try write("web/__init__.py", "")
    try write("web/settings.py", "from demo.settings import *\n")
    let manage = try String(contentsOf: project.appendingPathComponent("manage.py"), encoding: .utf8)
    try write("manage.py", manage.replacingOccurrences(of: "demo.settings", with: "web.settings"))
    try commit("settings: move to web/")

    let r = try djsec(["render"], status: 2)
    assertRefusal(r, error: ["web/local_settings.py", "git would not ignore it"], hint: "djsec init")
    XCTAssertFalse(FileManager.default.fileExists(atPath: project.appendingPathComponent("web/local_settings.py").path))

    // Outside every work tree, --out is the user's choice.
    let elsewhere = try CLI.temporaryFolder("render-out")
    defer { try? FileManager.default.removeItem(at: elsewhere) }
    let out = elsewhere.appendingPathComponent("local_settings.py")
    try djsec(["render", "--out", out.path])
    XCTAssertEqual(AtomicMode.of(out), 0o600)

    // Inside the work tree, an ignored path is fine too.
    try write(".gitignore", try String(contentsOf: project.appendingPathComponent(".gitignore"), encoding: .utf8) + "/deploy/\n")
    try FileManager.default.createDirectory(at: project.appendingPathComponent("deploy"), withIntermediateDirectories: true)
    try djsec(["render", "--out", "deploy/local_settings.py"])
    let notIgnored = try djsec(["render", "--out", "web/local_settings.py"], status: 2)
    assertRefusal(notIgnored, error: ["web/local_settings.py"], hint: ".gitignore")
    XCTAssertEqual(try git("status", "--porcelain"), " M .gitignore")
  }

  // MARK: init

  /// A rule deeper than the one init appends, or a `!` rule after it, keeps
  /// local_settings.py out of the ignore list: init refuses before writing anything.
  func testInitRefusesWhenARuleReIncludesLocalSettings() throws {
    try write("demo/.gitignore", "!local_settings.py\n")
    try commit("keep local settings visible")
    var files = CLI.snapshot(project)
    let deeper = try djsec(["init", ".", "--host", "example.com"], status: 2)
    assertRefusal(deeper, error: ["demo/local_settings.py", "git would not ignore it", "demo/.gitignore:1"], hint: "demo/.gitignore")
    XCTAssertEqual(CLI.snapshot(project), files)

    _ = try git("rm", "-q", "demo/.gitignore")
    try write(".gitignore", "/demo/local_settings.py\n!/demo/local_settings.py\n")
    try commit("rules")
    files = CLI.snapshot(project)
    let after = try djsec(["init", ".", "--host", "example.com"], status: 2)
    assertRefusal(after, error: ["demo/local_settings.py", ".gitignore:2"], hint: ".gitignore")
    XCTAssertEqual(CLI.snapshot(project), files)

    // A `!` rule init's appended line comes after is no obstacle.
    try write(".gitignore", "!/demo/local_settings.py\n")
    try djsec(["init", ".", "--host", "example.com"])
    XCTAssertEqual(try git("check-ignore", "demo/local_settings.py"), "demo/local_settings.py")
  }

  func testInitNeverReadsThroughASymlinkedGitignore() throws {
    // A file of the victim's outside the repository, with a made-up value.
    let outside = work.appendingPathComponent("credentials")
    let bait = "[default]\nvalue = \(UUID().uuidString)\n"
    try bait.write(to: outside, atomically: true, encoding: .utf8)
    try FileManager.default.createSymbolicLink(
      atPath: project.appendingPathComponent(".gitignore").path, withDestinationPath: "../credentials")
    try commit("project")
    let files = CLI.snapshot(project)

    let r = try djsec(["init", ".", "--host", "example.com"], status: 2)
    assertRefusal(r, error: [".gitignore", "symbolic link"], hint: ".gitignore")
    XCTAssertTrue(isLink(project.appendingPathComponent(".gitignore")))
    XCTAssertEqual(try String(contentsOf: outside, encoding: .utf8), bait)
    XCTAssertEqual(CLI.snapshot(project), files)
    XCTAssertFalse(FileManager.default.fileExists(atPath: store.path))
  }

  func testInitNeverReadsThroughASymlinkedSettingsFile() throws {
    let settings = project.appendingPathComponent("demo/settings.py")
    let outside = work.appendingPathComponent("shared-settings.py")
    try FileManager.default.moveItem(at: settings, to: outside)
    try FileManager.default.createSymbolicLink(atPath: settings.path, withDestinationPath: "../../shared-settings.py")
    try commit("share settings")
    let before = try read(outside)
    let files = CLI.snapshot(project)

    let r = try djsec(["init", ".", "--host", "example.com"], status: 2)
    assertRefusal(r, error: ["demo/settings.py", "symbolic link"], hint: "demo/settings.py")
    XCTAssertEqual(try read(outside), before)
    XCTAssertTrue(isLink(settings))
    XCTAssertEqual(CLI.snapshot(project), files)
  }

  // MARK: symbolic links the user made

  /// A deploy keeps the real file outside the checkout and links to it: render
  /// (and rotate) write the file the link points to, and the link stays. init
  /// reads through it too, and keeps a file djsec did not write.
  func testRenderWritesWhereALinkedLocalSettingsPointsAndTheLinkStays() throws {
    let etc = work.appendingPathComponent("etc-app")
    try FileManager.default.createDirectory(at: etc, withIntermediateDirectories: true)
    let target = etc.appendingPathComponent("local_settings.py")
    try "# not djsec's\n".write(to: target, atomically: true, encoding: .utf8)
    try FileManager.default.createSymbolicLink(atPath: local.path, withDestinationPath: target.path)
    let files = CLI.snapshot(project)
    let r = try djsec(["init", ".", "--host", "example.com"], status: 2)
    assertRefusal(r, error: ["demo/local_settings.py", "djsec did not write it"], hint: "--force")
    XCTAssertEqual(CLI.snapshot(project), files)
    XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "# not djsec's\n")

    try FileManager.default.removeItem(at: local)
    try initialise()
    try FileManager.default.removeItem(at: target)
    try FileManager.default.moveItem(at: local, to: target)
    try FileManager.default.createSymbolicLink(atPath: local.path, withDestinationPath: target.path)
    chmod(target.path, 0o640)
    let password = "pw-\(UUID().uuidString)"
    XCTAssertEqual(try CLI.run(CLI.binary, ["secret", "set", "DB_PASSWORD", "--stdin"], in: project, stdin: password).status, 0)
    try djsec(["render"])
    XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: local.path), target.path)
    XCTAssertTrue(try String(contentsOf: target, encoding: .utf8).contains("DB_PASSWORD = "))
    XCTAssertEqual(AtomicMode.of(target), 0o640)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: etc.path), ["local_settings.py"])
    let before = try read(target)
    try djsec(["rotate", "secret-key"])
    XCTAssertTrue(isLink(local))
    XCTAssertNotEqual(try read(target), before)
    // Django reads the settings through the link.
    let check = "import os\nfrom django.conf import settings\nprint(settings.DB_PASSWORD == os.environ['WANT'])"
    let django = try CLI.run(
      try CLI.python(), ["-c", check], in: project, environment: ["DJANGO_SETTINGS_MODULE": "demo.settings", "WANT": password])
    XCTAssertEqual(django.stdout, "True\n", django.stderr)
    XCTAssertEqual(try git("status", "--porcelain"), " M secrets.djsec")
  }

  func testALinkToATrackedFileOrALinkGitTracksIsRefused() throws {
    try initialise()
    try write("conf/local.py", "# tracked\n")
    try commit("conf")
    try FileManager.default.removeItem(at: local)
    try FileManager.default.createSymbolicLink(atPath: local.path, withDestinationPath: "../conf/local.py")
    let toTracked = try djsec(["render"], status: 2)
    assertRefusal(toTracked, error: ["conf/local.py", "git tracks it"], hint: "git rm --cached conf/local.py")
    XCTAssertEqual(try String(contentsOf: project.appendingPathComponent("conf/local.py"), encoding: .utf8), "# tracked\n")

    // A link someone committed (past the ignore rule): its author chose where the secrets go.
    let planted = work.appendingPathComponent("planted.py")
    try "# planted\n".write(to: planted, atomically: true, encoding: .utf8)
    try FileManager.default.removeItem(at: local)
    try FileManager.default.createSymbolicLink(atPath: local.path, withDestinationPath: planted.path)
    try CLI.git(["add", "-f", "demo/local_settings.py"], in: project)
    try commit("link")
    let committed = try djsec(["render"], status: 2)
    assertRefusal(
      committed, error: ["demo/local_settings.py", "tracks this symbolic link"], hint: "git rm --cached demo/local_settings.py")
    XCTAssertEqual(try String(contentsOf: planted, encoding: .utf8), "# planted\n")
    XCTAssertTrue(isLink(local))
  }

  func testADanglingLinkIsRefusedWithWhereItPoints() throws {
    try initialise()
    try FileManager.default.removeItem(at: local)
    let gone = work.appendingPathComponent("gone/local_settings.py")
    try FileManager.default.createSymbolicLink(atPath: local.path, withDestinationPath: gone.path)
    let files = CLI.snapshot(project)
    let render = try djsec(["render"], status: 2)
    assertRefusal(render, error: ["demo/local_settings.py", "symbolic link to \(gone.path)", "does not exist"], hint: "remove the link")
    let again = try djsec(["init", ".", "--host", "example.com"], status: 2)
    assertRefusal(again, error: ["demo/local_settings.py", "does not exist"], hint: "remove the link")
    XCTAssertTrue(isLink(local))
    XCTAssertFalse(FileManager.default.fileExists(atPath: gone.deletingLastPathComponent().path))
    XCTAssertEqual(CLI.snapshot(project), files)
  }
}

/// A file's permission bits, following no link.
private enum AtomicMode {
  static func of(_ url: URL) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: url.path))?[.posixPermissions] as? Int
  }
}
