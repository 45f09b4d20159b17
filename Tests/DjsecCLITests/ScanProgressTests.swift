import DjsecTestSupport
import Foundation
import XCTest

/// The progress line: on a terminal (a real pseudo-terminal, made by
/// Python's pty module) the scan shows its phases and findings so far, in
/// bold unless NO_COLOR is set; when stderr is not a terminal, nothing.
final class ScanProgressTests: XCTestCase {
  private static let onTerminal = #"""
    import os, pty, sys
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.argv[1], sys.argv[1:])
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    sys.stdout.write(out.decode("utf-8", "replace"))
    """#

  private func onTerminal(_ arguments: [String], env: [String: String] = [:]) throws -> String {
    let r = try CLI.run(try CLI.python(), ["-c", Self.onTerminal, CLI.binary.path] + arguments, environment: env)
    return r.stdout
  }

  func testPhasesAndFindingsOnATerminalAndNothingOtherwise() throws {
    let repo = try GitFixture("progress")
    try repo.commit("key", files: ["settings.py": "SECRET_KEY = \"\(SecretGenerator.make("django_key")!)\"\n"])
    let shown = try onTerminal(["scan", repo.root.path], env: ["NO_COLOR": ""])
    XCTAssertTrue(shown.contains("reading"), shown)
    XCTAssertTrue(shown.contains("% of "), shown)
    XCTAssertTrue(shown.contains("attributing"), shown)
    XCTAssertTrue(shown.contains("\u{1B}[1m"), "bold phases when colour is allowed")
    XCTAssertTrue(shown.contains("1 leak found"), shown)

    let plain = try onTerminal(["scan", repo.root.path], env: ["NO_COLOR": "1"])
    XCTAssertTrue(plain.contains("reading"), plain)
    XCTAssertFalse(plain.contains("\u{1B}[1m"), "NO_COLOR: no bold")

    let piped = try CLI.djsec(["scan", repo.root.path])
    XCTAssertFalse(piped.stderr.contains("reading"), piped.stderr)
    XCTAssertFalse(piped.stderr.contains("\r"), piped.stderr)
  }
}
