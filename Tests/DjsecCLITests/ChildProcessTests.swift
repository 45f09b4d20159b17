import Foundation
import XCTest

/// What the programs djsec starts can see of it: the editor of `secret edit`
/// and every git djsec runs inherit no DJSEC_* variable (no private key, no
/// passphrase).
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
}
