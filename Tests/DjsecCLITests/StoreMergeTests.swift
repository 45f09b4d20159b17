import Foundation
import XCTest

/// `djsec git-setup`: two branches that edit different secrets merge entry by
/// entry with a valid MAC; the same secret changed on both sides is refused by
/// name; `git diff` shows each changed entry by name and value digest (never
/// the value) through textconv, plaintext only when asked for.
final class StoreMergeTests: XCTestCase {
  func testMergeDriverAndTextconv() throws {
    let repo = try GitFixture("merge")
    try repo.write("manage.py", "# a Django project\n")
    func djsec(_ args: [String], stdin: String? = nil) throws -> Run {
      let r = try CLI.run(CLI.binary, args, in: repo.root, stdin: stdin)
      XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
      return r
    }
    _ = try djsec(["keys", "new"])
    _ = try djsec(["secret", "set", "A", "--stdin"], stdin: "a0")
    _ = try djsec(["secret", "set", "B", "--stdin"], stdin: "b0")
    _ = try djsec(["git-setup"])
    XCTAssertTrue(
      try String(contentsOf: repo.root.appendingPathComponent(".gitattributes"), encoding: .utf8).contains(
        "secrets*.djsec merge=djsec diff=djsec"))
    try repo.commit("store")

    try repo.git("checkout", "-q", "-b", "left")
    _ = try djsec(["secret", "set", "A", "--stdin"], stdin: "a-left")
    try repo.commit("left changes A")
    try repo.git("checkout", "-q", "main")
    _ = try djsec(["secret", "set", "B", "--stdin"], stdin: "b-main")
    _ = try djsec(["secret", "set", "C", "--stdin"], stdin: "c-main")
    try repo.commit("main changes B, adds C")
    try repo.git("merge", "-q", "--no-edit", "left")
    XCTAssertEqual(try djsec(["secret", "export"]).stdout, "A='a-left'\nB='b-main'\nC='c-main'\n")
    XCTAssertFalse(try String(contentsOf: repo.root.appendingPathComponent("secrets.djsec"), encoding: .utf8).contains("a-left"))

    // textconv: git diff shows which value changed by a keyed digest, never the value.
    _ = try djsec(["secret", "set", "C", "--stdin"], stdin: "c-new")
    let diff = try repo.git("diff")
    XCTAssertTrue(diff.contains("-C = <digest ") && diff.contains("+C = <digest "), diff)
    XCTAssertFalse(diff.contains("c-main") || diff.contains("c-new") || diff.contains("a-left"), diff)
    XCTAssertFalse(diff.contains("\n-A = ") || diff.contains("\n+A = "), "an unchanged value shows no change: \(diff)")
    // Plaintext only with the documented opt-in.
    _ = try djsec(["git-setup", "--plaintext-diff"])
    let plain = try repo.git("diff")
    XCTAssertTrue(plain.contains("-C = \"c-main\"") && plain.contains("+C = \"c-new\""), plain)
    _ = try djsec(["git-setup"])
    try repo.commit("c")

    // The same entry changed on both sides: refused, naming it.
    try repo.git("checkout", "-q", "-b", "other")
    _ = try djsec(["secret", "set", "A", "--stdin"], stdin: "a-other")
    try repo.commit("other A")
    try repo.git("checkout", "-q", "main")
    _ = try djsec(["secret", "set", "A", "--stdin"], stdin: "a-main")
    try repo.commit("main A")
    let merge = try CLI.run(URL(fileURLWithPath: "/usr/bin/git"), ["merge", "--no-edit", "other"], in: repo.root)
    XCTAssertNotEqual(merge.status, 0)
    XCTAssertTrue((merge.stdout + merge.stderr).contains("merge conflict on entry A"), merge.stdout + merge.stderr)
  }

  /// The driver is registered by name, so moving or upgrading djsec does not
  /// break merges; a driver whose program git cannot find is named by status.
  func testTheDriverIsDjsecByNameAndStatusNamesAMissingOne() throws {
    let repo = try GitFixture("merge-by-name")
    try repo.write("manage.py", "# a Django project\n")
    func djsec(_ args: [String], env: [String: String] = [:]) throws -> Run {
      try CLI.run(CLI.binary, args, in: repo.root, stdin: "v", environment: env)
    }
    XCTAssertEqual(try djsec(["keys", "new"]).status, 0)
    XCTAssertEqual(try djsec(["secret", "set", "A", "--stdin"]).status, 0)
    let setup = try djsec(["git-setup"])
    XCTAssertEqual(setup.status, 0, setup.stderr)
    XCTAssertTrue(setup.stdout.contains("registered djsec, found on PATH (now \(CLI.binary.path))"), setup.stdout)
    XCTAssertEqual(try repo.git("config", "merge.djsec.driver"), "djsec merge-driver %O %A %B %P")
    XCTAssertEqual(try repo.git("config", "diff.djsec.textconv"), "djsec textconv")
    XCTAssertFalse(try djsec(["status"]).stdout.contains("merge.djsec.driver"))

    // Not on PATH: git-setup warns, status names it.
    let bare = ["PATH": "/usr/bin:/bin"]
    let unfound = try CLI.run(CLI.binary, ["git-setup"], in: repo.root, environment: bare)
    XCTAssertTrue(unfound.stderr.contains("djsec: warning: djsec is not on PATH"), unfound.stderr)
    let status = try CLI.run(CLI.binary, ["status"], in: repo.root, environment: bare)
    XCTAssertEqual(status.status, 1)
    XCTAssertTrue(status.stdout.contains("merge.djsec.driver runs djsec, which is not on PATH"), status.stdout)

    // What an older djsec wrote: an absolute path that has since gone.
    try repo.git("config", "merge.djsec.driver", "'/tmp/gone-build-folder/djsec' merge-driver %O %A %B %P")
    let old = try djsec(["status"])
    XCTAssertEqual(old.status, 1)
    XCTAssertTrue(old.stdout.contains("runs /tmp/gone-build-folder/djsec, which does not exist: run 'djsec git-setup' again"), old.stdout)
  }
}
