import Foundation
import XCTest

/// What the programs djsec starts can see of it: the editor of `secret edit`
/// and every git djsec runs inherit no DJSEC_* variable (no private key, no
/// passphrase), and the djsec process holding the secrets never dumps core.
final class ChildProcessTests: XCTestCase {
  private var work: URL!

  override func setUpWithError() throws {
    work = try CLI.temporaryFolder("children")
  }

  override func tearDownWithError() throws {
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  private func script(_ name: String, _ body: String) throws -> URL {
    let url = work.appendingPathComponent(name)
    try Data("#!/bin/sh\n\(body)".utf8).write(to: url)
    chmod(url.path, 0o755)
    return url
  }

  /// The names of the DJSEC_* variables in an `env` dump (names only: their
  /// values may be keys).
  private func djsecNames(_ file: URL) throws -> [String] {
    try String(contentsOf: file, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("DJSEC_") }.map {
      String($0.prefix { $0 != "=" })
    }
  }

  func testTheEditorAndGitSeeNoDjsecVariables() throws {
    let repo = try GitFixture("children-repo")
    try repo.write("manage.py", "# a Django project\n")
    let record = work.appendingPathComponent("record")
    try FileManager.default.createDirectory(at: record, withIntermediateDirectories: true)
    // A git that notes what it was given, then runs the real git.
    let bin = work.appendingPathComponent("bin")
    try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
    let git = try script("bin/git", "{ echo \"ran git $1\"; env | grep '^DJSEC_'; } >> \"$RECORD/git.env\"\nexec /usr/bin/git \"$@\"\n")
    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: git.path))
    let editor = try script("editor.sh", "env > \"$RECORD/editor.env\"\necho 'ADDED=1' >> \"$1\"\n")

    func djsec(_ args: [String], stdin: String? = nil, env: [String: String] = [:]) throws -> Run {
      var environment = env
      environment["RECORD"] = record.path
      environment["PATH"] = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
      let r = try CLI.run(CLI.binary, args, in: repo.root, stdin: stdin, environment: environment)
      XCTAssertEqual(r.status, 0, "djsec \(args.joined(separator: " ")): \(r.stderr)")
      return r
    }
    _ = try djsec(["keys", "new"])
    let keyFile = repo.root.appendingPathComponent("keys/default.key")
    let privateLine = try String(contentsOf: keyFile, encoding: .utf8).split(separator: "\n").first { $0.hasPrefix("private: ") }!
    let secrets = [
      "DJSEC_PRIVATE_KEY": String(privateLine.dropFirst("private: ".count)),
      "DJSEC_PASSPHRASE": UUID().uuidString,
      "DJSEC_KEY_FILE": keyFile.path,
      "DJSEC_SOMETHING_ELSE": "x",
    ]
    _ = try djsec(["secret", "set", "X", "--stdin"], stdin: "x", env: secrets)
    _ = try djsec(["secret", "edit"], env: secrets.merging(["EDITOR": editor.path, "TMPDIR": work.path]) { $1 })
    _ = try djsec(["git-setup"], env: secrets)
    try repo.commit("store")
    _ = try djsec(["scan", "."], env: secrets)

    let editorEnv = record.appendingPathComponent("editor.env")
    XCTAssertTrue(try String(contentsOf: editorEnv, encoding: .utf8).contains("RECORD="), "the editor did not run")
    XCTAssertEqual(try djsecNames(editorEnv), [])
    let gitEnv = record.appendingPathComponent("git.env")
    XCTAssertTrue(try String(contentsOf: gitEnv, encoding: .utf8).contains("ran git"), "djsec ran no git")
    XCTAssertEqual(try djsecNames(gitEnv), [])
  }

  /// The editor looks at the djsec process above it: no core file at all
  /// (soft and hard limits 0), and not dumpable, which the kernel shows by
  /// giving its /proc files to root. djsec runs as another user than root
  /// for that to be visible.
  func testTheDjsecProcessNeverDumpsCore() throws {
    let project = work.appendingPathComponent("project")
    try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
    try Data("# a Django project\n".utf8).write(to: project.appendingPathComponent("manage.py"))
    let record = work.appendingPathComponent("record")
    try FileManager.default.createDirectory(at: record, withIntermediateDirectories: true)
    let editor = try script(
      "editor.sh",
      """
      p=$PPID
      while [ "$(cat /proc/$p/comm)" != djsec ]; do
        p=$(awk '/^PPid:/ { print $2 }' /proc/$p/status)
        [ "$p" -gt 1 ] || exit 3
      done
      grep '^Max core file size' /proc/$p/limits > "$RECORD/limits"
      stat -c %u /proc/$p/status > "$RECORD/owner"
      id -u > "$RECORD/uid"

      """)
    var prefix: [String] = []
    if getuid() == 0 {
      // As root every /proc file is root's anyway: run djsec as nobody.
      prefix = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
      for path in [work.path, project.path, record.path] { XCTAssertEqual(chown(path, 65534, 65534), 0) }
    }
    func djsec(_ args: [String], stdin: String? = nil) throws {
      let env = [
        "RECORD": record.path, "EDITOR": editor.path, "TMPDIR": work.path, "XDG_CONFIG_HOME": work.path, "XDG_STATE_HOME": work.path,
      ]
      let command = prefix.isEmpty ? CLI.binary : URL(fileURLWithPath: prefix[0])
      let r = try CLI.run(
        command, Array(prefix.dropFirst()) + (prefix.isEmpty ? [] : [CLI.binary.path]) + args, in: project, stdin: stdin, environment: env)
      XCTAssertEqual(r.status, 0, "djsec \(args.joined(separator: " ")): \(r.stderr)")
    }
    try djsec(["keys", "new"])
    try djsec(["secret", "set", "X", "--stdin"], stdin: "x")
    try djsec(["secret", "edit"])

    let limits = try String(contentsOf: record.appendingPathComponent("limits"), encoding: .utf8).split(separator: " ")
    XCTAssertEqual(limits.prefix(6), ["Max", "core", "file", "size", "0", "0"], limits.joined(separator: " "))
    let uid = try String(contentsOf: record.appendingPathComponent("uid"), encoding: .utf8)
    XCTAssertNotEqual(uid, "0\n", "djsec must run as another user than root for the test to see anything")
    XCTAssertEqual(try String(contentsOf: record.appendingPathComponent("owner"), encoding: .utf8), "0\n")
  }
}
