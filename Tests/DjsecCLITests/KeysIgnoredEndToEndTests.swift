import Foundation
import XCTest

/// `djsec keys new` promises a private key git ignores. A teammate with push
/// access can break that promise with a committed file (a weakened
/// keys/.gitignore, a `keys` symlink); the next `git add keys/` would then
/// commit the key. djsec checks with git itself before it writes the key.
final class KeysIgnoredEndToEndTests: XCTestCase {
  private var repo: GitFixture!
  private var root: URL { repo.root }

  override func setUpWithError() throws {
    repo = try GitFixture("keys-ignored")
    try repo.write("manage.py", "# a Django project\n")
    let made = try CLI.djsec(["keys", "new", "--name", "alice"], in: root)
    XCTAssertEqual(made.status, 0, made.stderr)
    try repo.commit("alice's public key")
  }

  override func tearDownWithError() throws { repo = nil }

  /// Anything at the path, a dangling link too.
  private func exists(_ path: String) -> Bool {
    (try? FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(path).path)) != nil
  }

  /// One `djsec: error:` line naming the file, one hint line, nothing on stdout.
  private func assertRefusal(_ r: Run, error: String, hint: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(r.status, 2, r.stderr, file: file, line: line)
    let lines = r.stderr.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.count, 2, r.stderr, file: file, line: line)
    XCTAssertTrue(lines.first?.hasPrefix("djsec: error: ") == true && lines[0].contains(error), r.stderr, file: file, line: line)
    XCTAssertTrue(lines.last?.hasPrefix("djsec: hint: ") == true && lines[1].contains(hint), r.stderr, file: file, line: line)
    XCTAssertEqual(r.stdout, "", file: file, line: line)
  }

  func testAWeakenedKeysGitignoreStopsKeysNewBeforeTheKeyIsWritten() throws {
    try repo.commit("keys: tidy ignore rules", files: ["keys/.gitignore": "# public keys only\n!*\n"])
    let r = try CLI.djsec(["keys", "new", "--name", "carol"], in: root)
    assertRefusal(r, error: "keys/carol.key", hint: "djsec keys new --user")
    XCTAssertTrue(r.stderr.contains("keys/.gitignore"), r.stderr)
    XCTAssertFalse(exists("keys/carol.key"))
    XCTAssertFalse(exists("keys/carol.pub"))
    try repo.git("add", "keys/")
    XCTAssertEqual(try repo.git("status", "--porcelain"), "")

    // The way out the hint names: a key outside the checkout (in a config
    // folder of this test's own, so no other test finds the key).
    let config = try CLI.temporaryFolder("keys-ignored-config")
    defer { try? FileManager.default.removeItem(at: config) }
    let user = try CLI.run(
      CLI.binary, ["keys", "new", "--name", "carol", "--user"], in: root, environment: ["XDG_CONFIG_HOME": config.path])
    XCTAssertEqual(user.status, 0, user.stderr)
    XCTAssertTrue(FileManager.default.fileExists(atPath: config.appendingPathComponent("djsec/keys/carol.key").path))
  }

  /// A weakened root .gitignore alone changes nothing: keys/.gitignore is the
  /// rule nearest the key, and git still ignores it.
  func testTheKeysFolderRuleIsEnoughWhenTheRootGitignoreIsWeakened() throws {
    try repo.commit("root ignore", files: [".gitignore": "!/keys/*\n"])
    let r = try CLI.djsec(["keys", "new", "--name", "carol"], in: root)
    XCTAssertEqual(r.status, 0, r.stderr)
    try repo.git("add", "-A")
    XCTAssertEqual(try repo.git("status", "--porcelain"), "A  keys/carol.pub")
  }

  func testASymlinkedKeysFolderIsRefusedWhereverItPoints() throws {
    try FileManager.default.createDirectory(at: root.appendingPathComponent("pubkeys"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      at: root.appendingPathComponent("keys/alice.pub"), to: root.appendingPathComponent("pubkeys/alice.pub"))
    try FileManager.default.removeItem(at: root.appendingPathComponent("keys"))
    try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("keys").path, withDestinationPath: "pubkeys")
    try repo.commit("keys: one folder for public keys")

    let r = try CLI.djsec(["keys", "new", "--name", "carol"], in: root)
    assertRefusal(r, error: "symbolic link", hint: "djsec keys new --user")
    XCTAssertTrue(r.stderr.contains("keys"), r.stderr)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("pubkeys").path), ["alice.pub"])

    // Even a link to a folder whose .gitignore is intact: the folder djsec
    // writes a private key into must be the one it checked.
    let safe = try CLI.temporaryFolder("keys-elsewhere")
    defer { try? FileManager.default.removeItem(at: safe) }
    try "*\n!*.pub\n".write(to: safe.appendingPathComponent(".gitignore"), atomically: true, encoding: .utf8)
    try FileManager.default.removeItem(at: root.appendingPathComponent("keys"))
    try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("keys").path, withDestinationPath: safe.path)
    assertRefusal(try CLI.djsec(["keys", "new", "--name", "carol"], in: root), error: "symbolic link", hint: "--user")
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: safe.path), [".gitignore"])
  }

  /// `init` makes a key pair when the project has none: the same check runs
  /// while it plans, so nothing at all is written.
  func testInitRefusesToMakeAKeyGitWouldNotIgnore() throws {
    let python = try CLI.python()
    let work = try CLI.startProject("keys-ignored-init", python: python)
    defer { try? FileManager.default.removeItem(at: work) }
    let project = work.appendingPathComponent("demo")
    try CLI.git(["init", "-q"], in: project)
    try FileManager.default.createDirectory(at: project.appendingPathComponent("keys"), withIntermediateDirectories: true)
    try "!*\n".write(to: project.appendingPathComponent("keys/.gitignore"), atomically: true, encoding: .utf8)
    try CLI.git(["add", "-A"], in: project)
    try CLI.git(["commit", "-qm", "startproject"], in: project)
    let files = CLI.snapshot(project)

    let r = try CLI.djsec(["init", ".", "--host", "example.com"], in: project)
    assertRefusal(r, error: "keys/default.key", hint: "keys/.gitignore")
    XCTAssertEqual(CLI.snapshot(project), files)
  }
}
