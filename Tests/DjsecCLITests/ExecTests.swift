import Foundation
import XCTest

/// `djsec exec -- CMD`: the command gets every secret in its environment and
/// nothing is written to disk; it never sees DJSEC_* variables; its exit
/// status is djsec's.
final class ExecTests: XCTestCase {
  private var work: URL!
  private var project: URL { work.appendingPathComponent("demo") }
  private var python: URL!

  override func setUpWithError() throws {
    python = try CLI.python()
    work = try CLI.startProject("exec", python: python)
    try CLI.expect(["init", ".", "--host", "example.com"], in: project)
  }

  override func tearDownWithError() throws {
    if let work { try? FileManager.default.removeItem(at: work) }
  }

  func testTheCommandSeesTheSecretsAndTheFolderIsUnchanged() throws {
    let password = "pw-\(UUID().uuidString) with spaces"
    try CLI.expect(["secret", "set", "DB_PASSWORD", "--stdin"], in: project, stdin: password)
    let key = try CLI.expect(["secret", "get", "SECRET_KEY"], in: project).stdout.trimmingCharacters(in: .newlines)
    let before = CLI.snapshot(work)
    // The child prints digests and comparisons, never a value.
    let code = """
      import hashlib, os, sys
      print(hashlib.sha256(os.environ['SECRET_KEY'].encode()).hexdigest())
      print(hashlib.sha256(os.environ['DB_PASSWORD'].encode()).hexdigest())
      print(sorted(k for k in os.environ if k.startswith('DJSEC_')))
      """
    let r = try CLI.expect(
      ["exec", "--", python.path, "-c", code], in: project, env: ["DJSEC_PASSPHRASE": "not for children", "DJSEC_TRUSTED_KEYS": ""])
    let lines = r.stdout.split(separator: "\n").map(String.init)
    func sha(_ s: String) -> String {
      let r = try? CLI.run(python, ["-c", "import hashlib,sys; print(hashlib.sha256(sys.stdin.read().encode()).hexdigest())"], stdin: s)
      return r?.stdout.trimmingCharacters(in: .newlines) ?? ""
    }
    XCTAssertEqual(lines, [sha(key), sha(password), "[]"])
    XCTAssertEqual(CLI.snapshot(work), before, "exec wrote something")

    // --only passes just that secret; the exit status is the command's.
    let only = try CLI.expect(
      ["exec", "--only", "DB_PASSWORD", "--", python.path, "-c", "import os; print('SECRET_KEY' in os.environ)"], in: project)
    XCTAssertEqual(only.stdout, "False\n")
    try CLI.expect(["exec", "--", "sh", "-c", "exit 7"], in: project, status: 7)
    let missing = try CLI.expect(["exec", "--", "no-such-command-here"], in: project, status: 127)
    XCTAssertTrue(missing.stderr.hasPrefix("djsec: error: cannot run no-such-command-here"), missing.stderr)
  }
}
